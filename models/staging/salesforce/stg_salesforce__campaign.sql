-- Campaigns, not deleted: renamed and typed. 1:1 with salesforce.campaign. A column the connector
-- did not sync (a field the org does not have) is null.
{#- custom fields: contract meaning -> Salesforce field (override: var salesforce_campaign_custom_fields) -#}
{%- set custom = {'channel': 'channel__c'} -%}
{%- do custom.update(var('salesforce_campaign_custom_fields', {})) -%}
{%- set columns = [
    ('id', 'campaign_id', 'string'),
    ('name', 'campaign_name', 'string'),
    ('type', 'type', 'string'),
    ('status', 'status', 'string'),
    ('start_date', 'start_date', 'date'),
    ('end_date', 'end_date', 'date'),
    ('is_active', 'is_active', 'boolean'),
    (custom['channel'], 'channel', 'string'),
] -%}
{%- set source_relation = source('salesforce', 'campaign') %}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    {{ connector_renamed(source_relation, columns) }}

)

select
    campaign_id,
    campaign_name,
    type,
    status,
    start_date,
    end_date,
    is_active,
    channel
from renamed
where not is_excluded
