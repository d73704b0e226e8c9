-- Marketing emails. 1:1 with hubspot.email_campaign. A column the connector did not sync (a field
-- the portal does not have) is null.
{%- set columns = [
    ('id', 'email_campaign_id', 'string'),
    ('name', 'email_campaign_name', 'string'),
    ('subject', 'subject', 'string'),
] -%}
{%- set source_relation = source('hubspot', 'email_campaign') %}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    {{ connector_renamed(source_relation, columns) }}

)

select
    email_campaign_id,
    email_campaign_name,
    subject
from renamed
where not is_excluded
