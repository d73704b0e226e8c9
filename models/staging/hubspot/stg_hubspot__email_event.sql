-- Marketing email events (sent, delivered, open, click, bounce, …). 1:1 with hubspot.email_event.
-- A column the connector did not sync (a field the portal does not have) is null.
{%- set columns = [
    ('id', 'email_event_id', 'string'),
    ('type', 'event_type', 'string'),
    ('created', 'occurred_at', 'timestamp'),
    ('recipient', 'recipient', 'string'),
    ('email_campaign_id', 'email_campaign_id', 'string'),
    ('filtered_event', 'is_filtered', 'boolean'),
] -%}
{%- set source_relation = source('hubspot', 'email_event') %}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    {{ connector_renamed(source_relation, columns) }}

)

select
    email_event_id,
    event_type,
    occurred_at,
    recipient,
    email_campaign_id,
    is_filtered
from renamed
where not is_excluded
