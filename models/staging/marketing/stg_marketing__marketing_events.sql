-- Valid marketing events (the base rows without a quarantine reason). The scoring signal an
-- event maps to is enrichment: int_marketing_events_enriched. Incremental with the base rows: an
-- incremental build replaces the rows of the event ids base_marketing__restaged_events lists.
{{ config_incremental_by_key('base_marketing__restaged_events', 'event_id') }}
with

base as (

    select * from {{ ref('base_marketing__marketing_events') }}
    where quarantine_reason is null and {{ only_restaged_keys('base_marketing__restaged_events', 'event_id') }}

)

select
    event_id,
    source_lead_id,
    event_type,
    page_url,
    asset_name,
    campaign_id,
    occurred_at
from base
