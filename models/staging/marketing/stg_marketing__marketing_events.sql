-- Valid marketing events (the base rows without a quarantine reason). The scoring signal an
-- event maps to is enrichment: int_marketing_events_enriched. A view: the base rows are the
-- largest table of the build (one row per raw event), so they are not stored twice; readers of
-- a few events (int_marketing_events_enriched in an incremental build) filter it by event_id.
{{ config(materialized='view') }}
with

base as (

    select * from {{ ref('base_marketing__marketing_events') }}
    where quarantine_reason is null

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
