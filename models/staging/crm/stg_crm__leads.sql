-- Valid lead records, one per source record. A missing channel or motion is implied by the lead
-- source (seeds/reference/lead_source_defaults.csv); an owner assigned after as_of is not
-- assigned yet. What the title and email say about the person (seniority, function, email type)
-- is enrichment (int_lead_records_enriched); identity resolution (one lead per person) happens in
-- int_lead_identity; rows that failed validation are in quarantined_rows.
-- A view of base_crm__leads (incremental by lead id), like stg_marketing__marketing_events: the
-- filter and two lookups cost less than storing a million records again every build.
{{ config(materialized='view') }}
with

base as (

    select * from {{ ref('base_crm__leads') }}
    where quarantine_reason is null

),

source_defaults as (

    select * from {{ ref('lead_source_defaults') }}

)

select
    base.source_lead_id,
    base.email,
    base.first_name,
    base.last_name,
    base.title,
    base.account_id,
    base.company_name,
    base.country,
    base.lead_source,
    base.lead_source_raw,
    case
        when base.channel is null or base.channel = 'unknown' then coalesce(source_defaults.channel, 'unknown')
        else base.channel
    end as channel,
    base.channel_raw,
    case
        when base.motion in ('inbound', 'outbound') then base.motion
        else coalesce(source_defaults.motion, 'inbound')
    end as motion,
    base.motion_raw,
    base.campaign_id,
    base.created_at,
    coalesce(base.has_marketing_consent, false) as has_marketing_consent,
    -- an assignment after as_of has not happened yet
    case
        when base.owner_assigned_at is null or base.owner_assigned_at <= {{ as_of() }} then base.owner_rep_id
    end as owner_rep_id,
    case when base.owner_assigned_at <= {{ as_of() }} then base.owner_assigned_at end as owner_assigned_at,
    base.merged_into_lead_id
from base
left join source_defaults on base.lead_source = source_defaults.lead_source
