-- Form submissions of contacts. 1:1 with hubspot.contact_form_submission. A column the connector
-- did not sync (a field the portal does not have) is null.
{%- set columns = [
    ('conversion_id', 'conversion_id', 'string'),
    ('contact_id', 'contact_id', 'string'),
    ('form_id', 'form_id', 'string'),
    ('timestamp', 'submitted_at', 'timestamp'),
    ('page_url', 'page_url', 'string'),
    ('title', 'page_title', 'string'),
] -%}
{%- set source_relation = source('hubspot', 'contact_form_submission') %}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    {{ connector_renamed(source_relation, columns) }}

)

select
    conversion_id,
    contact_id,
    form_id,
    submitted_at,
    page_url,
    page_title
from renamed
where not is_excluded
