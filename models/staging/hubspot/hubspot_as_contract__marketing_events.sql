-- Contract `marketing_events` in the HubSpot shape: what HubSpot records of a contact's
-- engagement, UNION ALL the contract rows HubSpot cannot express.
--   email_event   opens and clicks of marketing emails (types in var hubspot_email_event_types,
--                 default OPEN, CLICK, REPLY; HubSpot's filtered, e.g. bot, events are left out),
--                 event_type = the type; the contact is the one whose email is the recipient
--                 (same spelling first, then ignoring case and spaces; the earliest contact among
--                 several); asset_name = the marketing email's name.
--   contact_form_submission  one event per submission, event_type = the form's name (e.g. 'Demo
--                 Request': map your forms' names in connector_picklist_mappings), page_url and
--                 asset_name = the page and its title.
--   engagement_email  emails received from a contact (INCOMING_EMAIL): email replies.
--   contract marketing_events (raw schema)  every row whose event type HubSpot does not carry
--                 (page views, webinar attendance, product usage, …): types not in var
--                 hubspot_connector_event_types.
{%- set text = dbt.type_string() -%}
{%- set iso = "replace(cast(%s as " ~ text ~ "), ' ', 'T')" -%}
{%- set email_event_types = var('hubspot_email_event_types', ['OPEN', 'CLICK', 'REPLY']) -%}
{%- set connector_event_types = var('hubspot_connector_event_types', [
    'email_open', 'email_click', 'email_reply', 'form_submit', 'demo_request',
    'content_download', 'webinar_registered', 'product_signup',
]) %}

with

email_events as (

    select * from {{ ref('stg_hubspot__email_event') }}

),

email_campaigns as (

    select * from {{ ref('stg_hubspot__email_campaign') }}

),

contacts as (

    select * from {{ ref('stg_hubspot__contact') }}

),

submissions as (

    select * from {{ ref('stg_hubspot__contact_form_submission') }}

),

forms as (

    select * from {{ ref('stg_hubspot__form') }}

),

emails as (

    select * from {{ ref('stg_hubspot__engagement_email') }}

),

engagement_contacts as (

    select
        engagement_id,
        min(contact_id) as contact_id
    from {{ ref('stg_hubspot__engagement_contact') }}
    group by engagement_id

),

contract_events as (

    select * from {{ source('marketing', 'marketing_events') }}

),

delivered_email_event_types as (

    {%- for event_type in email_event_types %}
        select '{{ event_type | upper }}' as event_type
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

connector_event_types as (

    {%- for event_type in connector_event_types %}
        select '{{ event_type }}' as event_type
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

delivered_email_events as (

    select *
    from email_events
    where
        upper(event_type) in (select delivered_email_event_types.event_type from delivered_email_event_types)
        and not coalesce(is_filtered, false)

),

recipients as (

    select
        delivered_email_events.email_event_id,
        contacts.contact_id,
        row_number() over (
            partition by delivered_email_events.email_event_id
            order by
                case when contacts.email = delivered_email_events.recipient then 0 else 1 end,
                contacts.created_at,
                contacts.contact_id
        ) as match_rank
    from delivered_email_events
    inner join contacts on lower(trim(contacts.email)) = lower(trim(delivered_email_events.recipient))

),

events as (

    select
        delivered_email_events.email_event_id as event_id,
        recipients.contact_id as lead_id,
        delivered_email_events.event_type,
        cast(null as {{ text }}) as page_url,
        email_campaigns.email_campaign_name as asset_name,
        cast(null as {{ text }}) as campaign_id,
        {{ iso | format('delivered_email_events.occurred_at') }} as occurred_at,
        'hubspot.email_event' as _source_file,
        row_number() over (order by delivered_email_events.email_event_id) as _source_row
    from delivered_email_events
    left join recipients
        on
            delivered_email_events.email_event_id = recipients.email_event_id
            and recipients.match_rank = 1
    left join email_campaigns on delivered_email_events.email_campaign_id = email_campaigns.email_campaign_id

    union all

    select
        submissions.conversion_id as event_id,
        submissions.contact_id as lead_id,
        coalesce(forms.form_name, 'form_submission') as event_type,
        submissions.page_url,
        submissions.page_title as asset_name,
        cast(null as {{ text }}) as campaign_id,
        {{ iso | format('submissions.submitted_at') }} as occurred_at,
        'hubspot.contact_form_submission' as _source_file,
        row_number() over (order by submissions.conversion_id) as _source_row
    from submissions
    left join forms on submissions.form_id = forms.form_id

    union all

    select
        emails.engagement_id as event_id,
        engagement_contacts.contact_id as lead_id,
        'INCOMING_EMAIL' as event_type,
        cast(null as {{ text }}) as page_url,
        emails.subject as asset_name,
        cast(null as {{ text }}) as campaign_id,
        {{ iso | format('emails.occurred_at') }} as occurred_at,
        'hubspot.engagement_email' as _source_file,
        row_number() over (order by emails.engagement_id) as _source_row
    from emails
    inner join engagement_contacts on emails.engagement_id = engagement_contacts.engagement_id
    where coalesce(emails.direction, emails.email_type) = 'INCOMING_EMAIL'

    union all

    select
        event_id,
        lead_id,
        event_type,
        page_url,
        asset_name,
        campaign_id,
        occurred_at,
        _source_file,
        _source_row
    from contract_events
    where
        {{ normalize_enum('event_type') }} is null
        or {{ normalize_enum('event_type') }} not in (
            select connector_event_types.event_type from connector_event_types
        )

)

select
    cast(event_id as {{ text }}) as event_id,
    cast(lead_id as {{ text }}) as lead_id,
    cast(event_type as {{ text }}) as event_type,
    cast(page_url as {{ text }}) as page_url,
    cast(asset_name as {{ text }}) as asset_name,
    cast(campaign_id as {{ text }}) as campaign_id,
    cast(occurred_at as {{ text }}) as occurred_at,
    cast(_source_file as {{ text }}) as _source_file,
    -- numbered across the connector tables it unions: by table, then by the row's number in it
    cast(row_number() over (order by _source_file, _source_row) as {{ dbt.type_bigint() }})
        as _source_row
from events
