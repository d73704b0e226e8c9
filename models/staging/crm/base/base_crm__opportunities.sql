-- Every raw opportunity, typed, with the reason it cannot be staged (null when it can).
with

source as (

    select * from {{ source('crm', 'opportunities') }}

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
        _source_file,
        _source_row,
        {{ clean_text('opportunity_id') }} as opportunity_id,
        {{ clean_text('lead_id') }} as source_lead_id,
        {{ clean_text('account_id') }} as account_id,
        {{ clean_text('owner_rep_id') }} as owner_rep_id,
        {{ parse_timestamp('created_at') }} as created_at,
        {{ normalize_enum('stage') }} as stage,
        {{ parse_number('amount') }} as amount,
        {{ parse_date('close_date') }} as close_date,
        {{ parse_timestamp('closed_at') }} as closed_at,
        {{ normalize_enum('lost_reason') }} as lost_reason,
        closed_at as closed_at_raw,
        {{ first_occurrence(clean_text('opportunity_id')) }} as id_occurrence
    from source

)

select
    typed.*,
    case
        when typed.opportunity_id is null then 'null_id'
        when typed.id_occurrence > 1 then 'duplicate_id'
        when typed.source_lead_id is null then 'null_lead_ref'
        when typed.created_at is null then 'unparseable_timestamp'
        when typed.created_at > {{ as_of() }} then 'future_timestamp'
        when
            {{ clean_text('typed.closed_at_raw') }} is not null and typed.closed_at is null
            then 'unparseable_timestamp'
        when not coalesce({{ accepted('opportunities', 'stage', 'typed.stage') }}, false) then 'unknown_stage'
        when typed.amount is null or typed.amount < 0 then 'invalid_amount'
        when leads.source_lead_id is null then 'orphan_lead_ref'
        when leads.quarantine_reason is not null then 'lead_quarantined'
    end as quarantine_reason
from typed
left join leads on typed.source_lead_id = leads.source_lead_id
