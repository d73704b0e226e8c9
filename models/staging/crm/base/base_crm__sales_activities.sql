-- Every raw sales activity, typed, with the reason it cannot be staged (null when it can).
with

source as (

    select * from {{ source('crm', 'sales_activities') }}

),

leads as (

    select
        source_lead_id,
        quarantine_reason
    from {{ ref('base_crm__leads') }}
    where id_occurrence = 1

),

reason_codes as (

    select reason_code from {{ ref('reason_codes') }}

),

typed as (

    select
        source._source_file,
        source._source_row,
        {{ clean_text('source.activity_id') }} as activity_id,
        {{ clean_text('source.lead_id') }} as source_lead_id,
        {{ clean_text('source.rep_id') }} as rep_id,
        {{ normalize_enum('source.activity_type') }} as activity_type,
        {{ normalize_enum('source.reason_code') }} as reason_code,
        {{ clean_text('source.note') }} as note,
        {{ normalize_enum('source.checklist_item') }} as checklist_item,
        {{ parse_boolean('source.is_confirmed') }} as is_confirmed,
        {{ parse_timestamp('source.occurred_at') }} as occurred_at,
        {{ first_occurrence(clean_text('source.activity_id'), 'source._source_row') }} as id_occurrence
    from source

)

select
    typed.*,
    case
        when typed.activity_id is null then 'null_id'
        when typed.id_occurrence > 1 then 'duplicate_id'
        when typed.source_lead_id is null then 'null_lead_ref'
        when typed.occurred_at is null then 'unparseable_timestamp'
        when typed.occurred_at > {{ as_of() }} then 'future_timestamp'
        when not coalesce({{ accepted('sales_activities', 'activity_type', 'typed.activity_type') }}, false)
            then 'unknown_activity_type'
        when typed.activity_type in ('reject', 'disqualify') and typed.reason_code is null then 'missing_reason_code'
        when typed.reason_code is not null and reason_codes.reason_code is null then 'unknown_reason_code'
        when leads.source_lead_id is null then 'orphan_lead_ref'
        when leads.quarantine_reason is not null then 'lead_quarantined'
    end as quarantine_reason
from typed
left join leads on typed.source_lead_id = leads.source_lead_id
left join reason_codes on typed.reason_code = reason_codes.reason_code
