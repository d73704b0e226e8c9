-- Valid marketing events with the scoring signal each maps to (seeds/scoring/signal_map.csv):
-- the lowest-priority matching row wins; events no row matches get a null signal.
with

base as (

    select * from {{ ref('base_marketing__marketing_events') }}
    where quarantine_reason is null

),

signal_map as (

    select * from {{ ref('signal_map') }}

),

signal_matches as (

    select
        base.event_id,
        signal_map.signal,
        row_number() over (
            partition by base.event_id order by signal_map.priority, signal_map.signal
        ) as match_rank
    from base
    inner join signal_map
        on base.event_type = signal_map.event_type
            and (signal_map.url_pattern is null or coalesce(base.page_url, '') like signal_map.url_pattern)
            and (signal_map.asset_pattern is null or coalesce(base.asset_name, '') like signal_map.asset_pattern)

)

select
    base.event_id,
    base.source_lead_id,
    base.event_type,
    base.page_url,
    base.asset_name,
    base.campaign_id,
    base.occurred_at,
    signal_matches.signal
from base
left join signal_matches on base.event_id = signal_matches.event_id and signal_matches.match_rank = 1
