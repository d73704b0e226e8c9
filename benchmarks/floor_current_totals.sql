-- The floor: every lead's current total score, written by hand as one query over the staged
-- events, the identity map and the per-lead scoring inputs (the lead's model and attributes).
-- The dbt scoring models compute the whole score history (the ledger: every instant a score
-- changes) and read the current score off its last row; this query computes only the score at
-- as_of, so it is a lower bound for what the scoring models could cost. It must give
-- marts.leads.total_score for every lead (scripts/benchmark.py asserts that).
--
-- DuckDB SQL, run against a build file (it reads staging, intermediate and config tables):
--   set variable as_of = timestamp '2026-11-01 00:00:00';   -- marts.leads.as_of
--   .read benchmarks/floor_fit_matches.sql                   -- the fit rules' matches (a macro)
--   .read benchmarks/floor_current_totals.sql
--
-- The rules (docs/scoring.md, seeds/scoring/): total = clamp(fit + negative + intent, 0, max_score)
--   fit / negative  the points of every rule whose conditions all hold (attributes of the lead)
--   intent          points of the counted events of the last lookback_days (90): an event counts
--                   when it is among the first daily_cap of its lead, signal and UTC day;
--                 + velocity_points while a velocity window is open: a counted high-intent event
--                   with velocity_min_actions (3) counted high-intent events in the
--                   velocity_window_days (7) up to it opens one for lookback_days;
--                 × (1 − decay_rate)^(whole decay_period_days (14) since the last counted event)
with

inputs as (

    select * from intermediate.int_lead_scoring_inputs

),

-- fit and negative rules ------------------------------------------------------------------

fit as (

    select matched.lead_id, sum(rules.points) as fit_points
    from floor_fit_matches() as matched
    inner join config.scoring_fit_rules as rules using (model_id, rule_id)
    group by matched.lead_id

),

-- intent: daily caps, lookback, velocity, decay ---------------------------------------------

events as (

    -- only the whole UTC days that can still count at as_of: the lookback window and the
    -- velocity window before it (an award inside the lookback looks back that far)
    select
        identity.lead_id,
        events.event_id,
        events.signal,
        events.occurred_at,
        rules.points,
        rules.daily_cap,
        rules.is_high_intent,
        inputs.lookback_days,
        inputs.velocity_window_days,
        inputs.velocity_min_actions
    from intermediate.int_marketing_events_enriched as events
    inner join intermediate.int_lead_identity as identity on events.source_lead_id = identity.source_lead_id
    inner join inputs on identity.lead_id = inputs.lead_id
    inner join config.scoring_intent_rules as rules
        on inputs.scoring_model_id = rules.model_id and events.signal = rules.signal
    where
        events.occurred_at <= getvariable('as_of')
        and events.occurred_at
        >= cast(getvariable('as_of') - to_days(inputs.lookback_days + inputs.velocity_window_days) as date)

),

counted as (

    select *
    from events
    qualify row_number() over (
        partition by lead_id, signal, cast(occurred_at as date) order by occurred_at, event_id
    ) <= daily_cap

),

intent as (

    select
        lead_id,
        sum(points) filter (where occurred_at + to_days(lookback_days) > getvariable('as_of')) as base_points,
        max(occurred_at) as last_event_at
    from counted
    group by lead_id

),

velocity as (

    -- the latest award: the (N-1)th earlier counted high-intent event is inside the window
    -- (evaluated on the last of events at the same instant, which counts them all)
    select lead_id, max(occurred_at) as last_award_at
    from (
        select
            lead_id,
            occurred_at,
            velocity_window_days,
            lag(occurred_at, velocity_min_actions - 1) over (
                partition by lead_id order by occurred_at, event_id
            ) as earlier_at
        from counted
        where is_high_intent
    )
    where earlier_at > occurred_at - to_days(velocity_window_days)
    group by lead_id

),

scores as (

    select
        inputs.lead_id,
        inputs.max_score,
        coalesce(fit.fit_points, 0) as fit_points,
        case
            when intent.last_event_at is null then 0
            else
                (
                    coalesce(intent.base_points, 0)
                    + case
                        when velocity.last_award_at + to_days(inputs.lookback_days) > getvariable('as_of')
                            then inputs.velocity_points
                        else 0
                    end
                )
                * power(
                    1 - inputs.decay_rate,
                    floor(
                        date_diff('microsecond', intent.last_event_at, getvariable('as_of'))
                        / (inputs.decay_period_days * 86400000000.0)
                    )
                )
        end as intent_points
    from inputs
    left join fit on inputs.lead_id = fit.lead_id
    left join intent on inputs.lead_id = intent.lead_id
    left join velocity on inputs.lead_id = velocity.lead_id

)

select
    lead_id,
    least(max_score, greatest(0, fit_points + intent_points)) as total_score
from scores
