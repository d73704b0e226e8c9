{#- The lifecycle state machine's walk on Spark (models/intermediate/lifecycle/
    int_lifecycle_state_machine.sql holds the walk every other engine runs: a recursive CTE, one
    step per trigger). Spark runs a recursive CTE as one job per step, a join of every lead's
    walk so far with the triggers table (measured on the engine parity data: 15.8 s, an eighth
    of the whole build, for ~50 steps). Here each lead's triggers are collected in order and
    walked in one pass with aggregate(): the same rule (a trigger moves the lead only when
    (trigger, current stage) is a row of lifecycle_transitions), the same rows. -#}

{% macro lifecycle_walk(triggers, transitions) -%}
    {#- The walk's whole query where the engine has its own (Spark, and adapters that dispatch to
        spark__, as dbt-databricks does), else nothing: the model then runs its recursive CTE. -#}
    {{ return(adapter.dispatch('lifecycle_walk', 'lead_warehouse')(triggers, transitions)) }}
{%- endmacro %}

{% macro default__lifecycle_walk(triggers, transitions) -%}
    {{ return('') }}
{%- endmacro %}

{% macro spark__lifecycle_walk(triggers, transitions) -%}
with

moves as (

    -- (trigger, from stage) -> to stage, as one map (the seed's pairs are unique: a data test)
    select map_from_entries(collect_list(struct(concat(trigger_name, '|', from_stage), to_stage))) as to_stage_of
    from {{ transitions }}

),

lead_triggers as (

    -- each lead's triggers, ordered by trigger_sequence (1, 2, ...: a row_number)
    select
        lead_id,
        array_sort(collect_list(struct(
            trigger_sequence, trigger_at, trigger_name, reason_code, source_id, fact_at, is_out_of_order
        ))) as steps
    from {{ triggers }} as triggers
    group by lead_id

),

walks as (

    -- the stage after each trigger: `capture` after the first (`captured`), then the move the
    -- transitions name for (trigger, stage so far), else the stage so far
    select
        lead_triggers.lead_id,
        lead_triggers.steps,
        moves.to_stage_of,
        aggregate(
            lead_triggers.steps,
            cast(array() as array<string>),
            (stages, step) -> concat(stages, array(
                case
                    when size(stages) = 0 then 'capture'
                    else coalesce(
                        moves.to_stage_of[concat(step.trigger_name, '|', element_at(stages, -1))],
                        element_at(stages, -1)
                    )
                end
            ))
        ) as stages
    from lead_triggers
    cross join moves
    -- as the recursive walk: a lead is walked from a first trigger `captured`, else not at all
    where lead_triggers.steps[0].trigger_sequence = 1 and lead_triggers.steps[0].trigger_name = 'captured'

)

select
    walks.lead_id,
    walked.step.trigger_sequence,
    walked.step.trigger_at,
    walked.step.trigger_name,
    walked.step.reason_code,
    walked.step.source_id,
    walked.step.fact_at,
    walked.step.is_out_of_order,
    case when walked.position > 0 then walks.stages[walked.position - 1] end as from_stage,
    walks.stages[walked.position] as stage,
    walked.position = 0
    or walks.to_stage_of[concat(walked.step.trigger_name, '|', walks.stages[walked.position - 1])] is not null
        as is_transition
from walks
lateral view posexplode(walks.steps) walked as position, step
{%- endmacro %}
