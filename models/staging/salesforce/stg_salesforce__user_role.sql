-- Roles of the role hierarchy, not deleted. 1:1 with salesforce.user_role. A column the connector
-- did not sync (a field the org does not have) is null.
{%- set columns = [
    ('id', 'user_role_id', 'string'),
    ('name', 'role_name', 'string'),
] -%}
{%- set source_relation = source('salesforce', 'user_role') %}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    {{ connector_renamed(source_relation, columns) }}

)

select
    user_role_id,
    role_name
from renamed
where not is_excluded
