-- Every raw team row, typed, with the reason it cannot be staged (null when it can).
with

source as (

    select * from {{ crm_input('teams') }}

),

typed as (

    select
        _source_file,
        _source_row,
        {{ clean_text('team_id') }} as team_id,
        {{ clean_text('team_name') }} as team_name,
        {{ clean_text('territory_id') }} as territory_id,
        {{ map_picklist('teams', 'segment', normalize_enum('segment')) }} as segment,
        {{ clean_text('segment') }} as segment_raw,
        {{ content_hash(['team_id', 'team_name', 'territory_id', 'segment']) }} as content_hash
    from source

),

versioned as (

    select
        *,
        {{ version_columns('team_id') }}
    from typed

)

select
    *,
    case
        when team_id is null then 'null_id'
        when id_occurrence > 1 then {{ duplicate_reason() }}
    end as quarantine_reason
from versioned
