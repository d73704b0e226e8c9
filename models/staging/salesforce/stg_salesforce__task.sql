-- Tasks (calls, emails, logged activities), not deleted: renamed and typed. 1:1 with
-- salesforce.task. A column the connector did not sync (a field the org does not have) is null.
{#- custom fields: contract meaning -> Salesforce field (override: var salesforce_task_custom_fields) -#}
{%- set custom = {
    'reason_code': 'reason_code__c',
    'checklist_item': 'checklist_item__c',
    'is_confirmed': 'is_confirmed__c',
} -%}
{%- do custom.update(var('salesforce_task_custom_fields', {})) -%}
{%- set columns = [
    ('id', 'task_id', 'string'),
    ('who_id', 'who_id', 'string'),
    ('owner_id', 'owner_id', 'string'),
    ('type', 'type', 'string'),
    ('task_subtype', 'task_subtype', 'string'),
    ('subject', 'subject', 'string'),
    ('description', 'description', 'string'),
    ('status', 'status', 'string'),
    ('created_date', 'created_at', 'timestamp'),
    ('completed_date_time', 'completed_at', 'timestamp'),
    ('activity_date', 'activity_date', 'date'),
    (custom['reason_code'], 'reason_code', 'string'),
    (custom['checklist_item'], 'checklist_item', 'string'),
    (custom['is_confirmed'], 'is_confirmed', 'boolean'),
] -%}
{%- set source_relation = source('salesforce', 'task') -%}
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
    task_id,
    who_id,
    owner_id,
    type,
    task_subtype,
    subject,
    description,
    status,
    created_at,
    completed_at,
    activity_date,
    reason_code,
    checklist_item,
    is_confirmed
from renamed
where not is_excluded
