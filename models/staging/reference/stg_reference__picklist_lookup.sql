-- Every spelling a raw enum value may arrive in → its canonical value: the canonical values
-- themselves, the project's default spellings (picklist_mappings) and the connector adapters'
-- spellings (connector_picklist_mappings). Staging looks values up here; a value with no row
-- becomes 'other' and keeps its raw spelling beside it (see map_picklist).
-- The index is PostgreSQL's: map_picklist looks a value up once per staged row, a scan of this
-- table each time without it (3.2 s of a 44k-row event table's 7 s). Never on DuckDB (its joins
-- do not use it): dbt-duckdb reads duckdb_indexes() before rebuilding every table, which resolves
-- each index's table, and while another thread had renamed this one to __dbt_backup that read
-- failed the other model (2 of 3 hourly refreshes; 7 of 55 two-model runs, 0 of 30 without it).
{{ config(indexes=[{'columns': ['source_table', 'column_name', 'raw_value']}] if target.type == 'postgres' else []) }}
with

canonical as (

    select * from {{ ref('canonical_values') }}

),

mappings as (

    select * from {{ ref('picklist_mappings') }}

),

connector_mappings as (

    select * from {{ ref('connector_picklist_mappings') }}

),

spellings as (

    select
        source_table,
        column_name,
        canonical_value as raw_value,
        canonical_value,
        'canonical' as mapping_origin
    from canonical

    union all

    select
        source_table,
        column_name,
        raw_value,
        canonical_value,
        'picklist_mappings' as mapping_origin
    from mappings

    union all

    select
        source_table,
        column_name,
        raw_value,
        canonical_value,
        'connector_picklist_mappings' as mapping_origin
    from connector_mappings

),

ranked as (

    -- a spelling listed in several seeds: the canonical list wins, then the project's mapping
    select
        *,
        row_number() over (
            partition by source_table, column_name, raw_value
            order by case mapping_origin when 'canonical' then 1 when 'picklist_mappings' then 2 else 3 end
        ) as origin_rank
    from spellings

)

select
    source_table,
    column_name,
    raw_value,
    canonical_value,
    mapping_origin
from ranked
where origin_rank = 1
