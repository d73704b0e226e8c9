-- Contract `marketing_events` in the Salesforce shape. Salesforce itself holds no web, email or
-- product engagement (that lives in the marketing-automation tool): every marketing event comes
-- from the contract table beside it, source marketing.marketing_events (schema LEAD_RAW_SCHEMA).

with

source as (

    select * from {{ source('marketing', 'marketing_events') }}

)

select
    event_id,
    lead_id,
    event_type,
    page_url,
    asset_name,
    campaign_id,
    occurred_at,
    _source_file,
    _source_row
from source
