-- Valid marketing events with the scoring signal each maps to (int_marketing_event_signals, from
-- seeds/scoring/signal_map.csv). Enrichment, not staging: the mapping is a scoring rule an analyst
-- edits, so it runs once here and identity (int_marketing_events_resolved) carries it to the
-- person. An incremental build recomputes the events int_marketing_events_changed lists.
{{ config_incremental_by_key('int_marketing_events_changed', 'event_id') }}
with

events as (

    select * from {{ ref('stg_marketing__marketing_events') }}
    where {{ only_restaged_keys('int_marketing_events_changed', 'event_id') }}

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
