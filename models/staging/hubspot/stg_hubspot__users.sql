-- HubSpot users with their role and primary team. 1:1 with hubspot.users. A column the connector
-- did not sync (a field the portal does not have) is null.
{%- set columns = [
    ('id', 'user_id', 'string'),
    ('role_id', 'role_id', 'string'),
    ('primary_team_id', 'primary_team_id', 'string'),
    ('email', 'email', 'string'),
] -%}
{%- set source_relation = source('hubspot', 'users') %}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    {{ connector_renamed(source_relation, columns) }}

)

select
    user_id,
    role_id,
    primary_team_id,
    email
from renamed
where not is_excluded
