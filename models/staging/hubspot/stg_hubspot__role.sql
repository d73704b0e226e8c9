-- User roles. 1:1 with hubspot.role. A column the connector did not sync (a field the portal does
-- not have) is null.
{%- set columns = [
    ('id', 'role_id', 'string'),
    ('name', 'role_name', 'string'),
] -%}
{%- set source_relation = source('hubspot', 'role') %}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    {{ connector_renamed(source_relation, columns) }}

)

select
    role_id,
    role_name
from renamed
where not is_excluded
