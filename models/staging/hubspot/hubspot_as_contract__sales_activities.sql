-- Contract `sales_activities` from HubSpot engagements with a contact: calls, emails a rep sent
-- (direction EMAIL) and meetings, typed CALL / EMAIL / MEETING, and notes that record an SDR
-- decision or a discovery answer: a note whose custom activity-type property is set (var
-- hubspot_engagement_note_custom_fields), typed by it (e.g. 'Accepted', 'Discovery') with the
-- reason code, checklist item and confirmation from custom properties. Other notes, tasks and
-- received emails (those are marketing events: email_reply) are not sales activities, nor is an
-- engagement with no contact (about a company or deal only).
-- lead_id: the associated contact (the lowest contact id where there are several).
{%- set text = dbt.type_string() -%}
{%- set iso = "replace(cast(%s as " ~ text ~ "), ' ', 'T')" %}

with

engagements as (

    select * from {{ ref('stg_hubspot__engagement') }}

),

calls as (

    select * from {{ ref('stg_hubspot__engagement_call') }}

),

emails as (

    select * from {{ ref('stg_hubspot__engagement_email') }}

),

meetings as (

    select * from {{ ref('stg_hubspot__engagement_meeting') }}

),

notes as (

    select * from {{ ref('stg_hubspot__engagement_note') }}

),

engagement_contacts as (

    select
        engagement_id,
        min(contact_id) as contact_id
    from {{ ref('stg_hubspot__engagement_contact') }}
    group by engagement_id

),

activities as (

    select
        calls.engagement_id,
        coalesce(engagements.engagement_type, 'CALL') as activity_type,
        calls.owner_id,
        calls.body as note,
        cast(null as {{ text }}) as reason_code,
        cast(null as {{ text }}) as checklist_item,
        cast(null as {{ dbt.type_boolean() }}) as is_confirmed,
        calls.occurred_at,
        'hubspot.engagement_call' as _source_file,
        row_number() over (order by calls.engagement_id) as _source_row
    from calls
    left join engagements on calls.engagement_id = engagements.engagement_id

    union all

    select
        emails.engagement_id,
        coalesce(emails.direction, emails.email_type, engagements.engagement_type, 'EMAIL') as activity_type,
        emails.owner_id,
        emails.body as note,
        cast(null as {{ text }}) as reason_code,
        cast(null as {{ text }}) as checklist_item,
        cast(null as {{ dbt.type_boolean() }}) as is_confirmed,
        emails.occurred_at,
        'hubspot.engagement_email' as _source_file,
        row_number() over (order by emails.engagement_id) as _source_row
    from emails
    left join engagements on emails.engagement_id = engagements.engagement_id
    where coalesce(emails.direction, emails.email_type, engagements.engagement_type, 'EMAIL') = 'EMAIL'

    union all

    select
        meetings.engagement_id,
        coalesce(engagements.engagement_type, 'MEETING') as activity_type,
        meetings.owner_id,
        meetings.body as note,
        cast(null as {{ text }}) as reason_code,
        cast(null as {{ text }}) as checklist_item,
        cast(null as {{ dbt.type_boolean() }}) as is_confirmed,
        meetings.occurred_at,
        'hubspot.engagement_meeting' as _source_file,
        row_number() over (order by meetings.engagement_id) as _source_row
    from meetings
    left join engagements on meetings.engagement_id = engagements.engagement_id

    union all

    select
        engagement_id,
        activity_type,
        owner_id,
        body as note,
        reason_code,
        checklist_item,
        is_confirmed,
        occurred_at,
        'hubspot.engagement_note' as _source_file,
        row_number() over (order by engagement_id) as _source_row
    from notes
    where activity_type is not null

)

select
    cast(activities.engagement_id as {{ text }}) as activity_id,
    cast(engagement_contacts.contact_id as {{ text }}) as lead_id,
    cast(activities.owner_id as {{ text }}) as rep_id,
    cast(activities.activity_type as {{ text }}) as activity_type,
    cast(activities.reason_code as {{ text }}) as reason_code,
    cast(activities.note as {{ text }}) as note,
    cast(activities.checklist_item as {{ text }}) as checklist_item,
    cast(activities.is_confirmed as {{ text }}) as is_confirmed,
    {{ iso | format('activities.occurred_at') }} as occurred_at,
    cast(activities._source_file as {{ text }}) as _source_file,
    -- numbered across the connector tables it unions: by table, then by the row's number in it
    cast(row_number() over (order by activities._source_file, activities._source_row) as {{ dbt.type_bigint() }})
        as _source_row
from activities
inner join engagement_contacts on activities.engagement_id = engagement_contacts.engagement_id
