-- KPI ladder, SLA family: compliance of the SLA clocks that were judged (met, breached, or open
-- past due), for all SLAs together (metric as in seeds/kpi/kpi_metrics.csv, family sla) and for
-- each SLA (the metric name + `__<sla_id>`), per period and slice. Basis `cohort` dates a clock by
-- the lead's creation, basis `period` by the clock's start.
{%- set dimensions = kpi_slice_dimensions(exclude=['peak_band', 'reject_reason']) %}
{%- set dates = [('cohort', 'created_at'), ('period', 'started_at')] %}
{%- set periods = kpi_period_keys(dates) %}
with

facts as (

    select * from {{ ref('int_kpi_lead_facts') }}

),

definitions as (

    select * from {{ ref('kpi_metrics') }}
    where family = 'sla'

),

clocks as (

    select
        instances.sla_id,
        instances.status,
        instances.started_at,
        facts.*
    from {{ ref('int_sla_instances') }} as instances
    inner join facts on instances.lead_id = facts.lead_id
    where instances.status in ('met', 'breached', 'open_breached')

),

periods as (

    select
        clocks.*,
        {{ kpi_period_columns('clocks', dates) }}
    from clocks

),

sliced as (

    -- counted per period of every grain and basis at once, then summed per grain and basis
    -- (int_kpi_milestone_counts)
    select
        {{ periods | join(',\n        ') }},
        {{ kpi_slice_columns(dimensions) }},
        case when grouping(sla_id) = 0 then sla_id else 'all' end as sla_id,
        sum(case when status = 'met' then 1 else 0 end) as n_met,
        count(*) as n_judged
    from periods
    group by grouping sets (  -- noqa: PRS
        {{ kpi_slice_sets(periods, dimensions) }},
        {{ kpi_slice_sets(periods + ['sla_id'], dimensions) }}
    )

),

dated as (

    {{ kpi_dated_periods('sliced', dates, ['slice_dimension', 'slice_value', 'sla_id', 'n_met', 'n_judged']) }}

),

measures as (

    select
        period_grain,
        basis,
        period_start,
        slice_dimension,
        slice_value,
        sla_id,
        sum(n_met) as n_met,
        sum(n_judged) as n_judged
    from dated
    group by period_grain, basis, period_start, slice_dimension, slice_value, sla_id

)

{{ kpi_ratio_metrics(
    'measures', 'definitions', ['n_met', 'n_judged'],
    metric_suffix="case when measures.sla_id = 'all' then '' else " ~ dbt.concat(["'__'", 'measures.sla_id']) ~ " end"
) }}
