-- Every raw lead row, typed, with the reason it cannot be staged (null when it can).
with

source as (

    select * from {{ source('crm', 'leads') }}

),

typed as (

    select
        _source_file,
        _source_row,
        {{ clean_text('lead_id') }} as source_lead_id,
        lower({{ clean_text('email') }}) as email,
        {{ clean_text('first_name') }} as first_name,
        {{ clean_text('last_name') }} as last_name,
        {{ clean_text('title') }} as title,
        {{ clean_text('account_id') }} as account_id,
        {{ clean_text('company_name') }} as company_name,
        upper({{ clean_text('country') }}) as country,
        {{ normalize_enum('lead_source') }} as lead_source,
        {{ normalize_enum('channel') }} as channel,
        {{ normalize_enum('motion') }} as motion,
        {{ clean_text('campaign_id') }} as campaign_id,
        {{ parse_timestamp('created_at') }} as created_at,
        {{ parse_boolean('has_marketing_consent') }} as has_marketing_consent,
        {{ clean_text('owner_rep_id') }} as owner_rep_id,
        {{ parse_timestamp('owner_assigned_at') }} as owner_assigned_at,
        owner_assigned_at as owner_assigned_at_raw,
        {{ first_occurrence(clean_text('lead_id')) }} as id_occurrence
    from source

)

select
    *,
    case
        when source_lead_id is null then 'null_id'
        when id_occurrence > 1 then 'duplicate_id'
        when not {{ is_valid_email('email') }} then 'invalid_email'
        when created_at is null then 'unparseable_timestamp'
        when created_at > {{ as_of() }} then 'future_timestamp'
        when {{ clean_text('owner_assigned_at_raw') }} is not null and owner_assigned_at is null
            then 'unparseable_timestamp'
        when not coalesce({{ accepted('leads', 'lead_source', 'lead_source') }}, false) then 'unknown_lead_source'
        when not coalesce({{ accepted('leads', 'channel', 'channel') }}, false) then 'unknown_channel'
        when not coalesce({{ accepted('leads', 'motion', 'motion') }}, false) then 'unknown_motion'
    end as quarantine_reason
from typed
