-- Accounts (Account object), not deleted: renamed and typed. 1:1 with salesforce.account. A column
-- the connector did not sync (a field the org does not have) is null.
{#- custom fields: contract meaning -> Salesforce field (override: var salesforce_account_custom_fields) -#}
{%- set custom = {'region': 'region__c', 'tech_stack': 'tech_stack__c'} -%}
{%- do custom.update(var('salesforce_account_custom_fields', {})) -%}
{%- set columns = [
    ('id', 'account_id', 'string'),
    ('name', 'account_name', 'string'),
    ('website', 'website', 'string'),
    ('industry', 'industry', 'string'),
    ('number_of_employees', 'employee_count', 'integer'),
    ('annual_revenue', 'annual_revenue', 'number'),
    ('billing_country_code', 'billing_country_code', 'string'),
    ('billing_country', 'billing_country', 'string'),
    ('last_modified_date', 'updated_at', 'timestamp'),
    (custom['region'], 'region', 'string'),
    (custom['tech_stack'], 'tech_stack', 'string'),
] -%}
{%- set source_relation = source('salesforce', 'account') %}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    {{ connector_renamed(source_relation, columns) }}

)

select
    account_id,
    account_name,
    website,
    industry,
    employee_count,
    annual_revenue,
    billing_country_code,
    billing_country,
    updated_at,
    region,
    tech_stack
from renamed
where not is_excluded
