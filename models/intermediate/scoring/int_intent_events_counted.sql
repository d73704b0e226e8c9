-- Marketing events that score: mapped to a signal the lead's model has an intent rule for,
-- at or before as_of, and within the per-signal daily cap (first N per lead, signal and UTC
-- day, by time then event id). Capped-out events are kept with is_counted = false so the
-- cap is visible in the data. Incremental by lead: a changed lead's events are all counted again.
{{ config_incremental_by_lead() }}
with

events as (

    select * from {{ ref('int_marketing_events_resolved') }}
    where signal is not null and occurred_at <= {{ as_of() }} and {{ only_changed_leads() }}

),

inputs as (

    select
        lead_id,
        scoring_model_id
    from {{ ref('int_lead_scoring_inputs') }}
    where {{ only_changed_leads() }}

),

intent_rules as (

    select * from {{ ref('scoring_intent_rules') }}

),

scored as (

    select
        events.lead_id,
        events.event_id,
        events.signal,
        events.occurred_at,
        intent_rules.points,
        intent_rules.daily_cap,
        intent_rules.is_high_intent,
        intent_rules.label,
        row_number() over (
            partition by events.lead_id, events.signal, cast(events.occurred_at as date)
            order by events.occurred_at, events.event_id
        ) as signal_day_order
    from events
    inner join inputs on events.lead_id = inputs.lead_id
    inner join intent_rules
        on inputs.scoring_model_id = intent_rules.model_id and events.signal = intent_rules.signal

)

select
    lead_id,
    event_id,
    signal,
    occurred_at,
    points,
    is_high_intent,
    label,
    signal_day_order,
    signal_day_order <= daily_cap as is_counted
from scored
