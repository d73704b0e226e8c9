-- Deal ↔ company associations. 1:1 with hubspot.deal_company. A column the connector did not sync
-- (a field the portal does not have) is null.
{%- set columns = [
    ('deal_id', 'deal_id', 'string'),
    ('company_id', 'company_id', 'string'),
    ('type_id', 'type_id', 'integer'),
] -%}
{%- set source_relation = source('hubspot', 'deal_company') %}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    {{ connector_renamed(source_relation, columns) }}

)

select
    deal_id,
    company_id,
    type_id
from renamed
where not is_excluded
