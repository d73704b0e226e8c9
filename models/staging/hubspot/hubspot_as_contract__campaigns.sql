-- Contract `campaigns` in the HubSpot shape. HubSpot's campaigns carry no lead source or channel:
-- the contract table beside it. Read from source marketing.campaigns (schema LEAD_RAW_SCHEMA),
-- loaded beside the connector schema.

with

source as (

    select * from {{ source('marketing', 'campaigns') }}

)

select
    campaign_id,
    campaign_name,
    lead_source,
    channel,
    started_at,
    ended_at,
    _source_file,
    _source_row
from source
