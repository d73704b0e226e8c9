-- The KPI ladder (month grain, basis cohort, slice all) agrees with the marts it summarizes, per
-- cohort month (month of leads.created_at):
--   lead_volume       = leads created in the month;
--   mql_to_sql_rate   = leads with mql_at and sql_at / leads with mql_at (marts.leads);
--   sla_compliance    = lead_sla instances met / met + breached + open_breached.
-- Returns the metrics and months where numerator, denominator or value differ, or where a row
-- exists on one side only.
with

kpi as (

    select
        metric,
        period_start,
        numerator,
        denominator,
        value
    from {{ ref('kpi_ladder') }}
    where
        period_grain = 'month'
        and basis = 'cohort'
        and slice_dimension = 'all'
        and metric in ('lead_volume', 'mql_to_sql_rate', 'sla_compliance')

),

leads as (

    select
        lead_id,
        mql_at,
        sql_at,
        cast({{ dbt.date_trunc('month', 'created_at') }} as date) as cohort_month
    from {{ ref('leads') }}

),

lead_sla as (

    select * from {{ ref('lead_sla') }}

),

expected as (

    select
        'lead_volume' as metric,
        cohort_month as period_start,
        count(*) as numerator,
        cast(null as {{ type_double() }}) as denominator
    from leads
    group by cohort_month

    union all

    select
        'mql_to_sql_rate' as metric,
        cohort_month as period_start,
        sum(case when mql_at is not null and sql_at is not null then 1 else 0 end) as numerator,
        sum(case when mql_at is not null then 1 else 0 end) as denominator
    from leads
    group by cohort_month

    union all

    select
        'sla_compliance' as metric,
        leads.cohort_month as period_start,
        sum(case when lead_sla.status = 'met' then 1 else 0 end) as numerator,
        count(*) as denominator
    from lead_sla
    inner join leads on lead_sla.lead_id = leads.lead_id
    where lead_sla.status in ('met', 'breached', 'open_breached')
    group by leads.cohort_month

)

select
    coalesce(expected.metric, kpi.metric) as metric,
    coalesce(expected.period_start, kpi.period_start) as period_start,
    expected.numerator as expected_numerator,
    kpi.numerator as kpi_numerator,
    expected.denominator as expected_denominator,
    kpi.denominator as kpi_denominator,
    kpi.value as kpi_value
from expected
full outer join kpi
    on
        expected.metric = kpi.metric
        and expected.period_start = kpi.period_start
where
    expected.metric is null
    or kpi.metric is null
    or kpi.numerator != expected.numerator
    or coalesce(kpi.denominator, -1) != coalesce(expected.denominator, -1)
    or (expected.metric = 'lead_volume' and kpi.value != expected.numerator)
    or (
        expected.denominator > 0
        and abs(kpi.value - 1.0 * expected.numerator / expected.denominator) > 1e-9
    )
    or (expected.denominator = 0 and kpi.value is not null)
