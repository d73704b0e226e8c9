"""Assets of the code location: ingest → dbt → export files → publish."""
