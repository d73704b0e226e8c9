-- lead_pipeline_now holds every lead whose current stage is open pipeline, once (a lead lost
-- by a join, e.g. an age no bucket covers, fails here). Returns the stages whose counts differ.
with

expected as (

    select
        leads.current_stage,
        count(*) as leads
    from {{ ref('leads') }} as leads
    inner join {{ ref('lifecycle_stages') }} as stages on leads.current_stage = stages.stage
    where stages.in_pipeline_now
    group by leads.current_stage

),

actual as (

    select
        current_stage,
        count(*) as leads
    from {{ ref('lead_pipeline_now') }}
    group by current_stage

)

select
    coalesce(expected.current_stage, actual.current_stage) as current_stage,
    expected.leads as expected_leads,
    actual.leads as actual_leads
from expected
full outer join actual on expected.current_stage = actual.current_stage
where expected.leads is distinct from actual.leads
