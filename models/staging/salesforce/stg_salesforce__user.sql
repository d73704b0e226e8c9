-- Users, not deleted: renamed and typed. 1:1 with salesforce.user. A column the connector did not
-- sync (a field the org does not have) is null.
{#- custom fields: contract meaning -> Salesforce field (override: var salesforce_user_custom_fields) -#}
{%- set custom = {'team_id': 'team_id__c'} -%}
{%- do custom.update(var('salesforce_user_custom_fields', {})) -%}
{%- set columns = [
    ('id', 'user_id', 'string'),
    ('name', 'user_name', 'string'),
    ('first_name', 'first_name', 'string'),
    ('last_name', 'last_name', 'string'),
    ('email', 'email', 'string'),
    ('is_active', 'is_active', 'boolean'),
    ('user_role_id', 'user_role_id', 'string'),
    (custom['team_id'], 'team_id', 'string'),
] -%}
{%- set source_relation = source('salesforce', 'user') -%}
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
    user_id,
    user_name,
    first_name,
    last_name,
    email,
    is_active,
    user_role_id,
    team_id
from renamed
where not is_excluded
