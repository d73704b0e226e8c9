-- The KPI ladder in long form: one row per period grain, period, basis, metric and slice,
-- with numerator, denominator and value. Definitions: seeds/kpi/kpi_metrics.csv (also in the
-- docs of this model). Basis `cohort` counts a lead in the period it was created, whatever
-- happened later; basis `period` counts each milestone in the period it happened.
{%- set grains = ['month', 'week'] %}
{%- set bases = [('cohort', 'created_at'), ('period', 'event_at')] %}
{%- set dims = ['all', 'lead_source', 'channel', 'segment', 'fit_tier', 'motion', 'team', 'rep', 'peak_band',
                'reject_reason'] %}
{%- set milestones = ['created', 'icp_match', 'mql', 'sal', 'sal_after_mql', 'sql_after_sal', 'sql_after_mql',
                      'rejected', 'won', 'lost', 'won_after_mql', 'closed_after_sql'] %}
{%- set combos = [] %}
{%- set sla_combos = [] %}
{%- set score_combos = [] %}
{%- for grain in grains %}
    {%- for basis, date_column in bases %}
        {%- for dim in dims %}
            {%- do combos.append((grain, basis, date_column, dim)) %}
            {%- if dim not in ('peak_band', 'reject_reason') %}
                {%- do sla_combos.append((grain, basis, date_column, dim)) %}
            {%- endif %}
        {%- endfor %}
    {%- endfor %}
    {%- do score_combos.append((grain, 'cohort', 'created_at')) %}
    {%- do score_combos.append((grain, 'period', 'mql_at')) %}
{%- endfor %}
{%- set ratio_metrics = [
    ('lead_volume', 'n_created', 'null'),
    ('icp_match_rate', 'n_icp_match', 'n_created'),
    ('mql_rate', 'n_mql', 'n_created'),
    ('rejection_rate', 'n_rejected', 'n_mql'),
    ('mql_to_sal_rate', 'n_sal_after_mql', 'n_mql'),
    ('sal_to_sql_rate', 'n_sql_after_sal', 'n_sal'),
    ('mql_to_sql_rate', 'n_sql_after_mql', 'n_mql'),
    ('win_rate', 'n_won', 'n_won + n_lost'),
    ('mql_to_won_rate', 'n_won_after_mql', 'n_mql'),
    ('lead_to_won_rate', 'n_won', 'n_created'),
    ('acv', 'won_amount', 'n_won'),
    ('clv', 'won_amount * (select gross_margin / annual_churn_rate from parameters)', 'n_won'),
] %}
{#- velocity: (metric, milestone whose value it is the median of, value column) -#}
{%- set median_metrics = [
    ('median_days_mql_to_sql', 'sql_after_mql', 'milestone_value'),
    ('median_days_sql_to_close', 'closed_after_sql', 'milestone_value'),
    ('days_created_to_mql', 'mql', 'days_from_created'),
    ('days_created_to_sal', 'sal', 'days_from_created'),
    ('days_created_to_sql', 'sql', 'days_from_created'),
    ('days_created_to_opportunity', 'opportunity', 'days_from_created'),
    ('days_created_to_won', 'won', 'days_from_created'),
] %}
with

events as (

    select * from {{ ref('int_kpi_events') }}

),

facts as (

    select * from {{ ref('int_kpi_lead_facts') }}

),

sla as (

    select
        lead_sla.sla_id,
        lead_sla.status,
        lead_sla.started_at as event_at,
        facts.*
    from {{ ref('lead_sla') }} as lead_sla
    inner join facts on lead_sla.lead_id = facts.lead_id
    where lead_sla.status in ('met', 'breached', 'open_breached')

),

parameters as (

    select
        max(case when parameter = 'gross_margin' then value end) as gross_margin,
        max(case when parameter = 'annual_churn_rate' then value end) as annual_churn_rate
    from {{ ref('kpi_parameters') }}

),

spend as (

    select * from {{ ref('stg_marketing__marketing_spend') }}

),

targets as (

    select * from {{ ref('stg_crm__sales_targets') }}

),

opportunities as (

    select
        opportunities.*,
        facts.team
    from {{ ref('stg_crm__opportunities') }} as opportunities
    inner join {{ ref('int_lead_identity') }} as identity
        on opportunities.source_lead_id = identity.source_lead_id
    inner join facts on identity.lead_id = facts.lead_id

),

counts as (
    {%- for grain, basis, date_column, dim in combos %}
        select
            '{{ grain }}' as period_grain,
            '{{ basis }}' as basis,
            cast({{ dbt.date_trunc(grain, date_column) }} as date) as period_start,
            '{{ dim }}' as slice_dimension,
            {% if dim == 'all' %}'all'{% else %}cast({{ dim }} as {{ dbt.type_string() }}){% endif %} as slice_value,
            {%- for milestone in milestones %}
                sum(case when milestone = '{{ milestone }}' then 1 else 0 end) as n_{{ milestone }},
            {%- endfor %}
            coalesce(sum(case when milestone = 'won' then milestone_value end), 0) as won_amount
        from events
        where {{ date_column }} <= {{ as_of() }}
        group by 1, 2, 3, 4, 5
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

durations as (

    -- one row per lead and velocity metric it has a duration for (an out-of-order stage entry has none)
    {%- for metric, milestone, value in median_metrics %}
        select
            events.*,
            '{{ metric }}' as metric,
            {{ value }} as days
        from events
        where milestone = '{{ milestone }}' and {{ value }} is not null
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

velocity_metrics as (
    {%- for grain, basis, date_column, dim in combos if dim != 'reject_reason' %}
        select
            '{{ grain }}' as period_grain,
            '{{ basis }}' as basis,
            cast({{ dbt.date_trunc(grain, date_column) }} as date) as period_start,
            '{{ dim }}' as slice_dimension,
            {% if dim == 'all' %}'all'{% else %}cast({{ dim }} as {{ dbt.type_string() }}){% endif %} as slice_value,
            metric,
            cast(null as {{ type_double() }}) as numerator,
            cast(count(*) as {{ type_double() }}) as denominator,
            {{ percentile('days', 0.5) }} as value
        from durations
        where {{ date_column }} <= {{ as_of() }}
        group by 1, 2, 3, 4, 5, 6
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

funnel_metrics as (
    {%- for metric, numerator, denominator in ratio_metrics %}
        select
            period_grain,
            basis,
            period_start,
            slice_dimension,
            slice_value,
            '{{ metric }}' as metric,
            cast({{ numerator }} as {{ type_double() }}) as numerator,
            cast({{ denominator }} as {{ type_double() }}) as denominator,
            {% if denominator == 'null' -%}
                cast({{ numerator }} as {{ type_double() }})
            {%- else -%}
                case when {{ denominator }} > 0 then 1.0 * ({{ numerator }}) / ({{ denominator }}) end
            {%- endif %} as value
        from counts
        where slice_dimension != 'reject_reason'
        union all
    {%- endfor %}

    select
        period_grain,
        basis,
        period_start,
        slice_dimension,
        slice_value,
        'won_rate_by_peak_band' as metric,
        cast(n_won as {{ type_double() }}) as numerator,
        cast(n_created as {{ type_double() }}) as denominator,
        case when n_created > 0 then 1.0 * n_won / n_created end as value
    from counts
    where slice_dimension = 'peak_band'
    union all
    select
        period_grain,
        basis,
        period_start,
        slice_dimension,
        slice_value,
        'rejection_reason_share' as metric,
        cast(n_rejected as {{ type_double() }}) as numerator,
        cast(all_rejected as {{ type_double() }}) as denominator,
        case when all_rejected > 0 then 1.0 * n_rejected / all_rejected end as value
    from (
        select
            *,
            sum(n_rejected) over (partition by period_grain, basis, period_start) as all_rejected
        from counts
        where slice_dimension = 'reject_reason' and slice_value != 'none'
    ) as reasons
    where n_rejected > 0

),

sla_counts as (
    {%- for grain, basis, date_column, dim in sla_combos %}
        {%- for sla_grouping in ['sla_id', "'all'"] %}
            select
                '{{ grain }}' as period_grain,
                '{{ basis }}' as basis,
                cast({{ dbt.date_trunc(grain, date_column) }} as date) as period_start,
                '{{ dim }}' as slice_dimension,
                {% if dim == 'all' %}'all'{% else %}cast({{ dim }} as {{ dbt.type_string() }}){% endif %}
                    as slice_value,
                {{ sla_grouping }},
                sum(case when status = 'met' then 1 else 0 end) as n_met,
                count(*) as n_judged
            from sla
            group by 1, 2, 3, 4, 5, 6
            {% if not loop.last %}union all{% endif %}
        {%- endfor %}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

sla_metrics as (

    select
        period_grain,
        basis,
        period_start,
        slice_dimension,
        slice_value,
        case when sla_id = 'all' then 'sla_compliance' else {{ dbt.concat(["'sla_compliance__'", "sla_id"]) }} end
            as metric,
        cast(n_met as {{ type_double() }}) as numerator,
        cast(n_judged as {{ type_double() }}) as denominator,
        1.0 * n_met / n_judged as value
    from sla_counts

),

monthly_spend as (

    {%- for dim in ['all', 'lead_source', 'channel'] %}
        select
            cast({{ dbt.date_trunc('month', 'spend_month') }} as date) as period_start,
            '{{ dim }}' as slice_dimension,
            {% if dim == 'all' %}'all'{% else %}{{ dim }}{% endif %} as slice_value,
            sum(amount) as spend
        from spend
        group by 1, 2, 3
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

efficiency_metrics as (

    select
        counts.period_grain,
        counts.basis,
        counts.period_start,
        counts.slice_dimension,
        counts.slice_value,
        'cac' as metric,
        cast(monthly_spend.spend as {{ type_double() }}) as numerator,
        cast(counts.n_won as {{ type_double() }}) as denominator,
        case when counts.n_won > 0 then monthly_spend.spend / counts.n_won end as value
    from counts
    inner join monthly_spend
        on
            counts.period_start = monthly_spend.period_start
            and counts.slice_dimension = monthly_spend.slice_dimension
            and counts.slice_value = monthly_spend.slice_value
    where counts.period_grain = 'month'

    union all

    select
        counts.period_grain,
        counts.basis,
        counts.period_start,
        counts.slice_dimension,
        counts.slice_value,
        'cac_payback_months' as metric,
        cast(monthly_spend.spend as {{ type_double() }}) as numerator,
        counts.won_amount * parameters.gross_margin / 12 as denominator,
        case
            when counts.won_amount > 0 then monthly_spend.spend / (counts.won_amount * parameters.gross_margin / 12)
        end as value
    from counts
    inner join monthly_spend
        on
            counts.period_start = monthly_spend.period_start
            and counts.slice_dimension = monthly_spend.slice_dimension
            and counts.slice_value = monthly_spend.slice_value
    cross join parameters
    where counts.period_grain = 'month'

),

months as (

    select distinct period_start
    from counts
    where period_grain = 'month' and basis = 'period'

),

open_pipeline as (

    -- opportunities open at the end of each month (created before it, not closed by then)
    {%- for dim in ['all', 'team'] %}
        select
            months.period_start,
            '{{ dim }}' as slice_dimension,
            {% if dim == 'all' %}'all'{% else %}opportunities.team{% endif %} as slice_value,
            sum(opportunities.amount) as open_pipeline
        from months
        inner join opportunities
            on
                opportunities.created_at < {{ dbt.dateadd('month', 1, 'months.period_start') }}
                and (
                    opportunities.closed_at is null
                    or opportunities.closed_at >= {{ dbt.dateadd('month', 1, 'months.period_start') }}
                )
        group by 1, 2, 3
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

monthly_targets as (

    {%- for dim in ['all', 'team'] %}
        select
            cast({{ dbt.date_trunc('month', 'target_month') }} as date) as period_start,
            '{{ dim }}' as slice_dimension,
            {% if dim == 'all' %}'all'{% else %}team_id{% endif %} as slice_value,
            sum(bookings_target) as bookings_target
        from targets
        group by 1, 2, 3
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

coverage_metrics as (

    select
        'month' as period_grain,
        'period' as basis,
        monthly_targets.period_start,
        monthly_targets.slice_dimension,
        monthly_targets.slice_value,
        'pipeline_coverage' as metric,
        cast(coalesce(open_pipeline.open_pipeline, 0) as {{ type_double() }}) as numerator,
        cast(monthly_targets.bookings_target as {{ type_double() }}) as denominator,
        case
            when monthly_targets.bookings_target > 0
                then coalesce(open_pipeline.open_pipeline, 0) / monthly_targets.bookings_target
        end as value
    from monthly_targets
    inner join months on monthly_targets.period_start = months.period_start
    left join open_pipeline
        on
            monthly_targets.period_start = open_pipeline.period_start
            and monthly_targets.slice_dimension = open_pipeline.slice_dimension
            and monthly_targets.slice_value = open_pipeline.slice_value

),

mql_scores as (
    {%- for grain, basis, date_column in score_combos %}
        select
            '{{ grain }}' as period_grain,
            '{{ basis }}' as basis,
            cast({{ dbt.date_trunc(grain, date_column) }} as date) as period_start,
            score_at_mql_crossing as score,
            case when won_at is not null then 1 else 0 end as is_won
        from facts
        where mql_at is not null and score_at_mql_crossing is not null
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

mql_score_ranks as (

    -- average rank for ties, as the Mann-Whitney form of the AUC needs
    select
        *,
        rank() over (partition by period_grain, basis, period_start order by score)
        + (count(*) over (partition by period_grain, basis, period_start, score) - 1) / 2.0 as score_rank
    from mql_scores

),

auc_metrics as (

    select
        period_grain,
        basis,
        period_start,
        'all' as slice_dimension,
        'all' as slice_value,
        'score_auc' as metric,
        sum(case when is_won = 1 then score_rank else 0 end) - sum(is_won) * (sum(is_won) + 1) / 2.0 as numerator,
        cast(sum(is_won) * (count(*) - sum(is_won)) as {{ type_double() }}) as denominator,
        case
            when sum(is_won) > 0 and count(*) > sum(is_won)
                then (sum(case when is_won = 1 then score_rank else 0 end) - sum(is_won) * (sum(is_won) + 1) / 2.0)
                    / (sum(is_won) * (count(*) - sum(is_won)))
        end as value
    from mql_score_ranks
    group by 1, 2, 3

),

all_metrics as (

    select * from funnel_metrics
    union all
    select * from velocity_metrics
    union all
    select * from sla_metrics
    union all
    select * from efficiency_metrics
    union all
    select * from coverage_metrics
    union all
    select * from auc_metrics

),

definitions as (

    select
        metrics.metric,
        metrics.layer,
        metrics.unit,
        metrics.definition,
        layers.layer_order,
        layers.decision
    from {{ ref('kpi_metrics') }} as metrics
    inner join {{ ref('kpi_layers') }} as layers on metrics.layer = layers.layer

)

select
    {{ surrogate_key(['all_metrics.period_grain', 'all_metrics.basis', 'all_metrics.period_start',
        'all_metrics.metric', 'all_metrics.slice_dimension', 'all_metrics.slice_value']) }} as kpi_id,
    all_metrics.period_grain,
    all_metrics.basis,
    all_metrics.period_start,
    definitions.layer,
    cast(definitions.layer_order as integer) as layer_order,
    definitions.decision,
    all_metrics.metric,
    definitions.unit,
    all_metrics.slice_dimension,
    coalesce(all_metrics.slice_value, 'unknown') as slice_value,
    all_metrics.numerator,
    all_metrics.denominator,
    all_metrics.value
from all_metrics
-- per-SLA compliance metrics (sla_compliance__<sla_id>) share the definition of sla_compliance,
-- so an SLA added to the seed shows up without a metric row of its own; a metric without a
-- definition row keeps its numbers (and fails the not_null test on layer) instead of vanishing
left join definitions
    on definitions.metric = case
            when all_metrics.metric like 'sla_compliance\_\_%' escape '\' then 'sla_compliance'
            else all_metrics.metric
        end
