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
{%- set source_relation = source('salesforce', 'account') -%}
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
