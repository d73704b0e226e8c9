-- Note engagements, not deleted; SDR decisions and discovery answers are notes with custom
-- properties. 1:1 with hubspot.engagement_note. A column the connector did not sync (a field the
-- portal does not have) is null.
{#- custom fields: contract meaning -> HubSpot field (override: var hubspot_engagement_note_custom_fields) -#}
{%- set custom = {
    'activity_type': 'property_sales_activity_type',
    'reason_code': 'property_reason_code',
    'checklist_item': 'property_checklist_item',
    'is_confirmed': 'property_is_confirmed',
} -%}
{%- do custom.update(var('hubspot_engagement_note_custom_fields', {})) -%}
{%- set columns = [
    ('engagement_id', 'engagement_id', 'string'),
    ('property_hs_timestamp', 'occurred_at', 'timestamp'),
    ('property_hubspot_owner_id', 'owner_id', 'string'),
    ('property_hs_note_body', 'body', 'string'),
    (custom['activity_type'], 'activity_type', 'string'),
    (custom['reason_code'], 'reason_code', 'string'),
    (custom['checklist_item'], 'checklist_item', 'string'),
    (custom['is_confirmed'], 'is_confirmed', 'boolean'),
] -%}
{%- set source_relation = source('hubspot', 'engagement_note') %}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    {{ connector_renamed(source_relation, columns) }}

)

select
    engagement_id,
    occurred_at,
    owner_id,
    body,
    activity_type,
    reason_code,
    checklist_item,
    is_confirmed
from renamed
where not is_excluded
