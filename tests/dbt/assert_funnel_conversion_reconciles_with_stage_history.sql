-- For every cohort month (month of leads.created_at), funnel_conversion.entered summed over all
-- slices equals the number of leads created that month that ever entered the step's from_stage
-- in lead_stage_history (`lead` = every lead). Checked for the steps from lead, mql (to sal and
-- to sql) and sql. Returns the cohort months and steps where the counts differ.
with

funnel as (

    select * from {{ ref('funnel_conversion') }}

),

leads as (

    select * from {{ ref('leads') }}

),

history as (

    select * from {{ ref('lead_stage_history') }}

),

steps as (

    select
        'lead' as from_stage,
        'mql' as to_stage
    union all
    select
        'mql' as from_stage,
        'sal' as to_stage
    union all
    select
        'mql' as from_stage,
        'sql' as to_stage
    union all
    select
        'sql' as from_stage,
        'opportunity' as to_stage

),

reached as (

    select
        lead_id,
        'lead' as stage
    from leads

    union all

    select distinct
        lead_id,
        stage
    from history
    where stage in ('mql', 'sql')

),

expected as (

    select
        cast({{ dbt.date_trunc('month', 'leads.created_at') }} as date) as cohort_month,
        steps.from_stage,
        steps.to_stage,
        count(*) as entered
    from reached
    inner join leads on reached.lead_id = leads.lead_id
    inner join steps on reached.stage = steps.from_stage
    group by 1, 2, 3

),

actual as (

    select
        funnel.cohort_month,
        funnel.from_stage,
        funnel.to_stage,
        sum(funnel.entered) as entered
    from funnel
    inner join steps
        on
            funnel.from_stage = steps.from_stage
            and funnel.to_stage = steps.to_stage
    group by 1, 2, 3

)

select
    coalesce(expected.cohort_month, actual.cohort_month) as cohort_month,
    coalesce(expected.from_stage, actual.from_stage) as from_stage,
    coalesce(expected.to_stage, actual.to_stage) as to_stage,
    expected.entered as leads_in_stage_history,
    actual.entered as funnel_entered
from expected
full outer join actual
    on
        expected.cohort_month = actual.cohort_month
        and expected.from_stage = actual.from_stage
        and expected.to_stage = actual.to_stage
where coalesce(expected.entered, 0) != coalesce(actual.entered, 0)
