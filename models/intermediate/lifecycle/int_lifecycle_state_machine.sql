-- The lifecycle state machine. Walks each lead's triggers in order; a trigger moves the lead
-- only when (trigger, current stage) is a row of seeds/lifecycle/lifecycle_transitions.csv,
-- otherwise the lead stays where it is. Invalid transitions therefore cannot occur.
-- One output row per trigger, with the stage before and after it; is_out_of_order marks a fact
-- dated before the lead's creation, applied at the creation instant (see int_lifecycle_triggers).
-- Incremental by lead: a lead whose triggers changed is walked again from its first trigger.
-- Spark walks the same rule in one pass per lead instead of a recursive CTE (macros/lifecycle_walk.sql).
-- sqlfluff:indentation:template_blocks_indent:false
{{ config_incremental_by_lead('int_lifecycle_changed_leads') }}
{%- set triggers_of_changed_leads -%}
(select * from {{ ref('int_lifecycle_triggers') }} where {{ only_changed_leads(changes='int_lifecycle_changed_leads') }})
{%- endset %}
{%- set one_pass_walk = lifecycle_walk(triggers_of_changed_leads, ref('lifecycle_transitions')) %}
{%- if one_pass_walk %}
{{ one_pass_walk }}
{%- else %}
with recursive

triggers as (

    select * from {{ triggers_of_changed_leads }} as changed_triggers

),

transitions as (

    select * from {{ ref('lifecycle_transitions') }}

),

machine as (

    select
        lead_id,
        trigger_sequence,
        trigger_at,
        trigger_name,
        reason_code,
        source_id,
        fact_at,
        is_out_of_order,
        cast(null as {{ dbt.type_string() }}) as from_stage,
        cast('capture' as {{ dbt.type_string() }}) as stage,
        true as is_transition
    from triggers
    where trigger_sequence = 1 and trigger_name = 'captured'

    union all

    select
        machine.lead_id,
        triggers.trigger_sequence,
        triggers.trigger_at,
        triggers.trigger_name,
        triggers.reason_code,
        triggers.source_id,
        triggers.fact_at,
        triggers.is_out_of_order,
        machine.stage as from_stage,
        coalesce(transitions.to_stage, machine.stage) as stage,
        transitions.to_stage is not null as is_transition
    from machine
    inner join triggers
        on machine.lead_id = triggers.lead_id
            and triggers.trigger_sequence = machine.trigger_sequence + 1
    left join transitions
        on triggers.trigger_name = transitions.trigger_name
            and machine.stage = transitions.from_stage

)

select * from machine
{%- endif %}
