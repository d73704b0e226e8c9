-- Opportunities, not deleted: renamed and typed. 1:1 with salesforce.opportunity. A column the
-- connector did not sync (a field the org does not have) is null.
{#- custom fields: contract meaning -> Salesforce field (override: var salesforce_opportunity_custom_fields) -#}
{%- set custom = {'lost_reason': 'loss_reason__c'} -%}
{%- do custom.update(var('salesforce_opportunity_custom_fields', {})) -%}
{%- set columns = [
    ('id', 'opportunity_id', 'string'),
    ('name', 'opportunity_name', 'string'),
    ('account_id', 'account_id', 'string'),
    ('owner_id', 'owner_id', 'string'),
    ('created_date', 'created_at', 'timestamp'),
    ('last_modified_date', 'updated_at', 'timestamp'),
    ('stage_name', 'stage_name', 'string'),
    ('amount', 'amount', 'number'),
    ('close_date', 'close_date', 'date'),
    ('is_closed', 'is_closed', 'boolean'),
    ('is_won', 'is_won', 'boolean'),
    (custom['lost_reason'], 'lost_reason', 'string'),
] -%}
{%- set source_relation = source('salesforce', 'opportunity') %}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    {{ connector_renamed(source_relation, columns) }}

)

select
    opportunity_id,
    opportunity_name,
    account_id,
    owner_id,
    created_at,
    updated_at,
    stage_name,
    amount,
    close_date,
    is_closed,
    is_won,
    lost_reason
from renamed
where not is_excluded
