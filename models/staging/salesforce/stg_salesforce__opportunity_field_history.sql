-- Tracked opportunity field changes (OpportunityFieldHistory), not deleted. 1:1 with
-- salesforce.opportunity_field_history. A column the connector did not sync (a field the org does
-- not have) is null.
{%- set columns = [
    ('id', 'history_id', 'string'),
    ('opportunity_id', 'opportunity_id', 'string'),
    ('field', 'field', 'string'),
    ('old_value', 'old_value', 'string'),
    ('new_value', 'new_value', 'string'),
    ('created_date', 'created_at', 'timestamp'),
] -%}
{%- set source_relation = source('salesforce', 'opportunity_field_history') -%}
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
    history_id,
    opportunity_id,
    field,
    old_value,
    new_value,
    created_at
from renamed
where not is_excluded
