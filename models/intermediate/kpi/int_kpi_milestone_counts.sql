-- How many leads reached each funnel milestone, per period grain, basis, period and slice: the
-- measures the funnel and efficiency metrics of the KPI ladder divide. Basis `cohort` counts a
-- milestone in the period the lead was created, basis `period` in the period it happened (that
-- date by as_of). One aggregation: the milestones once per grain and basis, grouped by grouping
-- sets of the slice dimensions (sqlfluff's duckdb dialect does not parse GROUPING SETS: noqa PRS).
{%- set dimensions = kpi_slice_dimensions() %}
with

events as (

    select * from {{ ref('int_kpi_events') }}

),

dated as (

    {{ kpi_dated('events', [('cohort', 'created_at'), ('period', 'event_at')]) }}

)

select
    period_grain,
    basis,
    period_start,
    {{ kpi_slice_columns(dimensions) }},
    {%- for milestone in kpi_milestones() %}
        sum(case when milestone = '{{ milestone[0] }}' then 1 else 0 end) as n_{{ milestone[0] }},
    {%- endfor %}
    coalesce(sum(case when milestone = 'won' then amount end), 0) as won_amount
from dated
where dated_at <= {{ as_of() }}
group by grouping sets (  -- noqa: PRS
    {{ kpi_slice_sets(['period_grain', 'basis', 'period_start'], dimensions) }}
)
