-- KPI ladder, efficiency family (month grain): what a customer costs — marketing spend against
-- the month's wins (slices all, lead_source, channel; both bases) — and how well open pipeline
-- covers the month's bookings target (basis period; slices all and team). Which measures each
-- metric divides is its numerator and denominator in seeds/kpi/kpi_metrics.csv (family
-- efficiency).
with

counts as (

    select * from {{ ref('int_kpi_milestone_counts') }}
    where period_grain = 'month'

),

facts as (

    select * from {{ ref('int_kpi_lead_facts') }}

),

parameters as (

    {{ kpi_parameters_row(['gross_margin']) | indent(4) }}

),

definitions as (

    select * from {{ ref('kpi_metrics') }}
    where family = 'efficiency'

),

spend as (

    select
        cast({{ dbt.date_trunc('month', 'spend_month') }} as date) as period_start,
        lead_source,
        channel,
        amount
    from {{ ref('stg_marketing__marketing_spend') }}

),

targets as (

    select
        cast({{ dbt.date_trunc('month', 'target_month') }} as date) as period_start,
        team_id as team,
        bookings_target
    from {{ ref('stg_crm__sales_targets') }}

),

opportunities as (

    select
        opportunities.created_at,
        opportunities.closed_at,
        opportunities.amount,
        facts.team
    from {{ ref('int_opportunities_resolved') }} as opportunities
    inner join facts on opportunities.lead_id = facts.lead_id

),

months as (

    -- the months the ladder has (any milestone happened in them)
    select distinct period_start
    from counts
    where basis = 'period'

),

monthly_spend as (

    select
        period_start,
        {{ kpi_slice_columns(['lead_source', 'channel']) }},
        sum(amount) as spend
    from spend
    group by grouping sets ({{ kpi_slice_sets(['period_start'], ['lead_source', 'channel']) }})  -- noqa: PRS

),

acquisition as (

    select
        counts.period_grain,
        counts.basis,
        counts.period_start,
        counts.slice_dimension,
        counts.slice_value,
        monthly_spend.spend,
        counts.n_won,
        counts.won_amount * parameters.gross_margin / 12 as won_monthly_margin
    from counts
    inner join monthly_spend
        on
            counts.period_start = monthly_spend.period_start
            and counts.slice_dimension = monthly_spend.slice_dimension
            and counts.slice_value = monthly_spend.slice_value
    cross join parameters

),

open_opportunities as (

    -- opportunities open at the end of each month (created before it, not closed by then)
    select
        months.period_start,
        opportunities.team,
        opportunities.amount
    from months
    inner join opportunities
        on
            opportunities.created_at < {{ dbt.dateadd('month', 1, 'months.period_start') }}
            and (
                opportunities.closed_at is null
                or opportunities.closed_at >= {{ dbt.dateadd('month', 1, 'months.period_start') }}
            )

),

open_pipeline as (

    select
        period_start,
        {{ kpi_slice_columns(['team']) }},
        sum(amount) as open_pipeline
    from open_opportunities
    group by grouping sets ({{ kpi_slice_sets(['period_start'], ['team']) }})  -- noqa: PRS

),

monthly_targets as (

    select
        period_start,
        {{ kpi_slice_columns(['team']) }},
        sum(bookings_target) as bookings_target
    from targets
    group by grouping sets ({{ kpi_slice_sets(['period_start'], ['team']) }})  -- noqa: PRS

),

coverage as (

    select
        'month' as period_grain,
        'period' as basis,
        monthly_targets.period_start,
        monthly_targets.slice_dimension,
        monthly_targets.slice_value,
        coalesce(open_pipeline.open_pipeline, 0) as open_pipeline,
        monthly_targets.bookings_target
    from monthly_targets
    inner join months on monthly_targets.period_start = months.period_start
    left join open_pipeline
        on
            monthly_targets.period_start = open_pipeline.period_start
            and monthly_targets.slice_dimension = open_pipeline.slice_dimension
            and monthly_targets.slice_value = open_pipeline.slice_value

)

{{ kpi_ratio_metrics('acquisition', 'definitions', ['spend', 'n_won', 'won_monthly_margin']) }}
union all
{{ kpi_ratio_metrics('coverage', 'definitions', ['open_pipeline', 'bookings_target']) }}
