"""The SQL behind the dashboards, as pure functions of a query runner and the active filters.

One module per page (funnel, velocity, sla, kpi_ladder, lead_explorer, scoring_health) and
`common` for what they share (the Runner type, Filters, warehouse look-ups, stage labels).
"""
