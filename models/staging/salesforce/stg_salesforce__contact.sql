-- Contacts (Contact object), not deleted: renamed and typed. 1:1 with salesforce.contact. A column
-- the connector did not sync (a field the org does not have) is null.
{#- custom fields: contract meaning -> Salesforce field (override: var salesforce_contact_custom_fields) -#}
{%- set custom = {'channel': 'channel__c', 'motion': 'motion__c'} -%}
{%- do custom.update(var('salesforce_contact_custom_fields', {})) -%}
{%- set columns = [
    ('id', 'contact_id', 'string'),
    ('created_date', 'created_at', 'timestamp'),
    ('last_modified_date', 'updated_at', 'timestamp'),
    ('email', 'email', 'string'),
    ('first_name', 'first_name', 'string'),
    ('last_name', 'last_name', 'string'),
    ('title', 'title', 'string'),
    ('account_id', 'account_id', 'string'),
    ('lead_source', 'lead_source', 'string'),
    ('owner_id', 'owner_id', 'string'),
    ('has_opted_out_of_email', 'has_opted_out_of_email', 'boolean'),
    ('mailing_country_code', 'mailing_country_code', 'string'),
    ('mailing_country', 'mailing_country', 'string'),
    (custom['channel'], 'channel', 'string'),
    (custom['motion'], 'motion', 'string'),
] -%}
{%- set source_relation = source('salesforce', 'contact') %}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    {{ connector_renamed(source_relation, columns) }}

)

select
    contact_id,
    created_at,
    updated_at,
    email,
    first_name,
    last_name,
    title,
    account_id,
    lead_source,
    owner_id,
    has_opted_out_of_email,
    mailing_country_code,
    mailing_country,
    channel,
    motion
from renamed
where not is_excluded
