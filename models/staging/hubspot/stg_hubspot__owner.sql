-- Owners (the users records are assigned to), not deleted. 1:1 with hubspot.owner. A column the
-- connector did not sync (a field the portal does not have) is null.
{%- set columns = [
    ('owner_id', 'owner_id', 'string'),
    ('first_name', 'first_name', 'string'),
    ('last_name', 'last_name', 'string'),
    ('email', 'email', 'string'),
    ('type', 'owner_type', 'string'),
    ('is_active', 'is_active', 'boolean'),
    ('active_user_id', 'user_id', 'string'),
] -%}
{%- set source_relation = source('hubspot', 'owner') %}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    {{ connector_renamed(source_relation, columns) }}

)

select
    owner_id,
    first_name,
    last_name,
    email,
    owner_type,
    is_active,
    user_id
from renamed
where not is_excluded
