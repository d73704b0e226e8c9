-- KPI ladder, score family (slice all): how well the score at the first MQL crossing ranks the
-- MQLs that were won above those that were not — the area under the ROC curve in its
-- Mann-Whitney form, U / (won × not won). Basis `cohort` dates an MQL by the lead's creation,
-- basis `period` by its MQL date. Numerator and denominator as in seeds/kpi/kpi_metrics.csv
-- (family score).
with

facts as (

    select * from {{ ref('int_kpi_lead_facts') }}

),

definitions as (

    select * from {{ ref('kpi_metrics') }}
    where family = 'score'

),

mqls as (

    select
        created_at,
        mql_at,
        score_at_mql_crossing as score,
        case when won_at is not null then 1 else 0 end as is_won
    from facts
    where mql_at is not null and score_at_mql_crossing is not null

),

dated as (

    {{ kpi_dated('mqls', [('cohort', 'created_at'), ('period', 'mql_at')]) }}

),

ranked as (

    -- average rank for ties, as the Mann-Whitney form of the AUC needs
    select
        *,
        rank() over (partition by period_grain, basis, period_start order by score)
        + (count(*) over (partition by period_grain, basis, period_start, score) - 1) / 2.0 as score_rank
    from dated

),

measures as (

    select
        period_grain,
        basis,
        period_start,
        'all' as slice_dimension,
        'all' as slice_value,
        sum(case when is_won = 1 then score_rank else 0 end) - sum(is_won) * (sum(is_won) + 1) / 2.0
            as mann_whitney_u,
        sum(is_won) * (count(*) - sum(is_won)) as n_won_lost_pairs
    from ranked
    group by period_grain, basis, period_start

)

{{ kpi_ratio_metrics('measures', 'definitions', ['mann_whitney_u', 'n_won_lost_pairs']) }}
