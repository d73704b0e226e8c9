-- Every raw rep row, typed, with the reason it cannot be staged (null when it can).
with

source as (

    select * from {{ source('crm', 'reps') }}

),

typed as (

    select
        _source_file,
        _source_row,
        {{ clean_text('rep_id') }} as rep_id,
        {{ clean_text('rep_name') }} as rep_name,
        {{ normalize_enum('role') }} as role,
        {{ clean_text('team_id') }} as team_id,
        coalesce({{ parse_boolean('is_active') }}, true) as is_active,
        {{ first_occurrence(clean_text('rep_id')) }} as id_occurrence
    from source

)

select
    *,
    case
        when rep_id is null then 'null_id'
        when id_occurrence > 1 then 'duplicate_id'
        when not coalesce({{ accepted('reps', 'role', 'role') }}, false) then 'unknown_role'
    end as quarantine_reason
from typed
