{% macro score_ledger_entries(inputs, fit_matches, counted, velocity) -%}
    {#- The select of int_score_ledger_entries: every instant a lead's score changes, before the
        score is computed. Arguments are relations or CTE names with the columns of
        int_lead_scoring_inputs, int_lead_fit_rule_matches, int_intent_events_counted and
        int_velocity_windows. A macro so that int_score_ledger computes the entries of the leads
        it recomputes only, without storing them (docs/incremental.md). -#}
with

scoring_model_rows as (

    select * from {{ ref('scoring_models') }}

),

counted_events as (

    -- one sort of the counted events for both neighbours: the intent change before this one in
    -- ledger order (changed_at, then source_id), from which the ledger's decay before it runs,
    -- and the one after it, until which this one's decay steps run
    select
        *,
        lag(occurred_at) over (partition by lead_id order by occurred_at, event_id) as previous_event_at,
        lead(occurred_at) over (partition by lead_id order by occurred_at, event_id) as next_event_at
    from {{ counted }}
    where is_counted

),

event_instants as (

    -- decay restarts at every counted event; steps run until the next instant with one. The
    -- last event at its instant stands for the instant: the event after it is the next instant's
    select
        lead_id,
        occurred_at,
        next_event_at as next_occurred_at
    from counted_events
    where next_event_at is null or next_event_at > occurred_at

),

steps as (

    {{ dbt.generate_series(400) }}

),

fit_entries as (

    select
        lead_id,
        matched_at as changed_at,
        dimension as change_type,
        case when dimension = 'fit' then 1 else 2 end as type_order,
        rule_id as signal,
        rule_id as source_id,
        points as rule_points,
        points as fit_delta,
        0 as base_delta,
        0 as velocity_delta,
        cast(null as {{ dbt.type_timestamp() }}) as previous_event_at
    from {{ fit_matches }}

),

intent_entries as (

    select
        lead_id,
        occurred_at as changed_at,
        'intent' as change_type,
        4 as type_order,
        signal,
        event_id as source_id,
        points as rule_points,
        0 as fit_delta,
        points as base_delta,
        0 as velocity_delta,
        previous_event_at
    from counted_events

),

expiry_entries as (

    select
        counted_events.lead_id,
        {{ dbt.dateadd('day', 'lead_inputs.lookback_days', 'counted_events.occurred_at') }} as changed_at,
        'expiry' as change_type,
        3 as type_order,
        counted_events.signal,
        counted_events.event_id as source_id,
        counted_events.points as rule_points,
        0 as fit_delta,
        -counted_events.points as base_delta,
        0 as velocity_delta,
        cast(null as {{ dbt.type_timestamp() }}) as previous_event_at
    from counted_events
    inner join {{ inputs }} as lead_inputs on counted_events.lead_id = lead_inputs.lead_id
    where {{ dbt.dateadd('day', 'lead_inputs.lookback_days', 'counted_events.occurred_at') }} <= {{ as_of() }}

),

velocity_entries as (

    select
        windows.lead_id,
        windows.started_at as changed_at,
        'velocity' as change_type,
        5 as type_order,
        'velocity' as signal,
        windows.first_award_event_id as source_id,
        lead_inputs.velocity_points as rule_points,
        0 as fit_delta,
        0 as base_delta,
        1 as velocity_delta,
        cast(null as {{ dbt.type_timestamp() }}) as previous_event_at
    from {{ velocity }} as windows
    inner join {{ inputs }} as lead_inputs on windows.lead_id = lead_inputs.lead_id

    union all

    select
        windows.lead_id,
        windows.ended_at as changed_at,
        'velocity' as change_type,
        5 as type_order,
        'velocity' as signal,
        windows.last_award_event_id as source_id,
        -lead_inputs.velocity_points as rule_points,
        0 as fit_delta,
        0 as base_delta,
        -1 as velocity_delta,
        cast(null as {{ dbt.type_timestamp() }}) as previous_event_at
    from {{ velocity }} as windows
    inner join {{ inputs }} as lead_inputs on windows.lead_id = lead_inputs.lead_id
    where windows.ended_at <= {{ as_of() }}

),

model_steps as (

    -- decay steps k = 1, 2, … while k·P < L: later steps find nothing left to decay
    select
        scoring_model_rows.model_id,
        steps.generated_number as step,
        scoring_model_rows.decay_period_days
    from scoring_model_rows
    inner join steps on steps.generated_number * scoring_model_rows.decay_period_days < scoring_model_rows.lookback_days

),

decay_steps as (

    select
        event_instants.lead_id,
        event_instants.next_occurred_at,
        model_steps.step,
        {{ dbt.dateadd('day', 'model_steps.step * model_steps.decay_period_days', 'event_instants.occurred_at') }}
            as changed_at
    from event_instants
    inner join {{ inputs }} as lead_inputs on event_instants.lead_id = lead_inputs.lead_id
    inner join model_steps on lead_inputs.scoring_model_id = model_steps.model_id

),

decay_entries as (

    select
        lead_id,
        changed_at,
        'decay' as change_type,
        6 as type_order,
        'decay' as signal,
        {{ dbt.concat(["'decay-'", "cast(step as " ~ dbt.type_string() ~ ")"]) }} as source_id,
        cast(null as {{ type_double() }}) as rule_points,
        0 as fit_delta,
        0 as base_delta,
        0 as velocity_delta,
        cast(null as {{ dbt.type_timestamp() }}) as previous_event_at
    from decay_steps
    where
        changed_at <= {{ as_of() }}
        and (next_occurred_at is null or changed_at < next_occurred_at)

)

select * from fit_entries
union all
select * from intent_entries
union all
select * from expiry_entries
union all
select * from velocity_entries
union all
select * from decay_entries
{%- endmacro %}
