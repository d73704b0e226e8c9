-- Every raw opportunity, typed, with the reason it cannot be staged (null when it can).
-- Amount and created_at are optional: a won-deals export often has only the close date, and
-- then the opportunity is taken as created when it closed (is_created_at_inferred). An
-- incremental build stages again only the ids base_crm__restaged_opportunities lists
-- (macros/incremental_by_key.sql).
{{ config_incremental_by_key('base_crm__restaged_opportunities', 'opportunity_id') }}
with

source as (

    {{ restaged_input_rows('opportunities', 'base_crm__restaged_opportunities', 'opportunity_id') }}

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
        {{ clean_text('opportunity_id') }} as opportunity_id,
        {{ clean_text('lead_id') }} as source_lead_id,
        {{ clean_text('account_id') }} as account_id,
        {{ clean_text('owner_rep_id') }} as owner_rep_id,
        {{ parse_timestamp('created_at') }} as created_at_recorded,
        {{ clean_text('created_at') }} as created_at_raw,
        {{ map_picklist('opportunities', 'stage', normalize_enum('stage')) }} as stage,
        {{ clean_text('stage') }} as stage_raw,
        {{ parse_number('amount') }} as amount,
        {{ clean_text('amount') }} as amount_raw,
        {{ parse_date('close_date') }} as close_date,
        {{ parse_timestamp('closed_at') }} as closed_at,
        {{ clean_text('closed_at') }} as closed_at_raw,
        {{ normalize_enum('lost_reason') }} as lost_reason,
        {{ parse_timestamp('updated_at') }} as updated_at,
        {{ content_hash(['opportunity_id', 'lead_id', 'account_id', 'owner_rep_id', 'created_at', 'stage',
            'amount', 'close_date', 'closed_at', 'lost_reason', 'updated_at']) }} as content_hash
    from source

),

versioned as (

    select
        *,
        coalesce(created_at_recorded, closed_at) as created_at,
        created_at_recorded is null and closed_at is not null as is_created_at_inferred,
        {{ version_columns('opportunity_id', 'updated_at') }}
    from typed

)

select
    versioned.*,
    case
        when versioned.opportunity_id is null then 'null_id'
        when versioned.id_occurrence > 1 then {{ duplicate_reason() }}
        when versioned.source_lead_id is null then 'null_lead_ref'
        when versioned.created_at_raw is not null and versioned.created_at_recorded is null
            then 'unparseable_timestamp'
        when versioned.closed_at_raw is not null and versioned.closed_at is null then 'unparseable_timestamp'
        when versioned.created_at is null then 'missing_timestamp'
        when {{ is_implausible_timestamp('versioned.created_at') }} then 'implausible_timestamp'
        when versioned.created_at > {{ as_of() }} then 'future_timestamp'
        when versioned.amount_raw is not null and versioned.amount is null then 'invalid_number'
        when versioned.amount < 0 then 'invalid_amount'
        when leads.source_lead_id is null then 'orphan_lead_ref'
        when leads.quarantine_reason is not null then 'lead_quarantined'
    end as quarantine_reason
from versioned
left join leads on versioned.source_lead_id = leads.source_lead_id
