-- Contacts, not deleted: the properties the warehouse reads, renamed and typed. 1:1 with
-- hubspot.contact. A column the connector did not sync (a field the portal does not have) is null.
{#- custom fields: contract meaning -> HubSpot field (override: var hubspot_contact_custom_fields) -#}
{%- set custom = {
    'lead_source': 'property_lead_source',
    'channel': 'property_lead_channel',
    'motion': 'property_lead_motion',
} -%}
{%- do custom.update(var('hubspot_contact_custom_fields', {})) -%}
{%- set columns = [
    ('id', 'contact_id', 'string'),
    ('property_email', 'email', 'string'),
    ('property_firstname', 'first_name', 'string'),
    ('property_lastname', 'last_name', 'string'),
    ('property_jobtitle', 'title', 'string'),
    ('property_company', 'company', 'string'),
    ('property_country', 'country', 'string'),
    ('property_associatedcompanyid', 'company_id', 'string'),
    ('property_hs_analytics_source', 'analytics_source', 'string'),
    ('property_hs_analytics_first_touch_converting_campaign', 'first_touch_campaign', 'string'),
    ('property_createdate', 'created_at', 'timestamp'),
    ('property_lastmodifieddate', 'updated_at', 'timestamp'),
    ('property_hs_email_optout', 'has_opted_out_of_email', 'boolean'),
    ('property_hubspot_owner_id', 'owner_id', 'string'),
    ('property_hubspot_owner_assigneddate', 'owner_assigned_at', 'timestamp'),
    ('property_hs_lifecyclestage_subscriber_date', 'became_subscriber_at', 'timestamp'),
    ('property_hs_lifecyclestage_lead_date', 'became_lead_at', 'timestamp'),
    ('property_hs_lifecyclestage_marketingqualifiedlead_date', 'became_marketingqualifiedlead_at', 'timestamp'),
    ('property_hs_lifecyclestage_salesqualifiedlead_date', 'became_salesqualifiedlead_at', 'timestamp'),
    ('property_hs_lifecyclestage_opportunity_date', 'became_opportunity_at', 'timestamp'),
    ('property_hs_lifecyclestage_customer_date', 'became_customer_at', 'timestamp'),
    ('property_hs_lifecyclestage_evangelist_date', 'became_evangelist_at', 'timestamp'),
    ('property_hs_lifecyclestage_other_date', 'became_other_at', 'timestamp'),
    (custom['lead_source'], 'lead_source', 'string'),
    (custom['channel'], 'channel', 'string'),
    (custom['motion'], 'motion', 'string'),
] -%}
{%- set source_relation = source('hubspot', 'contact') %}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    {{ connector_renamed(source_relation, columns) }}

)

select
    contact_id,
    email,
    first_name,
    last_name,
    title,
    company,
    country,
    company_id,
    analytics_source,
    first_touch_campaign,
    created_at,
    updated_at,
    has_opted_out_of_email,
    owner_id,
    owner_assigned_at,
    became_subscriber_at,
    became_lead_at,
    became_marketingqualifiedlead_at,
    became_salesqualifiedlead_at,
    became_opportunity_at,
    became_customer_at,
    became_evangelist_at,
    became_other_at,
    lead_source,
    channel,
    motion
from renamed
where not is_excluded
