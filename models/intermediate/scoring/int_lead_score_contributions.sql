-- What makes up each lead's score at as_of: one row per matched fit/negative rule, per
-- intent signal still inside the lookback window (count and decayed points), and the
-- velocity bonus when a window is open. Their points add up to fit + negative + intent.
{{ config_incremental_by_lead() }}
with

inputs as (

    select * from {{ ref('int_lead_scoring_inputs') }}
    where {{ only_changed_leads() }}

),

fit_matches as (

    select * from {{ ref('int_lead_fit_rule_matches') }}
    where {{ only_changed_leads() }}

),

counted as (

    select * from {{ ref('int_intent_events_counted') }}
    where is_counted and {{ only_changed_leads() }}

),

velocity as (

    select * from {{ ref('int_velocity_windows') }}
    where started_at <= {{ as_of() }} and ended_at > {{ as_of() }} and {{ only_changed_leads() }}

),

in_window as (

    -- the counted events still inside their lead's lookback window: the only ones that
    -- contribute, and the latest counted event of every lead with a contribution (an open
    -- velocity window ends a lookback after its last award), which decay runs from
    select
        counted.lead_id,
        counted.signal,
        counted.label,
        counted.points,
        counted.occurred_at
    from counted
    inner join inputs on counted.lead_id = inputs.lead_id
    where {{ dbt.dateadd('day', 'inputs.lookback_days', 'counted.occurred_at') }} > {{ as_of() }}

),

decay as (

    select
        in_window.lead_id,
        power(
            1 - inputs.decay_rate,
            floor(
                {{ dbt.datediff('max(in_window.occurred_at)', as_of(), 'microsecond') }}
                / (inputs.decay_period_days * 86400000000.0)
            )
        ) as decay_factor
    from in_window
    inner join inputs on in_window.lead_id = inputs.lead_id
    group by in_window.lead_id, inputs.decay_rate, inputs.decay_period_days

),

intent_signals as (

    select
        in_window.lead_id,
        'intent' as dimension,
        in_window.signal as reason_key,
        min(in_window.label) as label,
        count(*) as event_count,
        sum(in_window.points) * min(decay.decay_factor) as points
    from in_window
    inner join decay on in_window.lead_id = decay.lead_id
    group by in_window.lead_id, in_window.signal

),

velocity_bonus as (

    select
        velocity.lead_id,
        'velocity' as dimension,
        'velocity' as reason_key,
        {{ dbt.concat([
            "'velocity: '", "cast(inputs.velocity_min_actions as " ~ dbt.type_string() ~ ")",
            "'+ high-intent actions in '", "cast(inputs.velocity_window_days as " ~ dbt.type_string() ~ ")", "'d'"
        ]) }} as label,
        velocity.award_count as event_count,
        inputs.velocity_points * decay.decay_factor as points
    from velocity
    inner join inputs on velocity.lead_id = inputs.lead_id
    inner join decay on velocity.lead_id = decay.lead_id

),

fit_rules as (

    select
        lead_id,
        dimension,
        rule_id as reason_key,
        label,
        1 as event_count,
        points
    from fit_matches

)

select * from fit_rules
union all
select * from intent_signals
union all
select * from velocity_bonus
