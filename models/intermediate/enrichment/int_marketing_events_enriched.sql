-- Valid marketing events with the scoring signal each maps to (int_marketing_event_signals, from
-- seeds/scoring/signal_map.csv). Enrichment, not staging: the mapping is a scoring rule an analyst
-- edits, so it runs once here and identity (int_marketing_events_resolved) carries it to the
-- person. A view (one row per valid event: not stored again): int_marketing_events_resolved
-- stores it with the person, for the events int_marketing_events_changed lists.
{{ config(materialized='view') }}
with

events as (

    select * from {{ ref('stg_marketing__marketing_events') }}

),

signals as (

    select * from {{ ref('int_marketing_event_signals') }}

)

select
    events.event_id,
    events.source_lead_id,
    events.event_type,
    events.page_url,
    events.asset_name,
    events.campaign_id,
    events.occurred_at,
    signals.signal
from events
left join signals on {{ same_event_kind('events', 'signals') }}
