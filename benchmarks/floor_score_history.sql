-- The history floor: every lead's score after every change up to as_of, written by hand as one
-- query over the same inputs as floor_current_totals.sql. It gives one row per row of
-- intermediate.int_score_ledger (fit and negative rules at creation, counted intent events,
-- their expiry, velocity windows opening and closing, decay steps), with the same score_after:
-- scripts/benchmark.py asserts both. It is the lower bound for what the ledger (the scoring
-- models' full history, not only the current total) could cost.
--
-- DuckDB SQL, run against a build file:
--   set variable as_of = timestamp '2026-11-01 00:00:00';   -- marts.leads.as_of
--   .read benchmarks/floor_fit_matches.sql                   -- the fit rules' matches (a macro)
--   .read benchmarks/floor_score_history.sql
--
-- The rules are floor_current_totals.sql's; over a lead's history the score after a change is
--   clamp(fit sum + intent, 0, max_score), intent = (points of the counted events not yet expired
--   + velocity_points while a velocity window is open) × (1 − decay_rate)^(whole decay periods
--   since the last counted event), in the order changed_at, then type (fit 1, negative 2,
--   expiry 3, intent 4, velocity 5, decay 6), then source id (docs/scoring.md, "The score ledger").
with

inputs as (

    select * from intermediate.int_lead_scoring_inputs

),

-- fit and negative rules: matched at creation --------------------------------------------

fit_changes as (

    select
        matched.lead_id,
        inputs.created_at as changed_at,
        case when rules.dimension = 'fit' then 1 else 2 end as type_order,
        rules.rule_id as source_id,
        rules.points as fit_delta,
        0 as base_delta,
        0 as velocity_delta,
        false as is_event
    from floor_fit_matches() as matched
    inner join config.scoring_fit_rules as rules using (model_id, rule_id)
    inner join inputs on matched.lead_id = inputs.lead_id

),

-- intent: every counted event up to as_of, its expiry, velocity windows, decay ---------------

counted as (

    -- the first daily_cap events of a lead, signal and UTC day, each with the next one's instant
    -- (until which its decay steps run)
    select
        *,
        lead(occurred_at) over (partition by lead_id order by occurred_at, event_id) as next_event_at
    from (
        select
            identity.lead_id,
            events.event_id,
            events.occurred_at,
            rules.points,
            rules.is_high_intent,
            inputs.lookback_days,
            inputs.velocity_window_days,
            inputs.velocity_min_actions
        from intermediate.int_marketing_events_enriched as events
        inner join intermediate.int_lead_identity as identity on events.source_lead_id = identity.source_lead_id
        inner join inputs on identity.lead_id = inputs.lead_id
        inner join config.scoring_intent_rules as rules
            on inputs.scoring_model_id = rules.model_id and events.signal = rules.signal
        where events.occurred_at <= getvariable('as_of')
        qualify row_number() over (
            partition by identity.lead_id, events.signal, cast(events.occurred_at as date)
            order by events.occurred_at, events.event_id
        ) <= rules.daily_cap
    )

),

awards as (

    -- an award: N counted high-intent events in the W days up to it, those at its instant
    -- included (the instant's last event in the lead's order sees them all)
    select lead_id, event_id, occurred_at, lookback_days
    from (
        select
            *,
            max(earlier_at) over (partition by lead_id, occurred_at) as instant_earlier_at
        from (
            select
                *,
                lag(occurred_at, velocity_min_actions - 1) over (
                    partition by lead_id order by occurred_at, event_id
                ) as earlier_at
            from counted
            where is_high_intent
        )
    )
    where instant_earlier_at > occurred_at - to_days(velocity_window_days)

),

velocity_windows as (

    -- awards within the lookback of the one before merge into one window, which closes
    -- lookback_days after its last award
    select
        lead_id,
        min(occurred_at) as started_at,
        max(occurred_at) + to_days(min(lookback_days)) as ended_at,
        min(event_id) as first_award_event_id,
        max(event_id) as last_award_event_id
    from (
        select
            *,
            sum(starts_window) over (partition by lead_id order by occurred_at, event_id) as window_number
        from (
            select
                *,
                case
                    when previous_award_at is null or occurred_at > previous_award_at + to_days(lookback_days)
                        then 1
                    else 0
                end as starts_window
            from (
                select
                    *,
                    lag(occurred_at) over (partition by lead_id order by occurred_at, event_id) as previous_award_at
                from awards
            )
        )
    )
    group by lead_id, window_number

),

decay_steps as (

    -- each model's steps k = 1, 2, … while something is left to decay (k · period < lookback)
    select models.model_id, steps.step, steps.step * models.decay_period_days as days
    from config.scoring_models as models
    inner join range(1, 400) as steps (step) on steps.step * models.decay_period_days < models.lookback_days

),

decay_changes as (

    -- decay restarts at each instant with a counted event (its last event stands for it) and
    -- steps until the next instant with one
    select
        lead_id,
        changed_at,
        6 as type_order,
        'decay-' || step as source_id,
        0 as fit_delta,
        0 as base_delta,
        0 as velocity_delta,
        false as is_event
    from (
        select
            counted.lead_id,
            counted.next_event_at,
            decay_steps.step,
            counted.occurred_at + to_days(decay_steps.days) as changed_at
        from counted
        inner join inputs on counted.lead_id = inputs.lead_id
        inner join decay_steps on inputs.scoring_model_id = decay_steps.model_id
        where counted.next_event_at is null or counted.next_event_at > counted.occurred_at
    )
    where changed_at <= getvariable('as_of') and (next_event_at is null or changed_at < next_event_at)

),

changes as (

    select * from fit_changes

    union all

    select lead_id, occurred_at, 4, event_id, 0, points, 0, true from counted

    union all

    select lead_id, occurred_at + to_days(lookback_days), 3, event_id, 0, -points, 0, false
    from counted
    where occurred_at + to_days(lookback_days) <= getvariable('as_of')

    union all

    select lead_id, started_at, 5, first_award_event_id, 0, 0, 1, false from velocity_windows

    union all

    select lead_id, ended_at, 5, last_award_event_id, 0, 0, -1, false
    from velocity_windows
    where ended_at <= getvariable('as_of')

    union all

    select * from decay_changes

),

running as (

    select
        lead_id,
        changed_at,
        type_order,
        source_id,
        sum(cast(fit_delta as decimal(18, 6))) over lead_history as fit_sum,
        sum(cast(base_delta as decimal(18, 6))) over lead_history as base_sum,
        sum(velocity_delta) over lead_history as velocity_windows_open,
        max(case when is_event then changed_at end) over lead_history as last_event_at
    from changes
    window lead_history as (
        partition by lead_id order by changed_at, type_order, source_id
        rows between unbounded preceding and current row
    )

)

select
    running.lead_id,
    running.changed_at,
    running.type_order,
    running.source_id,
    least(
        inputs.max_score,
        greatest(
            0,
            cast(running.fit_sum as double)
            + case
                when running.last_event_at is null then 0
                else
                    (
                        cast(running.base_sum as double)
                        + case when running.velocity_windows_open > 0 then inputs.velocity_points else 0 end
                    )
                    * power(
                        1 - inputs.decay_rate,
                        floor(
                            date_diff('microsecond', running.last_event_at, running.changed_at)
                            / (inputs.decay_period_days * 86400000000.0)
                        )
                    )
            end
        )
    ) as score_after
from running
inner join inputs on running.lead_id = inputs.lead_id
