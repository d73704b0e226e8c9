-- Engagements (the parent row of every call, email, meeting, note, task). 1:1 with
-- hubspot.engagement. A column the connector did not sync (a field the portal does not have) is
-- null.
{%- set columns = [
    ('id', 'engagement_id', 'string'),
    ('type', 'engagement_type', 'string'),
] -%}
{%- set source_relation = source('hubspot', 'engagement') %}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    {{ connector_renamed(source_relation, columns) }}

)

select
    engagement_id,
    engagement_type
from renamed
where not is_excluded
