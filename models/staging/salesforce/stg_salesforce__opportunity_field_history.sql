-- Tracked opportunity field changes (OpportunityFieldHistory), not deleted. 1:1 with
-- salesforce.opportunity_field_history. A column the connector did not sync (a field the org does
-- not have) is null.
{%- set columns = [
    ('id', 'history_id', 'string'),
    ('opportunity_id', 'opportunity_id', 'string'),
    ('field', 'field', 'string'),
    ('old_value', 'old_value', 'string'),
    ('new_value', 'new_value', 'string'),
    ('created_date', 'created_at', 'timestamp'),
] -%}
{%- set source_relation = source('salesforce', 'opportunity_field_history') %}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    {{ connector_renamed(source_relation, columns) }}

)

select
    history_id,
    opportunity_id,
    field,
    old_value,
    new_value,
    created_at
from renamed
where not is_excluded
