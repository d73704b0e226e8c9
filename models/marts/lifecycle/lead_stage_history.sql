-- Every stage each lead has been in: when it entered, when it left and why. is_out_of_order:
-- the stage was entered by a fact dated before the lead's creation, applied at the creation
-- (marts.out_of_order_facts lists those facts; velocity marts leave such entries out).
-- Incremental by lead; hours_in_stage of every current stage is brought to as_of after each run.
{{ config_incremental_by_lead('int_lifecycle_changed_leads') }}
{{ config(post_hook="{{ refresh_hours_in_current_stage() }}") }}
with

machine as (

    select * from {{ ref('int_lifecycle_state_machine') }}
    where is_transition and {{ only_changed_leads(changes='int_lifecycle_changed_leads') }}

),

stages as (

    select * from {{ ref('lifecycle_stages') }}

),

sequenced as (

    select
        machine.*,
        row_number() over (partition by lead_id order by trigger_sequence) as stage_sequence,
        lead(trigger_at) over (partition by lead_id order by trigger_sequence) as exited_at,
        lead(stage) over (partition by lead_id order by trigger_sequence) as next_stage
    from machine

)

select
    {{ surrogate_key(['sequenced.lead_id', 'sequenced.stage_sequence']) }} as stage_history_id,
    sequenced.lead_id,
    cast(sequenced.stage_sequence as integer) as stage_sequence,
    sequenced.stage,
    stages.owner as stage_owner,
    sequenced.from_stage,
    sequenced.next_stage,
    sequenced.trigger_at as entered_at,
    sequenced.exited_at,
    sequenced.trigger_name as entered_by,
    sequenced.reason_code,
    sequenced.source_id as trigger_source_id,
    sequenced.is_out_of_order,
    sequenced.exited_at is null as is_current,
    {{ hours_in_stage('sequenced.trigger_at', 'sequenced.exited_at') }} as hours_in_stage
from sequenced
inner join stages on sequenced.stage = stages.stage
