-- The KPI ladder in long form: one row per period grain, period, basis, metric and slice, with
-- numerator, denominator and value. Basis `cohort` counts a lead in the period it was created,
-- whatever happened later; basis `period` counts each milestone in the period it happened. Each
-- metric family is computed by its own model (int_kpi_ladder__*); every metric's definition —
-- label, layer, unit, numerator and denominator — is a row of seeds/kpi/kpi_metrics.csv.
{%- set families = ['funnel', 'velocity', 'sla', 'efficiency', 'score'] %}
with

all_metrics as (

    {%- for family in families %}
        select
            period_grain,
            basis,
            period_start,
            slice_dimension,
            slice_value,
            metric,
            numerator,
            denominator,
            value
        from {{ ref('int_kpi_ladder__' ~ family) }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

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
    -- '!' escapes the underscores: a backslash literal reads differently on Spark
    on definitions.metric = case
            when all_metrics.metric like 'sla_compliance!_!_%' escape '!' then 'sla_compliance'
            else all_metrics.metric
        end
