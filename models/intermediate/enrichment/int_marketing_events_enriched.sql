-- Valid marketing events with the scoring signal each maps to (seeds/scoring/signal_map.csv):
-- the lowest-priority matching row wins; events no row matches get a null signal. Enrichment,
-- not staging: the mapping is a scoring rule an analyst edits, so it runs once here and
-- identity (int_marketing_events_resolved) carries it to the person.
with

events as (

    select * from {{ ref('stg_marketing__marketing_events') }}

),

signal_map as (

    select * from {{ ref('signal_map') }}

),

signal_matches as (

    select
        events.event_id,
        signal_map.signal,
        row_number() over (
            partition by events.event_id order by signal_map.priority, signal_map.signal
        ) as match_rank
    from events
    inner join signal_map
        on events.event_type = signal_map.event_type
            and (signal_map.url_pattern is null or coalesce(events.page_url, '') like signal_map.url_pattern)
            and (signal_map.asset_pattern is null or coalesce(events.asset_name, '') like signal_map.asset_pattern)

)

select
    events.event_id,
    events.source_lead_id,
    events.event_type,
    events.page_url,
    events.asset_name,
    events.campaign_id,
    events.occurred_at,
    signal_matches.signal
from events
left join signal_matches on events.event_id = signal_matches.event_id and signal_matches.match_rank = 1
