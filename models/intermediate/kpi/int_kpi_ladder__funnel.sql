-- KPI ladder, funnel family: the metrics that divide milestone counts (int_kpi_milestone_counts)
-- per period and slice — lead volume, ICP match, MQL and rejection rates and reasons, stage
-- conversion, win rates, ACV and CLV. Which counts each metric divides is its numerator and
-- denominator in seeds/kpi/kpi_metrics.csv (family funnel); this model adds the derived measures
-- the seed may name. A reject_reason slice is published only for a reason that occurred.
{%- set measure_columns = [] %}
{%- for milestone in kpi_milestones() %}
    {%- do measure_columns.append('n_' ~ milestone[0]) %}
{%- endfor %}
{%- do measure_columns.extend(['n_won_or_lost', 'n_rejected_all_reasons', 'won_amount', 'won_lifetime_value']) %}
with

counts as (

    select * from {{ ref('int_kpi_milestone_counts') }}

),

parameters as (

    {{ kpi_parameters_row(['gross_margin', 'annual_churn_rate']) | indent(4) }}

),

definitions as (

    select * from {{ ref('kpi_metrics') }}
    where family = 'funnel'

),

measures as (

    select
        counts.*,
        counts.n_won + counts.n_lost as n_won_or_lost,
        -- rejections with any reason code, the whole of a period's reject_reason slices
        case
            when counts.slice_dimension = 'reject_reason'
                then sum(counts.n_rejected) over slices_of_the_period
        end as n_rejected_all_reasons,
        counts.won_amount * (parameters.gross_margin / parameters.annual_churn_rate) as won_lifetime_value
    from counts
    cross join parameters
    where counts.slice_dimension != 'reject_reason' or (counts.slice_value != 'none' and counts.n_rejected > 0)
    window slices_of_the_period as (
        partition by counts.period_grain, counts.basis, counts.period_start, counts.slice_dimension
    )

)

{{ kpi_ratio_metrics('measures', 'definitions', measure_columns) }}
