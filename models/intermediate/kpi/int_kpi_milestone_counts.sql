-- How many leads reached each funnel milestone, per period grain, basis, period and slice: the
-- measures the funnel and efficiency metrics of the KPI ladder divide. Basis `cohort` counts a
-- milestone in the period the lead was created, basis `period` in the period it happened (that
-- date by as_of). Counted in two steps: per milestone and the periods of every grain and basis
-- at once, by grouping sets of the slice dimensions (sqlfluff's duckdb dialect does not parse
-- GROUPING SETS: noqa PRS); then those counts summed once per grain and basis, and one column per
-- milestone. Counting every row once per grain and basis instead took twice as long at 1M leads.
{%- set dimensions = kpi_slice_dimensions() %}
{%- set dates = [('cohort', 'created_at'), ('period', 'event_at')] %}
{%- set periods = kpi_period_keys(dates) %}
with

events as (

    select * from {{ ref('int_kpi_events') }}

),

periods as (

    select
        events.*,
        {{ kpi_period_columns('events', dates, up_to_as_of=true) }}
    from events

),

sliced as (

    select
        milestone,
        {{ periods | join(',\n        ') }},
        {{ kpi_slice_columns(dimensions) }},
        -- an integer like the 0 / 1 it replaces: sums stay bigint on PostgreSQL, not numeric
        cast(count(*) as {{ dbt.type_int() }}) as leads,
        sum(amount) as amount
    from periods
    group by grouping sets (  -- noqa: PRS
        {{ kpi_slice_sets(['milestone'] + periods, dimensions) }}
    )

),

dated as (

    {{ kpi_dated_periods('sliced', dates, ['milestone', 'slice_dimension', 'slice_value', 'leads', 'amount']) }}

),

per_milestone as (

    select
        period_grain,
        basis,
        period_start,
        milestone,
        slice_dimension,
        slice_value,
        cast(sum(leads) as {{ dbt.type_int() }}) as leads,
        sum(amount) as amount
    from dated
    group by period_grain, basis, period_start, milestone, slice_dimension, slice_value

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
