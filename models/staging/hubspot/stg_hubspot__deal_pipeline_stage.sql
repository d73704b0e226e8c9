-- Stages of the deal pipelines, not deleted. 1:1 with hubspot.deal_pipeline_stage. A column the
-- connector did not sync (a field the portal does not have) is null.
{%- set columns = [
    ('stage_id', 'stage_id', 'string'),
    ('pipeline_id', 'pipeline_id', 'string'),
    ('label', 'label', 'string'),
    ('is_closed', 'is_closed', 'boolean'),
    ('closed_won', 'is_closed_won', 'boolean'),
    ('display_order', 'display_order', 'integer'),
] -%}
{%- set source_relation = source('hubspot', 'deal_pipeline_stage') %}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    {{ connector_renamed(source_relation, columns) }}

)

select
    stage_id,
    pipeline_id,
    label,
    is_closed,
    is_closed_won,
    display_order
from renamed
where not is_excluded
