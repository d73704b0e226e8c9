-- Contract `reps` from Salesforce users: role = the user's role in the role hierarchy as the org
-- names it (e.g. 'Account Executive'), team_id = a custom field (var
-- salesforce_user_custom_fields). Every user is listed; users who own no lead simply route none.
{%- set text = dbt.type_string() %}

with

users as (

    select * from {{ ref('stg_salesforce__user') }}

),

roles as (

    select * from {{ ref('stg_salesforce__user_role') }}

)

select
    cast(users.user_id as {{ text }}) as rep_id,
    cast(
        coalesce(users.user_name, trim({{ dbt.concat(["coalesce(users.first_name, '')", "' '",
            "coalesce(users.last_name, '')"]) }}))
        as {{ text }}
    ) as rep_name,
    cast(roles.role_name as {{ text }}) as role,
    cast(users.team_id as {{ text }}) as team_id,
    cast(users.is_active as {{ text }}) as is_active,
    cast('salesforce.user' as {{ text }}) as _source_file,
    cast(row_number() over (order by users.user_id) as {{ dbt.type_bigint() }}) as _source_row
from users
left join roles on users.user_role_id = roles.user_role_id
