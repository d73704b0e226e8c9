-- Contract `sales_activities` from Salesforce tasks and events about a lead or contact (WhoId;
-- tasks about an account or opportunity only are not lead activities and are not delivered).
-- activity_type: the task's Type, else its subtype (Call, Email, …); an event is a meeting
-- (its Type, else 'Meeting'). The SDR's decisions and discovery answers are tasks of their own
-- types (e.g. 'SDR Accepted', 'Disqualified', 'Discovery') with the reason code, checklist item
-- and confirmation in custom fields (var salesforce_task_custom_fields).
{%- set text = dbt.type_string() -%}
{%- set iso = "replace(cast(%s as " ~ text ~ "), ' ', 'T')" %}

with

tasks as (

    select * from {{ ref('stg_salesforce__task') }}

),

events as (

    select * from {{ ref('stg_salesforce__event') }}

),

activities as (

    select
        task_id as activity_id,
        who_id as lead_id,
        owner_id as rep_id,
        coalesce(type, task_subtype) as activity_type,
        reason_code,
        description as note,
        checklist_item,
        is_confirmed,
        coalesce(completed_at, created_at) as occurred_at,
        'salesforce.task' as _source_file,
        row_number() over (order by task_id) as _source_row
    from tasks
    where who_id is not null

    union all

    select
        event_id as activity_id,
        who_id as lead_id,
        owner_id as rep_id,
        coalesce(type, 'Meeting') as activity_type,
        cast(null as {{ text }}) as reason_code,
        description as note,
        cast(null as {{ text }}) as checklist_item,
        cast(null as {{ dbt.type_boolean() }}) as is_confirmed,
        coalesce(started_at, created_at) as occurred_at,
        'salesforce.event' as _source_file,
        row_number() over (order by event_id) as _source_row
    from events
    where who_id is not null

)

select
    cast(activity_id as {{ text }}) as activity_id,
    cast(lead_id as {{ text }}) as lead_id,
    cast(rep_id as {{ text }}) as rep_id,
    cast(activity_type as {{ text }}) as activity_type,
    cast(reason_code as {{ text }}) as reason_code,
    cast(note as {{ text }}) as note,
    cast(checklist_item as {{ text }}) as checklist_item,
    cast(is_confirmed as {{ text }}) as is_confirmed,
    {{ iso | format('occurred_at') }} as occurred_at,
    cast(_source_file as {{ text }}) as _source_file,
    -- numbered across the connector tables it unions: by table, then by the row's number in it
    cast(row_number() over (order by _source_file, _source_row) as {{ dbt.type_bigint() }})
        as _source_row
from activities
