-- Every raw territory row, typed, with the reason it cannot be staged (null when it can).
with

source as (

    select * from {{ crm_input('territories') }}

),

typed as (

    select
        _source_file,
        _source_row,
        {{ clean_text('territory_id') }} as territory_id,
        {{ clean_text('territory_name') }} as territory_name,
        {{ map_picklist('accounts', 'region', normalize_enum('region')) }} as region,
        {{ clean_text('region') }} as region_raw,
        {{ clean_text('time_zone') }} as time_zone,
        {{ content_hash(['territory_id', 'territory_name', 'region', 'time_zone']) }} as content_hash
    from source

),

versioned as (

    select
        *,
        {{ version_columns('territory_id') }}
    from typed

)

select
    *,
    case
        when territory_id is null then 'null_id'
        when id_occurrence > 1 then {{ duplicate_reason() }}
        -- business hours need a clock to run on
        when time_zone is null then 'missing_time_zone'
    end as quarantine_reason
from versioned
