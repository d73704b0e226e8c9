-- Every raw marketing event, typed, with the reason it cannot be staged (null when it can).
-- The largest input: an incremental build stages again only the event ids
-- base_marketing__restaged_events lists (macros/incremental_by_key.sql).
{{ config_incremental_by_key('base_marketing__restaged_events', 'event_id') }}
{%- set raw_rows -%}
    ({{ restaged_input_rows('marketing_events', 'base_marketing__restaged_events', 'event_id') }})
{%- endset %}
{%- set hashed_columns = [
    'event_id', 'lead_id', 'event_type', 'page_url', 'asset_name', 'campaign_id', 'occurred_at'
] %}
with

source as (

    select * from {{ raw_rows }} as raw_rows

),

leads as (

    select
        source_lead_id,
        quarantine_reason
    from {{ ref('base_crm__leads') }}
    where id_occurrence = 1

),

typed as {{ evaluated_once() }} (

    select
        _source_file,
        _source_row,
        {{ batch_id_column() }} as _batch_id,
        {{ clean_text('event_id') }} as event_id,
        {{ clean_text('lead_id') }} as source_lead_id,
        {{ map_picklist('marketing_events', 'event_type', normalize_enum('event_type')) }} as event_type,
        {{ clean_text('event_type') }} as event_type_raw,
        lower({{ clean_text('page_url') }}) as page_url,
        lower({{ clean_text('asset_name') }}) as asset_name,
        {{ clean_text('campaign_id') }} as campaign_id,
        {{ parse_timestamp('occurred_at') }} as occurred_at
    from source

),

versioned as (

    -- the version order of the few ids delivered more than once (not a window over every event)
    {{ repeated_id_versions('typed', raw_rows, 'event_id', hashed_columns) | indent(4) }}

)

select
    versioned.*,
    case
        when versioned.event_id is null then 'null_id'
        when versioned.id_occurrence > 1 then {{ duplicate_reason() }}
        when versioned.source_lead_id is null then 'null_lead_ref'
        when versioned.occurred_at is null then 'unparseable_timestamp'
        when {{ is_implausible_timestamp('versioned.occurred_at') }} then 'implausible_timestamp'
        when versioned.occurred_at > {{ as_of() }} then 'future_timestamp'
        when leads.source_lead_id is null then 'orphan_lead_ref'
        when leads.quarantine_reason is not null then 'lead_quarantined'
    end as quarantine_reason
from versioned
left join leads on versioned.source_lead_id = leads.source_lead_id
