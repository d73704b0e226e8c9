-- Users, not deleted: renamed and typed. 1:1 with salesforce.user. A column the connector did not
-- sync (a field the org does not have) is null.
{#- custom fields: contract meaning -> Salesforce field (override: var salesforce_user_custom_fields) -#}
{%- set custom = {'team_id': 'team_id__c'} -%}
{%- do custom.update(var('salesforce_user_custom_fields', {})) -%}
{%- set columns = [
    ('id', 'user_id', 'string'),
    ('name', 'user_name', 'string'),
    ('first_name', 'first_name', 'string'),
    ('last_name', 'last_name', 'string'),
    ('email', 'email', 'string'),
    ('is_active', 'is_active', 'boolean'),
    ('user_role_id', 'user_role_id', 'string'),
    (custom['team_id'], 'team_id', 'string'),
] -%}
{%- set source_relation = source('salesforce', 'user') %}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    {{ connector_renamed(source_relation, columns) }}

)

select
    user_id,
    user_name,
    first_name,
    last_name,
    email,
    is_active,
    user_role_id,
    team_id
from renamed
where not is_excluded
