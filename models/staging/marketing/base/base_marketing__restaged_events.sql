-- The marketing-event ids an incremental build stages again (base_marketing__marketing_events),
-- one row per id and why; every other id keeps the rows the last build staged. An id is
-- restaged when
--   delivered: a row of it is in a landing file loaded since the last build (a new batch);
--   removed:   a row of it came from a file that is no longer loaded (a changed or removed file);
--   due:       its staged row was in the future at the last build and as_of has reached it, or
--              the other way round (as_of went back);
--   lead:      the lead its staged row checked appeared, disappeared, or entered or left
--              quarantine;
--   picklist:  its event_type spelling now maps to another canonical value (a picklist seed
--              change).
-- The versions of one id are ranked against each other (id_occurrence), so an id is restaged
-- with all its rows. Rows without an id are one group (key ''). Empty in a full build.
{%- set previous = previous_build_of('base_marketing__marketing_events') %}
with

source as (

    select
        _source_file,
        {{ batch_id_column() }} as _batch_id,
        {{ restage_key('event_id', raw=true) }} as restage_key
    from {{ crm_input('marketing_events') }}

),

leads as (

    select
        source_lead_id,
        case when quarantine_reason is null then 'staged' else 'quarantined' end as lead_status
    from {{ ref('base_crm__leads') }}
    where id_occurrence = 1

),

stored as (

    {{ stored_rows(previous, {
        '_source_file': 'string', '_batch_id': 'string', 'event_id': 'string', 'source_lead_id': 'string',
        'event_type': 'string', 'event_type_raw': 'string', 'occurred_at': 'timestamp',
        'quarantine_reason': 'string'
    }) }}

),

staged as (

    select
        _source_file,
        _batch_id,
        {{ restage_key('event_id') }} as restage_key,
        source_lead_id,
        event_type,
        event_type_raw,
        occurred_at,
        quarantine_reason,
        -- the reasons checked after the event's date: the row reached the lead checks
        coalesce(quarantine_reason in ('orphan_lead_ref', 'lead_quarantined'), true) as checked_lead,
        case quarantine_reason
            when 'orphan_lead_ref' then 'missing'
            when 'lead_quarantined' then 'quarantined'
            else 'staged'
        end as lead_status
    from stored

),

loaded_files as (

    select distinct
        _source_file,
        _batch_id
    from source

),

staged_files as (

    select distinct
        _source_file,
        _batch_id
    from staged

),

delivered as (

    select
        source.restage_key,
        'delivered' as restage_reason
    from source
    left join staged_files
        on source._source_file = staged_files._source_file and source._batch_id = staged_files._batch_id
    where staged_files._source_file is null

),

removed as (

    select
        staged.restage_key,
        'removed' as restage_reason
    from staged
    left join loaded_files
        on staged._source_file = loaded_files._source_file and staged._batch_id = loaded_files._batch_id
    where loaded_files._source_file is null

),

due as (

    select
        restage_key,
        'due' as restage_reason
    from staged
    where
        (quarantine_reason = 'future_timestamp' and occurred_at <= {{ as_of() }})
        or (checked_lead and occurred_at > {{ as_of() }})

),

lead_changed as (

    select
        staged.restage_key,
        'lead' as restage_reason
    from staged
    left join leads on staged.source_lead_id = leads.source_lead_id
    where staged.checked_lead and staged.lead_status != coalesce(leads.lead_status, 'missing')

),

spellings as (

    select distinct
        event_type_raw,
        event_type
    from staged

),

mapped_now as (

    select
        event_type_raw,
        event_type,
        {{ map_picklist('marketing_events', 'event_type', normalize_enum('event_type_raw')) }} as event_type_now
    from spellings

),

remapped as (

    select event_type_raw
    from mapped_now
    where coalesce(event_type, '') != coalesce(event_type_now, '')

),

picklist_changed as (

    select
        staged.restage_key,
        'picklist' as restage_reason
    from staged
    inner join remapped on coalesce(staged.event_type_raw, '') = coalesce(remapped.event_type_raw, '')

),

reasons as (

    select * from delivered
    union all
    select * from removed
    union all
    select * from due
    union all
    select * from lead_changed
    union all
    select * from picklist_changed

)

{{ one_row_per_key('reasons', previous) }}
