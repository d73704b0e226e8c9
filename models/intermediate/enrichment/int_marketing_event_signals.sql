-- The scoring signal of each kind of valid marketing event: one row per distinct (event_type,
-- page_url, asset_name), with the seeds/scoring/signal_map.csv row it maps to: of the rows whose
-- event_type matches and whose url_pattern / asset_pattern (when set) match, the lowest priority
-- (then signal) wins; null when none matches. Computed once per kind, not per event (a few
-- thousand kinds against millions of events), and compared by int_marketing_events_changed with
-- what the last build stored, so a signal-map change reaches the events it re-maps.
with

kinds as (

    select distinct
        event_type,
        page_url,
        asset_name
    from {{ ref('stg_marketing__marketing_events') }}

),

signal_map as (

    select * from {{ ref('signal_map') }}

),

matches as (

    select
        kinds.event_type,
        kinds.page_url,
        kinds.asset_name,
        signal_map.signal,
        row_number() over (
            partition by kinds.event_type, kinds.page_url, kinds.asset_name
            order by signal_map.priority, signal_map.signal
        ) as match_rank
    from kinds
    inner join signal_map
        on kinds.event_type = signal_map.event_type
            and (signal_map.url_pattern is null or coalesce(kinds.page_url, '') like signal_map.url_pattern)
            and (signal_map.asset_pattern is null or coalesce(kinds.asset_name, '') like signal_map.asset_pattern)

)

select
    kinds.event_type,
    kinds.page_url,
    kinds.asset_name,
    matches.signal
from kinds
left join matches
    on
        {{ same_event_kind('kinds', 'matches') }}
        and matches.match_rank = 1
