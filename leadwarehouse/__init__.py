"""Lead qualification warehouse: Python around the dbt project (contract, ingest, generator, oracle)."""
