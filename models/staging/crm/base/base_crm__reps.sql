-- Every raw rep row, typed, with the reason it cannot be staged (null when it can).
with

source as (

    select * from {{ crm_input('reps') }}

),

typed as (

    select
        _source_file,
        _source_row,
        {{ clean_text('rep_id') }} as rep_id,
        {{ clean_text('rep_name') }} as rep_name,
        {{ map_picklist('reps', 'role', normalize_enum('role')) }} as role,
        {{ clean_text('role') }} as role_raw,
        {{ clean_text('team_id') }} as team_id,
        coalesce({{ parse_boolean('is_active') }}, true) as is_active,
        {{ content_hash(['rep_id', 'rep_name', 'role', 'team_id', 'is_active']) }} as content_hash
    from source

),

versioned as (

    select
        *,
        {{ version_columns('rep_id') }}
    from typed

)

select
    *,
    case
        when rep_id is null then 'null_id'
        when id_occurrence > 1 then {{ duplicate_reason() }}
    end as quarantine_reason
from versioned
