"""Dagster code location of the lead qualification warehouse.

ingest (landing folder → raw) → dbt (staging → intermediate → marts → exports; dbt tests are
asset checks) → reverse-ETL export files → publish (an atomic read-only copy for dashboards).
`definitions.py` holds the `Definitions` (`dagster dev` finds it through pyproject.toml),
`project.py` the dbt project they are built from.
"""
