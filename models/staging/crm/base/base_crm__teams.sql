-- Every raw team row, typed, with the reason it cannot be staged (null when it can).
with

source as (

    select * from {{ source('crm', 'teams') }}

),

typed as (

    select
        _source_file,
        _source_row,
        {{ clean_text('team_id') }} as team_id,
        {{ clean_text('team_name') }} as team_name,
        {{ clean_text('territory_id') }} as territory_id,
        {{ normalize_enum('segment') }} as segment,
        {{ first_occurrence(clean_text('team_id')) }} as id_occurrence
    from source

)

select
    *,
    case
        when team_id is null then 'null_id'
        when id_occurrence > 1 then 'duplicate_id'
        when not coalesce({{ accepted('teams', 'segment', 'segment') }}, false) then 'unknown_segment'
    end as quarantine_reason
from typed
