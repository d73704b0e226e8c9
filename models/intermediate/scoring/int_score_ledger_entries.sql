-- Every instant a lead's score changes, before the score is computed (int_score_ledger):
-- fit/negative rules at creation, intent events, their expiry after the lookback window,
-- velocity windows opening and closing, and decay steps every P days without activity.
-- type_order fixes the order of changes that happen at the same instant (docs/scoring.md).
{{ config_incremental_by_lead() }}
with

models as (

    select * from {{ ref('scoring_models') }}

),

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
    where {{ only_changed_leads() }}

),

event_instants as (

    -- decay restarts at every counted event; steps run until the next one
    select
        lead_id,
        occurred_at,
        lead(occurred_at) over (partition by lead_id order by occurred_at) as next_occurred_at
    from counted
    group by lead_id, occurred_at

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
        0 as velocity_delta
    from fit_matches

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
        0 as velocity_delta
    from counted

),

expiry_entries as (

    select
        counted.lead_id,
        {{ dbt.dateadd('day', 'inputs.lookback_days', 'counted.occurred_at') }} as changed_at,
        'expiry' as change_type,
        3 as type_order,
        counted.signal,
        counted.event_id as source_id,
        counted.points as rule_points,
        0 as fit_delta,
        -counted.points as base_delta,
        0 as velocity_delta
    from counted
    inner join inputs on counted.lead_id = inputs.lead_id
    where {{ dbt.dateadd('day', 'inputs.lookback_days', 'counted.occurred_at') }} <= {{ as_of() }}

),

velocity_entries as (

    select
        velocity.lead_id,
        velocity.started_at as changed_at,
        'velocity' as change_type,
        5 as type_order,
        'velocity' as signal,
        velocity.first_award_event_id as source_id,
        inputs.velocity_points as rule_points,
        0 as fit_delta,
        0 as base_delta,
        1 as velocity_delta
    from velocity
    inner join inputs on velocity.lead_id = inputs.lead_id

    union all

    select
        velocity.lead_id,
        velocity.ended_at as changed_at,
        'velocity' as change_type,
        5 as type_order,
        'velocity' as signal,
        velocity.last_award_event_id as source_id,
        -inputs.velocity_points as rule_points,
        0 as fit_delta,
        0 as base_delta,
        -1 as velocity_delta
    from velocity
    inner join inputs on velocity.lead_id = inputs.lead_id
    where velocity.ended_at <= {{ as_of() }}

),

model_steps as (

    -- decay steps k = 1, 2, … while k·P < L: later steps find nothing left to decay
    select
        models.model_id,
        steps.generated_number as step,
        models.decay_period_days
    from models
    inner join steps on steps.generated_number * models.decay_period_days < models.lookback_days

),

decay_steps as (

    select
        event_instants.lead_id,
        event_instants.next_occurred_at,
        model_steps.step,
        {{ dbt.dateadd('day', 'model_steps.step * model_steps.decay_period_days', 'event_instants.occurred_at') }}
            as changed_at
    from event_instants
    inner join inputs on event_instants.lead_id = inputs.lead_id
    inner join model_steps on inputs.scoring_model_id = model_steps.model_id

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
        0 as velocity_delta
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
