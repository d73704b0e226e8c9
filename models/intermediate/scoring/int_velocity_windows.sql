-- Velocity bonus: a counted high-intent event is an award when at least N counted high-intent
-- events (itself included) fall in the W days up to it. The bonus is active for L (lookback)
-- days after each award; overlapping awards merge into one window, so the bonus never stacks.
{{ config_incremental_by_lead() }}
with

high_intent as (

    select
        lead_id,
        event_id,
        occurred_at
    from {{ ref('int_intent_events_counted') }}
    where is_counted and is_high_intent and {{ only_changed_leads() }}

),

params as (

    select
        lead_id,
        velocity_window_days,
        velocity_min_actions,
        lookback_days
    from {{ ref('int_lead_scoring_inputs') }}
    where {{ only_changed_leads() }}

),

awards as (

    select
        award.lead_id,
        award.event_id,
        award.occurred_at,
        params.lookback_days
    from high_intent as award
    inner join params on award.lead_id = params.lead_id
    inner join high_intent as earlier
        on award.lead_id = earlier.lead_id
            and earlier.occurred_at <= award.occurred_at
            and earlier.occurred_at > {{ dbt.dateadd('day', '-1 * params.velocity_window_days', 'award.occurred_at') }}
    group by award.lead_id, award.event_id, award.occurred_at, params.lookback_days, params.velocity_min_actions
    having count(*) >= params.velocity_min_actions

),

flagged as (

    select
        *,
        case
            when lag(occurred_at) over (partition by lead_id order by occurred_at, event_id) is null then 1
            when occurred_at > {{ dbt.dateadd(
                'day', 'lookback_days',
                'lag(occurred_at) over (partition by lead_id order by occurred_at, event_id)') }} then 1
            else 0
        end as starts_window
    from awards

),

numbered as (

    select
        *,
        sum(starts_window) over (
            partition by lead_id order by occurred_at, event_id rows between unbounded preceding and current row
        ) as window_number
    from flagged

)

select
    lead_id,
    window_number,
    min(occurred_at) as started_at,
    {{ dbt.dateadd('day', 'min(lookback_days)', 'max(occurred_at)') }} as ended_at,
    min(event_id) as first_award_event_id,
    max(event_id) as last_award_event_id,
    count(*) as award_count
from numbered
group by lead_id, window_number
