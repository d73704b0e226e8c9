-- KPI ladder, velocity family: the median days of a funnel duration per period and slice, over
-- the leads that have it. Each metric's duration is its numerator in seeds/kpi/kpi_metrics.csv
-- (family velocity), an int_kpi_lead_facts days_* column that int_kpi_events attaches to the
-- milestone ending it; a duration bounded by an out-of-order stage entry does not count. The
-- numerator is null, the denominator the number of leads. Dated as int_kpi_milestone_counts.
{%- set dimensions = kpi_slice_dimensions(exclude=['reject_reason']) %}
with

events as (

    select * from {{ ref('int_kpi_events') }}

),

definitions as (

    select * from {{ ref('kpi_metrics') }}
    where family = 'velocity'

),

durations as (

    select
        events.*,
        definitions.metric
    from events
    inner join definitions on events.duration = definitions.numerator
    where events.duration_days is not null

),

dated as (

    {{ kpi_dated('durations', [('cohort', 'created_at'), ('period', 'event_at')]) }}

)

select
    period_grain,
    basis,
    period_start,
    {{ kpi_slice_columns(dimensions) }},
    metric,
    cast(null as {{ type_double() }}) as numerator,
    cast(count(*) as {{ type_double() }}) as denominator,
    {{ percentile('duration_days', 0.5) }} as value
from dated
where dated_at <= {{ as_of() }}
group by grouping sets (  -- noqa: PRS
    {{ kpi_slice_sets(['period_grain', 'basis', 'period_start', 'metric'], dimensions) }}
)
