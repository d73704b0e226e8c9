-- Call engagements, not deleted. 1:1 with hubspot.engagement_call. A column the connector did not
-- sync (a field the portal does not have) is null.
{%- set columns = [
    ('engagement_id', 'engagement_id', 'string'),
    ('property_hs_timestamp', 'occurred_at', 'timestamp'),
    ('property_hubspot_owner_id', 'owner_id', 'string'),
    ('property_hs_call_body', 'body', 'string'),
] -%}
{%- set source_relation = source('hubspot', 'engagement_call') %}

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
    body
from renamed
where not is_excluded
