-- How many leads reached each funnel milestone, per period grain, basis, period and slice: the
-- measures the funnel and efficiency metrics of the KPI ladder divide. Basis `cohort` counts a
-- milestone in the period the lead was created, basis `period` in the period it happened (that
-- date by as_of). The milestones once per grain and basis, counted per milestone by grouping sets
-- of the slice dimensions (sqlfluff's duckdb dialect does not parse GROUPING SETS: noqa PRS), then
-- one column per milestone. Counting with the milestone as a group key, one count per group, takes
-- half the time of a sum per milestone over every row (docs/incremental.md, measured at 1M leads).
{%- set dimensions = kpi_slice_dimensions() %}
with

events as (

    select * from {{ ref('int_kpi_events') }}

),

dated as (

    {{ kpi_dated('events', [('cohort', 'created_at'), ('period', 'event_at')]) }}

),

per_milestone as (

    select
        period_grain,
        basis,
        period_start,
        milestone,
        {{ kpi_slice_columns(dimensions) }},
        -- an integer like the 0 / 1 it replaces: sums stay bigint on PostgreSQL, not numeric
        cast(count(*) as {{ dbt.type_int() }}) as leads,
        sum(amount) as amount
    from dated
    where dated_at <= {{ as_of() }}
    group by grouping sets (  -- noqa: PRS
        {{ kpi_slice_sets(['period_grain', 'basis', 'period_start', 'milestone'], dimensions) }}
    )

)

select
    period_grain,
    basis,
    period_start,
    slice_dimension,
    slice_value,
    {%- for milestone in kpi_milestones() %}
        sum(case when milestone = '{{ milestone[0] }}' then leads else 0 end) as n_{{ milestone[0] }},
    {%- endfor %}
    coalesce(sum(case when milestone = 'won' then amount end), 0) as won_amount
from per_milestone
group by period_grain, basis, period_start, slice_dimension, slice_value
