-- Every raw lifecycle stage the CRM recorded, typed, with the reason it cannot be staged
-- (null when it can). Stages arrive in the CRM's spelling ('marketingqualifiedlead', 'MQL',
-- 'Working - Contacted') and are mapped to the lifecycle's stages (raw kept in stage_raw).
with

source as (

    select * from {{ crm_input('lifecycle_events') }}

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
        {{ clean_text('lifecycle_event_id') }} as lifecycle_event_id,
        {{ clean_text('lead_id') }} as source_lead_id,
        {{ map_picklist('lifecycle_events', 'stage', normalize_enum('stage')) }} as stage,
        {{ clean_text('stage') }} as stage_raw,
        {{ parse_timestamp('occurred_at') }} as occurred_at,
        lower({{ clean_text('source_system') }}) as source_system,
        {{ content_hash(['lifecycle_event_id', 'lead_id', 'stage', 'occurred_at', 'source_system']) }}
            as content_hash
    from source

),

versioned as (

    select
        *,
        {{ version_columns('lifecycle_event_id') }}
    from typed

)

select
    versioned.*,
    case
        when versioned.lifecycle_event_id is null then 'null_id'
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
