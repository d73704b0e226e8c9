-- Every raw lead row, typed, with the reason it cannot be staged (null when it can).
-- Only a structurally broken row is quarantined (no id, a losing duplicate, no parseable or a
-- placeholder creation time); an unknown picklist value is mapped (raw value kept beside). An
-- incremental build stages again only the ids base_crm__restaged_leads lists
-- (macros/incremental_by_key.sql).
{{ config_incremental_by_key('base_crm__restaged_leads', 'source_lead_id') }}
with

source as (

    {{ restaged_input_rows('leads', 'base_crm__restaged_leads', 'lead_id') }}

),

typed as {{ evaluated_once() }} (

    select
        _source_file,
        _source_row,
        {{ batch_id_column() }} as _batch_id,
        {{ clean_text('lead_id') }} as source_lead_id,
        nullif({{ normalize_email('email') }}, '') as email,
        {{ clean_text('email') }} as email_raw,
        {{ clean_text('first_name') }} as first_name,
        {{ clean_text('last_name') }} as last_name,
        {{ clean_text('title') }} as title,
        {{ clean_text('account_id') }} as account_id,
        {{ clean_text('company_name') }} as company_name,
        upper({{ clean_text('country') }}) as country,
        {{ map_picklist('leads', 'lead_source', normalize_enum('lead_source')) }} as lead_source,
        {{ clean_text('lead_source') }} as lead_source_raw,
        {{ map_picklist('leads', 'channel', normalize_enum('channel')) }} as channel,
        {{ clean_text('channel') }} as channel_raw,
        {{ map_picklist('leads', 'motion', normalize_enum('motion')) }} as motion,
        {{ clean_text('motion') }} as motion_raw,
        {{ clean_text('campaign_id') }} as campaign_id,
        {{ parse_timestamp('created_at') }} as created_at,
        {{ parse_boolean('has_marketing_consent') }} as has_marketing_consent,
        {{ clean_text('owner_rep_id') }} as owner_rep_id,
        {{ parse_timestamp('owner_assigned_at') }} as owner_assigned_at,
        {{ clean_text('owner_assigned_at') }} as owner_assigned_at_raw,
        {{ clean_text('merged_into_lead_id') }} as merged_into_lead_id,
        {{ parse_timestamp('updated_at') }} as updated_at,
        {{ content_hash(['lead_id', 'email', 'first_name', 'last_name', 'title', 'account_id', 'company_name',
            'country', 'lead_source', 'channel', 'motion', 'campaign_id', 'created_at', 'has_marketing_consent',
            'owner_rep_id', 'owner_assigned_at', 'merged_into_lead_id', 'updated_at']) }} as content_hash
    from source

),

versioned as (

    select
        *,
        {{ version_columns('source_lead_id', 'updated_at') }}
    from typed

)

select
    *,
    case
        when source_lead_id is null then 'null_id'
        when id_occurrence > 1 then {{ duplicate_reason() }}
        when email_raw is not null and not {{ is_valid_email('email') }} then 'invalid_email'
        when created_at is null then 'unparseable_timestamp'
        when {{ is_implausible_timestamp('created_at') }} then 'implausible_timestamp'
        when created_at > {{ as_of() }} then 'future_timestamp'
        when owner_assigned_at_raw is not null and owner_assigned_at is null then 'unparseable_timestamp'
    end as quarantine_reason
from versioned
