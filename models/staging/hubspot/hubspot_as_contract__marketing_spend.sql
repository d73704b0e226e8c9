-- Contract `marketing_spend` in the HubSpot shape. HubSpot has no marketing spend: the contract
-- table beside it. Read from source marketing.marketing_spend (schema LEAD_RAW_SCHEMA), loaded
-- beside the connector schema.

with

source as (

    select * from {{ source('marketing', 'marketing_spend') }}

)

select
    spend_id,
    spend_month,
    lead_source,
    channel,
    amount,
    _source_file,
    _source_row
from source
