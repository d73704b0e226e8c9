-- Stricter than assert_stage_history_transitions_are_allowed: the trigger that moved the lead
-- (entered_by) is the one the lifecycle_transitions seed names for that (from_stage, stage).
-- Returns the offending history rows.
with

history as (

    select * from {{ ref('lead_stage_history') }}
    where from_stage is not null

),

transitions as (

    select * from {{ ref('lifecycle_transitions') }}

)

select
    history.lead_id,
    history.stage_sequence,
    history.from_stage,
    history.stage,
    history.entered_by
from history
left join transitions
    on history.entered_by = transitions.trigger_name
        and history.from_stage = transitions.from_stage
        and history.stage = transitions.to_stage
where transitions.trigger_name is null
