-- Leads (Lead object), not deleted: renamed and typed. Converted leads stay, with the contact,
-- account and opportunity they were converted into. 1:1 with salesforce.lead. A column the
-- connector did not sync (a field the org does not have) is null.
{#- custom fields: contract meaning -> Salesforce field (override: var salesforce_lead_custom_fields) -#}
{%- set custom = {'account_id': 'account__c', 'channel': 'channel__c', 'motion': 'motion__c'} -%}
{%- do custom.update(var('salesforce_lead_custom_fields', {})) -%}
{%- set columns = [
    ('id', 'lead_id', 'string'),
    ('created_date', 'created_at', 'timestamp'),
    ('last_modified_date', 'updated_at', 'timestamp'),
    ('email', 'email', 'string'),
    ('first_name', 'first_name', 'string'),
    ('last_name', 'last_name', 'string'),
    ('title', 'title', 'string'),
    ('company', 'company', 'string'),
    ('country_code', 'country_code', 'string'),
    ('country', 'country', 'string'),
    ('lead_source', 'lead_source', 'string'),
    ('status', 'status', 'string'),
    ('owner_id', 'owner_id', 'string'),
    ('is_converted', 'is_converted', 'boolean'),
    ('converted_date', 'converted_date', 'date'),
    ('converted_contact_id', 'converted_contact_id', 'string'),
    ('converted_account_id', 'converted_account_id', 'string'),
    ('converted_opportunity_id', 'converted_opportunity_id', 'string'),
    ('has_opted_out_of_email', 'has_opted_out_of_email', 'boolean'),
    (custom['account_id'], 'account_id', 'string'),
    (custom['channel'], 'channel', 'string'),
    (custom['motion'], 'motion', 'string'),
] -%}
{%- set source_relation = source('salesforce', 'lead') %}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    {{ connector_renamed(source_relation, columns) }}

)

select
    lead_id,
    created_at,
    updated_at,
    email,
    first_name,
    last_name,
    title,
    company,
    country_code,
    country,
    lead_source,
    status,
    owner_id,
    is_converted,
    converted_date,
    converted_contact_id,
    converted_account_id,
    converted_opportunity_id,
    has_opted_out_of_email,
    account_id,
    channel,
    motion
from renamed
where not is_excluded
