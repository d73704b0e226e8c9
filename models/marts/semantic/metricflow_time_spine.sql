-- The semantic layer's time spine (MetricFlow): one row per day from min_plausible_date (any
-- earlier date is quarantined as implausible, so no fact precedes it) to a year after as_of
-- (SLA clocks fall due after as_of). dbt's cross-database date_spine, so PostgreSQL builds it too.
with

days as (

    {{ dbt.date_spine(
        'day',
        "cast('" ~ var('min_plausible_date') ~ "' as date)",
        dbt.dateadd('year', 1, 'cast(' ~ as_of() ~ ' as date)')
    ) }}

)

select cast(date_day as date) as date_day
from days
