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
{%- set source_relation = source('salesforce', 'task') %}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    {{ connector_renamed(source_relation, columns) }}

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
