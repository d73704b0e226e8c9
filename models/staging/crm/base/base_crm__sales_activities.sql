-- Every raw sales activity, typed, with the reason it cannot be staged (null when it can). An
-- incremental build stages again only the ids base_crm__restaged_sales_activities lists
-- (macros/incremental_by_key.sql).
{{ config_incremental_by_key('base_crm__restaged_sales_activities', 'activity_id') }}
{%- set raw_rows -%}
    ({{ restaged_input_rows('sales_activities', 'base_crm__restaged_sales_activities', 'activity_id') }})
{%- endset %}
{%- set hashed_columns = [
    'activity_id', 'lead_id', 'rep_id', 'activity_type', 'reason_code', 'note', 'checklist_item', 'is_confirmed',
    'occurred_at'
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

reason_codes as (

    select reason_code from {{ ref('reason_codes') }}

),

typed as {{ evaluated_once() }} (

    select
        _source_file,
        _source_row,
        {{ batch_id_column() }} as _batch_id,
        {{ clean_text('activity_id') }} as activity_id,
        {{ clean_text('lead_id') }} as source_lead_id,
        {{ clean_text('rep_id') }} as rep_id,
        {{ map_picklist('sales_activities', 'activity_type', normalize_enum('activity_type')) }} as activity_type,
        {{ clean_text('activity_type') }} as activity_type_raw,
        {{ normalize_enum('reason_code') }} as reason_code,
        {{ clean_text('note') }} as note,
        {{ normalize_enum('checklist_item') }} as checklist_item,
        {{ parse_boolean('is_confirmed') }} as is_confirmed,
        {{ parse_timestamp('occurred_at') }} as occurred_at
    from source

),

versioned as (

    -- the version order of the few ids delivered more than once (not a window over every activity)
    {{ repeated_id_versions('typed', raw_rows, 'activity_id', hashed_columns) | indent(4) }}

)

select
    versioned.*,
    case
        when versioned.activity_id is null then 'null_id'
        when versioned.id_occurrence > 1 then {{ duplicate_reason() }}
        when versioned.source_lead_id is null then 'null_lead_ref'
        when versioned.occurred_at is null then 'unparseable_timestamp'
        when {{ is_implausible_timestamp('versioned.occurred_at') }} then 'implausible_timestamp'
        when versioned.occurred_at > {{ as_of() }} then 'future_timestamp'
        when versioned.activity_type in ('reject', 'disqualify') and versioned.reason_code is null
            then 'missing_reason_code'
        when versioned.reason_code is not null and reason_codes.reason_code is null then 'unknown_reason_code'
        when leads.source_lead_id is null then 'orphan_lead_ref'
        when leads.quarantine_reason is not null then 'lead_quarantined'
    end as quarantine_reason
from versioned
left join leads on versioned.source_lead_id = leads.source_lead_id
left join reason_codes on versioned.reason_code = reason_codes.reason_code
