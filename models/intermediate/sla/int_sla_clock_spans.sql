-- When each SLA clock started and stopped: one row per policy whose start event happened for a
-- lead in its scope (motion, segment, and the score band at the start). The clock stops at the
-- first stop event at or after the start; an open clock is measured up to as_of.
-- int_sla_instances turns these spans into due times, elapsed time and a status. Incremental by
-- lead: the leads whose SLA data changed (int_sla_changed_leads.is_data_changed; a lead changed
-- only because as_of moved keeps its spans, and a post-hook moves its open clocks' end to as_of)
-- and the score history's change model (the band at the start).
{%- set changes = ['int_sla_changed_leads:is_data_changed', 'int_scoring_changed_leads'] %}
{{ config_incremental_by_lead(changes) }}
{{ config(post_hook="{{ refresh_open_clock_ends() }}") }}
with

policies as (

    select * from {{ ref('int_sla_policies') }}

),

events as (

    select * from {{ ref('int_lead_sla_events') }}
    where {{ only_changed_leads(changes=changes) }}

),

leads as (

    select * from {{ ref('int_lead_scoring_inputs') }}
    where {{ only_changed_leads(changes=changes) }}

),

routing as (

    select * from {{ ref('int_lead_routing') }}
    where {{ only_changed_leads(changes=changes) }}

),

band_changes as (

    -- the band at an instant is the band of the last band change at or before it (at 1M leads
    -- ~11M ledger rows, of which these are a fraction)
    select
        lead_id,
        change_sequence,
        changed_at,
        band_after
    from {{ ref('int_score_ledger') }}
    where is_band_change and {{ only_changed_leads(changes=changes) }}

),

starts as (

    select
        events.lead_id,
        policies.sla_id,
        policies.sla_name,
        policies.owner_role,
        policies.stop_event,
        policies.target_minutes,
        policies.time_basis,
        policies.band_scope,
        events.event_at as started_at,
        routing.territory_id,
        routing.time_zone,
        routing.owner_rep_id,
        routing.team_id
    from events
    inner join policies on events.event_name = policies.start_event
    inner join leads on events.lead_id = leads.lead_id
    inner join routing on events.lead_id = routing.lead_id
    where
        policies.motion_scope in ('any', leads.motion)
        and policies.segment_scope in ('any', leads.segment)

),

starts_with_bands as (

    -- each start beside the band changes at or before it, the latest first (a start with none
    -- keeps one row with a null band). Ranked in the same pass, not joined back to starts: on
    -- PostgreSQL the join back was planned as a nested loop that re-ran the ranking per start
    -- (9 s of 12 s at 2,000 leads)
    select
        starts.*,
        band_changes.band_after,
        row_number() over (
            partition by starts.lead_id, starts.sla_id, starts.started_at
            order by band_changes.change_sequence desc
        ) as recency
    from starts
    left join band_changes
        on starts.lead_id = band_changes.lead_id and band_changes.changed_at <= starts.started_at

),

scoped as (

    -- the score band at the instant the clock started (hot leads get the faster SLA)
    select
        lead_id,
        sla_id,
        sla_name,
        owner_role,
        stop_event,
        target_minutes,
        time_basis,
        started_at,
        territory_id,
        time_zone,
        owner_rep_id,
        team_id,
        coalesce(band_after, 'nurture') as band_at_start
    from starts_with_bands
    where
        recency = 1
        and (
            band_scope = 'any'
            or (band_scope = 'hot' and band_after = 'hot')
            or (band_scope = 'mql' and coalesce(band_after, 'nurture') != 'hot')
        )

),

scoped_with_stops as (

    -- each clock beside its stop events at or after the start, the first first (same pass, as
    -- above)
    select
        scoped.*,
        events.event_at as stopped_at,
        events.rep_id as stopped_by_rep_id,
        row_number() over (
            partition by scoped.lead_id, scoped.sla_id, scoped.started_at
            order by events.event_at, events.source_id
        ) as stop_order
    from scoped
    left join events
        on
            scoped.lead_id = events.lead_id
            and scoped.stop_event = events.event_name
            and events.event_at >= scoped.started_at

),

clocked as (

    select
        *,
        coalesce(stopped_at, {{ as_of() }}) as measured_until
    from scoped_with_stops
    where stop_order = 1

)

select
    lead_id,
    sla_id,
    sla_name,
    owner_role,
    target_minutes,
    time_basis,
    band_at_start,
    started_at,
    stopped_at,
    stopped_by_rep_id,
    measured_until,
    territory_id,
    time_zone,
    owner_rep_id,
    team_id
from clocked
