-- Companies, not deleted: renamed and typed. 1:1 with hubspot.company. A column the connector did
-- not sync (a field the portal does not have) is null.
{#- custom fields: contract meaning -> HubSpot field (override: var hubspot_company_custom_fields) -#}
{%- set custom = {'region': 'property_region'} -%}
{%- do custom.update(var('hubspot_company_custom_fields', {})) -%}
{%- set columns = [
    ('id', 'company_id', 'string'),
    ('property_name', 'company_name', 'string'),
    ('property_domain', 'domain', 'string'),
    ('property_industry', 'industry', 'string'),
    ('property_numberofemployees', 'employee_count', 'integer'),
    ('property_annualrevenue', 'annual_revenue', 'number'),
    ('property_country', 'country', 'string'),
    ('property_web_technologies', 'web_technologies', 'string'),
    ('property_hs_lastmodifieddate', 'updated_at', 'timestamp'),
    (custom['region'], 'region', 'string'),
] -%}
{%- set source_relation = source('hubspot', 'company') %}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    {{ connector_renamed(source_relation, columns) }}

)

select
    company_id,
    company_name,
    domain,
    industry,
    employee_count,
    annual_revenue,
    country,
    web_technologies,
    updated_at,
    region
from renamed
where not is_excluded
