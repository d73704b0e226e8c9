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
{%- set source_relation = source('hubspot', 'company') -%}
{%- set present = {} -%}
{%- if execute -%}
    {%- for column in adapter.get_columns_in_relation(source_relation) -%}
        {%- do present.update({column.name | lower: column.name}) -%}
    {%- endfor -%}
{%- endif -%}
{#- soft deletes (is_deleted, _fivetran_deleted) and old history-mode versions -#}
{%- set excluded = [] -%}
{%- for flag, kept in [('is_deleted', 'false'), ('_fivetran_deleted', 'false'), ('_fivetran_active', 'true')] -%}
    {%- if flag in present -%}
        {%- set value = 'coalesce(cast(' ~ adapter.quote(present[flag]) ~ ' as ' ~ dbt.type_boolean() ~ '), ' ~ kept ~ ')' -%}
        {%- do excluded.append(value if kept == 'false' else 'not ' ~ value) -%}
    {%- endif -%}
{%- endfor -%}
{%- set types = {
    'string': dbt.type_string(), 'timestamp': dbt.type_timestamp(), 'date': 'date',
    'boolean': dbt.type_boolean(), 'number': type_double(), 'integer': dbt.type_bigint(),
} %}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    select
        {%- for name, alias, type in columns %}
            {%- set expression = adapter.quote(present[name | lower]) if name | lower in present else 'null' %}
            cast({{ expression }} as {{ types[type] }}) as {{ alias }},
        {%- endfor %}
        {{ excluded | join(' or ') if excluded else 'false' }} as is_excluded
    from source

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
