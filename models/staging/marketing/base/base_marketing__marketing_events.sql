-- Every raw marketing event, typed, with the reason it cannot be staged (null when it can).
with

source as (

    select * from {{ source('marketing', 'marketing_events') }}

),

leads as (

    select
        source_lead_id,
        quarantine_reason
    from {{ ref('base_crm__leads') }}
    where id_occurrence = 1

),

typed as (

    select
        source._source_file,
        source._source_row,
        {{ clean_text('source.event_id') }} as event_id,
        {{ clean_text('source.lead_id') }} as source_lead_id,
        {{ normalize_enum('source.event_type') }} as event_type,
        lower({{ clean_text('source.page_url') }}) as page_url,
        lower({{ clean_text('source.asset_name') }}) as asset_name,
        {{ clean_text('source.campaign_id') }} as campaign_id,
        {{ parse_timestamp('source.occurred_at') }} as occurred_at,
        {{ first_occurrence(clean_text('source.event_id'), 'source._source_row') }} as id_occurrence
    from source

)

select
    typed.*,
    case
        when typed.event_id is null then 'null_id'
        when typed.id_occurrence > 1 then 'duplicate_id'
        when typed.source_lead_id is null then 'null_lead_ref'
        when typed.occurred_at is null then 'unparseable_timestamp'
        when typed.occurred_at > {{ as_of() }} then 'future_timestamp'
        when not coalesce({{ accepted('marketing_events', 'event_type', 'typed.event_type') }}, false)
            then 'unknown_event_type'
        when leads.source_lead_id is null then 'orphan_lead_ref'
        when leads.quarantine_reason is not null then 'lead_quarantined'
    end as quarantine_reason
from typed
left join leads on typed.source_lead_id = leads.source_lead_id
