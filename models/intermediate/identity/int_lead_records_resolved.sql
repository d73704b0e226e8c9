-- Every valid CRM lead record with its enrichment (int_lead_records_enriched) and the person it
-- belongs to (int_lead_identity): lead_id, the record's place among the person's records and how
-- many records the person has. int_leads_resolved rolls these up to one row per person; the
-- re-qualification triggers compare a person's records in order. Incremental by lead: a run
-- resolves again the persons int_crm_changed_leads lists.
{{ config_incremental_by_lead('int_crm_changed_leads') }}
with

records as (

    select * from {{ ref('stg_crm__leads') }}

),

enriched as (

    select * from {{ ref('int_lead_records_enriched') }}

),

identity as (

    select * from {{ ref('int_lead_identity') }}
    where {{ only_changed_leads(changes='int_crm_changed_leads') }}

)

select
    identity.lead_id,
    records.source_lead_id,
    identity.record_order,
    identity.source_record_count,
    identity.person_email,
    records.email,
    enriched.email_domain,
    enriched.email_type,
    records.first_name,
    records.last_name,
    records.title,
    enriched.seniority,
    enriched.job_function,
    enriched.buying_role,
    records.account_id,
    records.company_name,
    records.country,
    records.lead_source,
    records.lead_source_raw,
    records.channel,
    records.channel_raw,
    records.motion,
    records.motion_raw,
    records.campaign_id,
    records.created_at,
    records.has_marketing_consent,
    records.owner_rep_id,
    records.owner_assigned_at,
    records.merged_into_lead_id
from records
inner join enriched on records.source_lead_id = enriched.source_lead_id
inner join identity on records.source_lead_id = identity.source_lead_id
