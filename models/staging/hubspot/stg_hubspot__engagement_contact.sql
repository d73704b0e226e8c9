-- Engagement ↔ contact associations. 1:1 with hubspot.engagement_contact. A column the connector
-- did not sync (a field the portal does not have) is null.
{%- set columns = [
    ('engagement_id', 'engagement_id', 'string'),
    ('contact_id', 'contact_id', 'string'),
] -%}
{%- set source_relation = source('hubspot', 'engagement_contact') %}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    {{ connector_renamed(source_relation, columns) }}

)

select
    engagement_id,
    contact_id
from renamed
where not is_excluded
