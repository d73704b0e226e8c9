-- Deals, not deleted: renamed and typed. 1:1 with hubspot.deal. A column the connector did not
-- sync (a field the portal does not have) is null.
{%- set columns = [
    ('deal_id', 'deal_id', 'string'),
    ('deal_pipeline_id', 'pipeline_id', 'string'),
    ('deal_pipeline_stage_id', 'stage_id', 'string'),
    ('owner_id', 'owner_id', 'string'),
    ('property_dealname', 'deal_name', 'string'),
    ('property_amount', 'amount', 'number'),
    ('property_closedate', 'close_at', 'timestamp'),
    ('property_hs_is_closed', 'is_closed', 'boolean'),
    ('property_createdate', 'created_at', 'timestamp'),
    ('property_closed_lost_reason', 'closed_lost_reason', 'string'),
    ('property_hs_lastmodifieddate', 'updated_at', 'timestamp'),
] -%}
{%- set source_relation = source('hubspot', 'deal') %}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    {{ connector_renamed(source_relation, columns) }}

)

select
    deal_id,
    pipeline_id,
    stage_id,
    owner_id,
    deal_name,
    amount,
    close_at,
    is_closed,
    created_at,
    closed_lost_reason,
    updated_at
from renamed
where not is_excluded
