-- Campaign members (a lead or contact on a campaign), not deleted. 1:1 with
-- salesforce.campaign_member. A column the connector did not sync (a field the org does not have)
-- is null.
{%- set columns = [
    ('id', 'campaign_member_id', 'string'),
    ('campaign_id', 'campaign_id', 'string'),
    ('lead_id', 'lead_id', 'string'),
    ('contact_id', 'contact_id', 'string'),
    ('status', 'status', 'string'),
    ('has_responded', 'has_responded', 'boolean'),
    ('created_date', 'created_at', 'timestamp'),
] -%}
{%- set source_relation = source('salesforce', 'campaign_member') %}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    {{ connector_renamed(source_relation, columns) }}

)

select
    campaign_member_id,
    campaign_id,
    lead_id,
    contact_id,
    status,
    has_responded,
    created_at
from renamed
where not is_excluded
