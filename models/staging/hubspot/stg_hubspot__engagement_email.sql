-- Logged email engagements (sent by a rep, or received from a contact), not deleted. 1:1 with
-- hubspot.engagement_email. A column the connector did not sync (a field the portal does not have)
-- is null.
{%- set columns = [
    ('engagement_id', 'engagement_id', 'string'),
    ('type', 'email_type', 'string'),
    ('property_hs_email_direction', 'direction', 'string'),
    ('property_hs_timestamp', 'occurred_at', 'timestamp'),
    ('property_hubspot_owner_id', 'owner_id', 'string'),
    ('property_hs_email_subject', 'subject', 'string'),
    ('property_hs_email_text', 'body', 'string'),
] -%}
{%- set source_relation = source('hubspot', 'engagement_email') %}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    {{ connector_renamed(source_relation, columns) }}

)

select
    engagement_id,
    email_type,
    direction,
    occurred_at,
    owner_id,
    subject,
    body
from renamed
where not is_excluded
