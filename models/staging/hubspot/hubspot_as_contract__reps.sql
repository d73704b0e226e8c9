-- Contract `reps` from HubSpot owners: rep_name = first and last name, role = the name of the
-- owner's user role (e.g. 'Account Executive'), team_id = the user's primary team, is_active from
-- the owner (null where the connector has no such column).
{%- set text = dbt.type_string() %}

with

owners as (

    select * from {{ ref('stg_hubspot__owner') }}

),

users as (

    select * from {{ ref('stg_hubspot__users') }}

),

roles as (

    select * from {{ ref('stg_hubspot__role') }}

)

select
    cast(owners.owner_id as {{ text }}) as rep_id,
    cast(
        trim({{ dbt.concat(["coalesce(owners.first_name, '')", "' '", "coalesce(owners.last_name, '')"]) }})
        as {{ text }}
    ) as rep_name,
    cast(roles.role_name as {{ text }}) as role,
    cast(users.primary_team_id as {{ text }}) as team_id,
    cast(owners.is_active as {{ text }}) as is_active,
    cast('hubspot.owner' as {{ text }}) as _source_file,
    cast(row_number() over (order by owners.owner_id) as {{ dbt.type_bigint() }}) as _source_row
from owners
left join users on owners.user_id = users.user_id
left join roles on users.role_id = roles.role_id
