-- Every stage change in lead_stage_history is an allowed transition: each (from_stage, stage)
-- pair with a from_stage exists in seeds/lifecycle/lifecycle_transitions.csv (any trigger).
-- Returns the offending history rows.
with

history as (

    select * from {{ ref('lead_stage_history') }}
    where from_stage is not null

),

transitions as (

    select distinct
        from_stage,
        to_stage
    from {{ ref('lifecycle_transitions') }}

)

select
    history.lead_id,
    history.stage_sequence,
    history.from_stage,
    history.stage,
    history.entered_by
from history
left join transitions
    on history.from_stage = transitions.from_stage
        and history.stage = transitions.to_stage
where transitions.from_stage is null
