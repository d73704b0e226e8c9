-- One row per person. Where the person was first captured (source, channel, campaign,
-- created_at) comes from the first record; who they are now (title, company, country,
-- consent) from the latest record, falling back to the first where the latest is empty. Most
-- persons have one record (95 % in the synthetic CRM): for them the first record is the latest and
-- the id list is that record's id, so the latest record and the id list are only looked up for
-- persons with several (at 1M leads 3.0 -> 1.0 s, the same rows). Incremental by lead: a run
-- rolls up again the persons int_crm_changed_leads lists.
{{ config_incremental_by_lead('int_crm_changed_leads') }}
with

records as (

    select * from {{ ref('int_lead_records_resolved') }}
    where {{ only_changed_leads(changes='int_crm_changed_leads') }}

),

first_record as (

    select * from records
    where record_order = 1

),

latest_record as (

    -- of persons with more than one record
    select * from records
    where record_order = source_record_count and source_record_count > 1

),

source_ids as (

    select
        lead_id,
        {{ dbt.listagg('source_lead_id', "','", 'order by source_lead_id') }} as source_lead_ids
    from records
    where source_record_count > 1
    group by lead_id

)

select
    first_record.lead_id,
    first_record.person_email as email,
    first_record.email_domain,
    first_record.email_type,
    coalesce(latest_record.first_name, first_record.first_name) as first_name,
    coalesce(latest_record.last_name, first_record.last_name) as last_name,
    coalesce(latest_record.title, first_record.title) as title,
    case when latest_record.title is not null then latest_record.seniority else first_record.seniority end
        as seniority,
    case when latest_record.title is not null then latest_record.job_function else first_record.job_function end
        as job_function,
    case when latest_record.title is not null then latest_record.buying_role else first_record.buying_role end
        as buying_role,
    coalesce(latest_record.account_id, first_record.account_id) as account_id,
    coalesce(latest_record.company_name, first_record.company_name) as company_name,
    coalesce(latest_record.country, first_record.country) as person_country,
    first_record.lead_source,
    first_record.channel,
    first_record.motion,
    first_record.campaign_id,
    first_record.created_at,
    case
        when latest_record.lead_id is null then first_record.has_marketing_consent
        else latest_record.has_marketing_consent
    end as has_marketing_consent,
    coalesce(latest_record.owner_rep_id, first_record.owner_rep_id) as owner_rep_id,
    case
        when latest_record.owner_rep_id is not null then latest_record.owner_assigned_at
        else first_record.owner_assigned_at
    end as owner_assigned_at,
    first_record.source_lead_id as first_source_lead_id,
    first_record.source_record_count,
    coalesce(source_ids.source_lead_ids, first_record.source_lead_id) as source_lead_ids
from first_record
left join latest_record on first_record.lead_id = latest_record.lead_id
left join source_ids on first_record.lead_id = source_ids.lead_id
