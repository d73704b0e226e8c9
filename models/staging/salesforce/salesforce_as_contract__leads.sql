-- Contract `leads` from Salesforce: every lead and every contact is a lead record (a contact's
-- Id is its lead_id). A converted lead names its contact in merged_into_lead_id, so identity
-- keeps both as one person. Columns as the contract names them, as text (ISO-8601 UTC
-- timestamps, 'true' / 'false'), values as the org spells them (LeadSource 'Web' …).
--   owner: a user owner (a queue, Id 00G…, is no rep); assigned at the latest Owner change to
--   that user in lead_history, else at creation. A contact created by a lead's conversion keeps
--   no owner of its own: the lead's routing is the one the SLAs measure.
--   campaign: the first campaign the record became a member of.
{%- set text = dbt.type_string() -%}
{%- set iso = "replace(cast(%s as " ~ text ~ "), ' ', 'T')" %}

with

leads as (

    select * from {{ ref('stg_salesforce__lead') }}

),

contacts as (

    select * from {{ ref('stg_salesforce__contact') }}

),

lead_history as (

    select * from {{ ref('stg_salesforce__lead_history') }}

),

campaign_members as (

    select * from {{ ref('stg_salesforce__campaign_member') }}

),

owner_changes as (

    select
        lead_history.lead_id,
        max(lead_history.created_at) as owner_assigned_at
    from lead_history
    inner join leads
        on
            lead_history.lead_id = leads.lead_id
            and lead_history.new_value = leads.owner_id
    where lead_history.field = 'Owner'
    group by lead_history.lead_id

),

first_campaigns as (

    select
        coalesce(lead_id, contact_id) as record_id,
        campaign_id,
        row_number() over (
            partition by coalesce(lead_id, contact_id) order by created_at, campaign_member_id
        ) as campaign_rank
    from campaign_members

),

conversion_contacts as (

    select distinct converted_contact_id as contact_id
    from leads
    where converted_contact_id is not null

),

lead_records as (

    select
        leads.lead_id,
        leads.email,
        leads.first_name,
        leads.last_name,
        leads.title,
        coalesce(leads.account_id, leads.converted_account_id) as account_id,
        leads.company as company_name,
        coalesce(leads.country_code, leads.country) as country,
        leads.lead_source,
        leads.channel,
        leads.motion,
        first_campaigns.campaign_id,
        leads.created_at,
        not leads.has_opted_out_of_email as has_marketing_consent,
        case when leads.owner_id not like '00G%' then leads.owner_id end as owner_rep_id,
        case
            when leads.owner_id not like '00G%' then coalesce(owner_changes.owner_assigned_at, leads.created_at)
        end as owner_assigned_at,
        leads.converted_contact_id as merged_into_lead_id,
        leads.updated_at,
        'salesforce.lead' as _source_file,
        row_number() over (order by leads.lead_id) as _source_row
    from leads
    left join owner_changes on leads.lead_id = owner_changes.lead_id
    left join first_campaigns
        on
            leads.lead_id = first_campaigns.record_id
            and first_campaigns.campaign_rank = 1

),

contact_records as (

    select
        contacts.contact_id as lead_id,
        contacts.email,
        contacts.first_name,
        contacts.last_name,
        contacts.title,
        contacts.account_id,
        cast(null as {{ text }}) as company_name,
        coalesce(contacts.mailing_country_code, contacts.mailing_country) as country,
        contacts.lead_source,
        contacts.channel,
        contacts.motion,
        first_campaigns.campaign_id,
        contacts.created_at,
        not contacts.has_opted_out_of_email as has_marketing_consent,
        case
            when conversion_contacts.contact_id is null and contacts.owner_id not like '00G%'
                then contacts.owner_id
        end as owner_rep_id,
        case
            when conversion_contacts.contact_id is null and contacts.owner_id not like '00G%'
                then contacts.created_at
        end as owner_assigned_at,
        cast(null as {{ text }}) as merged_into_lead_id,
        contacts.updated_at,
        'salesforce.contact' as _source_file,
        row_number() over (order by contacts.contact_id) as _source_row
    from contacts
    left join conversion_contacts on contacts.contact_id = conversion_contacts.contact_id
    left join first_campaigns
        on
            contacts.contact_id = first_campaigns.record_id
            and first_campaigns.campaign_rank = 1

),

records as (

    select * from lead_records
    union all
    select * from contact_records

)

select
    cast(lead_id as {{ text }}) as lead_id,
    cast(email as {{ text }}) as email,
    cast(first_name as {{ text }}) as first_name,
    cast(last_name as {{ text }}) as last_name,
    cast(title as {{ text }}) as title,
    cast(account_id as {{ text }}) as account_id,
    cast(company_name as {{ text }}) as company_name,
    cast(country as {{ text }}) as country,
    cast(lead_source as {{ text }}) as lead_source,
    cast(channel as {{ text }}) as channel,
    cast(motion as {{ text }}) as motion,
    cast(campaign_id as {{ text }}) as campaign_id,
    {{ iso | format('created_at') }} as created_at,
    cast(has_marketing_consent as {{ text }}) as has_marketing_consent,
    cast(owner_rep_id as {{ text }}) as owner_rep_id,
    {{ iso | format('owner_assigned_at') }} as owner_assigned_at,
    cast(merged_into_lead_id as {{ text }}) as merged_into_lead_id,
    {{ iso | format('updated_at') }} as updated_at,
    cast(_source_file as {{ text }}) as _source_file,
    -- numbered across the connector tables it unions: by table, then by the row's number in it
    cast(row_number() over (order by _source_file, _source_row) as {{ dbt.type_bigint() }})
        as _source_row
from records
