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
{%- set previous = previous_build_of('base_marketing__marketing_events') -%}
{#- read as a subquery wherever it is used: a CTE read several times would be materialized (at
    1M leads 23M rows spilled to disk, half of this model's time) -#}
{%- set stored -%}
    ({{ stored_rows(previous, {
        '_source_file': 'string', '_batch_id': 'string', 'event_id': 'string', 'source_lead_id': 'string',
        'event_type': 'string', 'event_type_raw': 'string', 'occurred_at': 'timestamp',
        'quarantine_reason': 'string'
    }) }})
{%- endset %}
with

loaded_files as (

    select distinct
        _source_file,
        {{ batch_id_column() }} as _batch_id
    from {{ crm_input('marketing_events') }}

),

staged_files as (

    select distinct
        _source_file,
        _batch_id
    from {{ stored }} as stored

),

new_files as (

    select loaded_files.*
    from loaded_files
    left join staged_files
        on loaded_files._source_file = staged_files._source_file and loaded_files._batch_id = staged_files._batch_id
    where staged_files._source_file is null

),

gone_files as (

    select staged_files.*
    from staged_files
    left join loaded_files
        on staged_files._source_file = loaded_files._source_file and staged_files._batch_id = loaded_files._batch_id
    where loaded_files._source_file is null

),

leads as (

    select
        source_lead_id,
        case when quarantine_reason is null then 'staged' else 'quarantined' end as lead_status
    from {{ ref('base_crm__leads') }}
    where id_occurrence = 1

),

spellings as (

    select distinct
        event_type_raw,
        event_type
    from {{ stored }} as stored

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

delivered as (

    select
        {{ restage_key('source.event_id', raw=true) }} as restage_key,
        'delivered' as restage_reason
    from {{ crm_input('marketing_events') }} as source
    inner join new_files
        on source._source_file = new_files._source_file and {{ batch_id_column('source') }} = new_files._batch_id

),

staged as (

    select
        {{ restage_key('stored.event_id') }} as restage_key,
        stored.quarantine_reason,
        stored.occurred_at,
        -- the reasons checked after the event's date: the row reached the lead checks
        coalesce(stored.quarantine_reason in ('orphan_lead_ref', 'lead_quarantined'), true) as checked_lead,
        case stored.quarantine_reason
            when 'orphan_lead_ref' then 'missing'
            when 'lead_quarantined' then 'quarantined'
            else 'staged'
        end as lead_status_seen,
        coalesce(leads.lead_status, 'missing') as lead_status_now,
        remapped.event_type_raw is not null as is_remapped,
        gone_files._source_file is not null as is_from_gone_file
    from {{ stored }} as stored
    left join leads on stored.source_lead_id = leads.source_lead_id
    left join remapped on coalesce(stored.event_type_raw, '') = coalesce(remapped.event_type_raw, '')
    left join gone_files
        on stored._source_file = gone_files._source_file and stored._batch_id = gone_files._batch_id

),

staged_reasons as (

    -- one pass over the stored rows; when several reasons hold, the first by name (as below)
    select
        restage_key,
        case
            when
                (quarantine_reason = 'future_timestamp' and occurred_at <= {{ as_of() }})
                or (checked_lead and occurred_at > {{ as_of() }})
                then 'due'
            when checked_lead and lead_status_seen != lead_status_now then 'lead'
            when is_remapped then 'picklist'
            when is_from_gone_file then 'removed'
        end as restage_reason
    from staged

),

reasons as (

    select * from delivered
    union all
    select * from staged_reasons
    where restage_reason is not null

)

{{ one_row_per_key('reasons', previous) }}
