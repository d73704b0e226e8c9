-- The leads (persons) whose opportunities differ from the last run's in any column (a new, changed
-- or removed deal, an amount or close date corrected, a deal that moves to another person), one
-- row per lead and why (macros/incremental_by_lead.sql): what the KPI lead facts (won amount)
-- follow besides the scoring, lifecycle, fit, CRM and SLA change models. A few rows per lead that
-- has deals: cheap to fingerprint in full.
{{ config_change_model() }}
{{ changed_leads_by_fingerprint(inputs=[ref('int_opportunities_resolved')], rules=[]) }}
