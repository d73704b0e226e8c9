-- When each lead's score next changes without new data, after as_of: the first expiry of an event
-- it counts (the lookback window ends, and any velocity window with it) or its next decay step,
-- whichever comes first; leads with neither have no row. int_scoring_changed_leads reads this as
-- the last build left it: a lead whose next change has come by the new as_of is recomputed
-- (`schedule`). Incremental by lead: a lead's counted events, and so its schedule, only change
-- when its score history is recomputed, so the other leads keep their row (their next change
-- is still after this as_of, or they would have been recomputed).
{{ config_incremental_by_lead() }}
with

counted as (

    select
        lead_id,
        occurred_at
    from {{ ref('int_intent_events_counted') }}
    where is_counted and {{ only_changed_leads() }}

),

inputs as (

    select
        lead_id,
        lookback_days,
        decay_period_days
    from {{ ref('int_lead_scoring_inputs') }}
    where {{ only_changed_leads() }}

),

event_clock as (

    -- the first expiry after as_of, and the last counted event (decay runs from it)
    select
        counted.lead_id,
        inputs.lookback_days,
        inputs.decay_period_days,
        min(
            case
                when {{ dbt.dateadd('day', 'inputs.lookback_days', 'counted.occurred_at') }} > {{ as_of() }}
                    then {{ dbt.dateadd('day', 'inputs.lookback_days', 'counted.occurred_at') }}
            end
        ) as next_expiry_at,
        max(counted.occurred_at) as last_event_at
    from counted
    inner join inputs on counted.lead_id = inputs.lead_id
    group by counted.lead_id, inputs.lookback_days, inputs.decay_period_days

),

decay_clock as (

    -- decay step k falls at last_event_at + k * P days while k * P < lookback; the first one after
    -- as_of is k = floor((as_of - last_event_at) / P) + 1
    select
        *,
        floor(
            {{ dbt.datediff('last_event_at', as_of(), 'second') }}
            / (decay_period_days * 86400.0)
        ) + 1 as next_step
    from event_clock

),

schedule as (

    select
        lead_id,
        next_expiry_at,
        case
            when next_step * decay_period_days < lookback_days
                then {{ dbt.dateadd('day', 'cast(next_step * decay_period_days as integer)', 'last_event_at') }}
        end as next_decay_at
    from decay_clock

),

next_changes as (

    select
        lead_id,
        case
            when next_decay_at is null then next_expiry_at
            when next_expiry_at is null then next_decay_at
            when next_decay_at < next_expiry_at then next_decay_at
            else next_expiry_at
        end as next_change_at
    from schedule

)

select
    lead_id,
    next_change_at
from next_changes
where next_change_at is not null
