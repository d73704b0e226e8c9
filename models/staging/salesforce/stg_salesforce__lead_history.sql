-- Tracked lead field changes (LeadHistory), not deleted: Status, Owner, leadConverted, … 1:1 with
-- salesforce.lead_history. A column the connector did not sync (a field the org does not have) is
-- null.
{%- set columns = [
    ('id', 'history_id', 'string'),
    ('lead_id', 'lead_id', 'string'),
    ('field', 'field', 'string'),
    ('old_value', 'old_value', 'string'),
    ('new_value', 'new_value', 'string'),
    ('created_date', 'created_at', 'timestamp'),
] -%}
{%- set source_relation = source('salesforce', 'lead_history') %}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    {{ connector_renamed(source_relation, columns) }}

)

select
    history_id,
    lead_id,
    field,
    old_value,
    new_value,
    created_at
from renamed
where not is_excluded
