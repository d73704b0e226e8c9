-- Every raw territory row, typed, with the reason it cannot be staged (null when it can).
with

source as (

    select * from {{ source('crm', 'territories') }}

),

typed as (

    select
        _source_file,
        _source_row,
        {{ clean_text('territory_id') }} as territory_id,
        {{ clean_text('territory_name') }} as territory_name,
        {{ normalize_enum('region') }} as region,
        {{ clean_text('time_zone') }} as time_zone,
        {{ first_occurrence(clean_text('territory_id')) }} as id_occurrence
    from source

)

select
    *,
    case
        when territory_id is null then 'null_id'
        when id_occurrence > 1 then 'duplicate_id'
        when time_zone is null then 'missing_time_zone'
        when not coalesce({{ accepted('accounts', 'region', 'region') }}, false) then 'unknown_region'
    end as quarantine_reason
from typed
