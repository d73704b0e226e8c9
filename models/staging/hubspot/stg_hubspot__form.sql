-- Forms, not deleted. 1:1 with hubspot.form. A column the connector did not sync (a field the
-- portal does not have) is null.
{%- set columns = [
    ('guid', 'form_id', 'string'),
    ('name', 'form_name', 'string'),
] -%}
{%- set source_relation = source('hubspot', 'form') %}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    {{ connector_renamed(source_relation, columns) }}

)

select
    form_id,
    form_name
from renamed
where not is_excluded
