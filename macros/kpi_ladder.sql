{#- Building blocks of the KPI ladder (models/intermediate/kpi/int_kpi_ladder__*.sql). The metrics
    themselves (name, label, layer, unit, numerator, denominator) are rows of
    seeds/kpi/kpi_metrics.csv; these macros only say how a family's rows are dated, sliced and
    divided. -#}

{% macro kpi_milestones() -%}
    {#- The funnel milestones int_kpi_events lists and int_kpi_milestone_counts counts (n_<name>):
        (name, the column dating it, when a lead has it, its amount in USD, the int_kpi_lead_facts
        duration in days that ends at it). -#}
    {{ return([
        ('created', 'created_at', 'true', none, none),
        ('icp_match', 'created_at', 'is_icp_match', none, none),
        ('mql', 'mql_at', 'mql_at is not null', none, 'days_created_to_mql'),
        ('sal', 'sal_at', 'sal_at is not null', none, 'days_created_to_sal'),
        ('sql', 'sql_at', 'sql_at is not null', none, 'days_created_to_sql'),
        ('opportunity', 'opportunity_at', 'opportunity_at is not null', none, 'days_created_to_opportunity'),
        ('sal_after_mql', 'sal_at', 'sal_at is not null and mql_at is not null', none, none),
        ('sql_after_sal', 'sql_at', 'sql_at is not null and sal_at is not null', none, none),
        ('sql_after_mql', 'sql_at', 'sql_at is not null and mql_at is not null', none, 'days_mql_to_sql'),
        ('rejected', 'rejected_at', 'rejected_at is not null', none, none),
        ('won', 'won_at', 'won_at is not null', 'won_amount', 'days_created_to_won'),
        ('lost', 'lost_at', 'lost_at is not null', none, none),
        ('won_after_mql', 'won_at', 'won_at is not null and mql_at is not null', none, none),
        ('closed_after_sql', 'closed_at', 'closed_at is not null and sql_at is not null', none, 'days_sql_to_close'),
    ]) }}
{%- endmacro %}

{% macro kpi_period_grains() -%}
    {#- The period grains of the ladder. -#}
    {{ return(['month', 'week']) }}
{%- endmacro %}

{% macro kpi_slice_dimensions(exclude=[]) -%}
    {#- The dimensions a ladder metric is sliced by (besides slice `all`), less `exclude`. -#}
    {%- set dimensions = ['lead_source', 'channel', 'segment', 'fit_tier', 'motion', 'team', 'rep', 'peak_band',
                          'reject_reason'] %}
    {{ return(dimensions | reject('in', exclude) | list) }}
{%- endmacro %}

{% macro kpi_periods(dates) -%}
    {#- Each period grain (kpi_period_grains) and basis of `dates`, a list of (basis, column dating
        a row under it), e.g. [('cohort', 'created_at'), ('period', 'event_at')]: tuples (grain,
        basis, column, name of the period column kpi_period_columns adds: <basis>_<grain>). -#}
    {%- set periods = [] %}
    {%- for grain in kpi_period_grains() %}
        {%- for basis, column in dates %}{% do periods.append((grain, basis, column, basis ~ '_' ~ grain)) %}{% endfor %}
    {%- endfor %}
    {{ return(periods) }}
{%- endmacro %}

{% macro kpi_period_start(grain, column) -%}
    {#- The first day of the month, or the Monday of the week, of `column`. -#}
    cast({{ dbt.date_trunc(grain, column) }} as date)
{%- endmacro %}

{% macro kpi_dated(relation, dates) -%}
    {#- Every row of `relation` once per period grain and basis (kpi_periods). Adds period_grain,
        basis, dated_at and period_start. -#}
    {%- for grain, basis, column, _ in kpi_periods(dates) %}
            select
                {{ relation }}.*,
                '{{ grain }}' as period_grain,
                '{{ basis }}' as basis,
                {{ relation }}.{{ column }} as dated_at,
                {{ kpi_period_start(grain, relation ~ '.' ~ column) }} as period_start
            from {{ relation }}
            {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{% macro kpi_period_keys(dates) -%}
    {#- The period columns kpi_period_columns adds for `dates`. -#}
    {%- set keys = [] %}
    {%- for period in kpi_periods(dates) %}{% do keys.append(period[3]) %}{% endfor %}
    {{ return(keys) }}
{%- endmacro %}

{% macro kpi_period_columns(relation, dates, up_to_as_of=false) -%}
    {#- The period of a row of `relation` under every grain and basis at once, one column each
        (kpi_period_keys), for counts that are summed per period before the rows are repeated per
        grain and basis (kpi_dated_periods): at 1M leads the milestone counts take half the time of
        counting kpi_dated's four copies of every row. up_to_as_of: null where the dating column is
        after as_of (not counted). -#}
    {%- for grain, basis, column, key in kpi_periods(dates) %}
            {%- set period = kpi_period_start(grain, relation ~ '.' ~ column) %}
            {%- if up_to_as_of %}
            case when {{ relation }}.{{ column }} <= {{ as_of() }} then {{ period }} end as {{ key }}
            {%- else %}
            {{ period }} as {{ key }}
            {%- endif %}
            {%- if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{% macro kpi_dated_periods(relation, dates, columns) -%}
    {#- Every row of `relation` (which has the kpi_period_columns of `dates`) once per period grain
        and basis: period_grain, basis, period_start and `columns`; a row without a period there
        (dated after as_of) is left out. -#}
    {%- for grain, basis, column, key in kpi_periods(dates) %}
            select
                '{{ grain }}' as period_grain,
                '{{ basis }}' as basis,
                {{ relation }}.{{ key }} as period_start,
                {%- for name in columns %}
                {{ relation }}.{{ name }}{{ ',' if not loop.last }}
                {%- endfor %}
            from {{ relation }}
            where {{ relation }}.{{ key }} is not null
            {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{% macro kpi_slice_sets(keys, dimensions) -%}
    {#- Grouping sets: `keys` alone (slice all), then `keys` with each dimension. (sqlfluff's
        duckdb dialect does not parse GROUPING SETS: the `group by` line carries noqa: PRS.) -#}
    ({{ keys | join(', ') }})
    {%- for dimension in dimensions %},
        ({{ keys | join(', ') }}, {{ dimension }})
    {%- endfor %}
{%- endmacro %}

{% macro kpi_slice_columns(dimensions) -%}
    {#- slice_dimension and slice_value of a row aggregated by kpi_slice_sets(keys, dimensions). -#}
    case
        {%- for dimension in dimensions %}
            when grouping({{ dimension }}) = 0 then '{{ dimension }}'
        {%- endfor %}
        else 'all'
    end as slice_dimension,
    case
        {%- for dimension in dimensions %}
            when grouping({{ dimension }}) = 0 then cast({{ dimension }} as {{ dbt.type_string() }})
        {%- endfor %}
        else 'all'
    end as slice_value
{%- endmacro %}

{% macro kpi_measure(name, measures, measure_columns) -%}
    {#- The measure column of `measures` a kpi_metrics numerator or denominator names. -#}
    case {{ name }}
        {%- for column in measure_columns %}
            when '{{ column }}' then {{ measures }}.{{ column }}
        {%- endfor %}
    end
{%- endmacro %}

{% macro kpi_ratio_metrics(measures, definitions, measure_columns, metric_suffix=none) -%}
    {#- The ladder rows of the ratio metrics in `definitions` (rows of kpi_metrics) whose numerator
        is one of `measure_columns`, for every row of `measures` (one per period grain, basis,
        period and slice): numerator and denominator are the measures the seed names, value is
        numerator / denominator (null when the denominator is 0; the numerator itself for a
        metric without denominator). A metric is published for its seed slice_dimension only,
        or, without one, for every slice but reject_reason. `metric_suffix`: an expression
        appended to the metric name. -#}
    {%- set numerator = kpi_measure(definitions ~ '.numerator', measures, measure_columns) %}
    {%- set denominator = kpi_measure(definitions ~ '.denominator', measures, measure_columns) %}
    select
        {{ measures }}.period_grain,
        {{ measures }}.basis,
        {{ measures }}.period_start,
        {{ measures }}.slice_dimension,
        {{ measures }}.slice_value,
        {% if metric_suffix -%}
            {{ dbt.concat([definitions ~ '.metric', metric_suffix]) }}
        {%- else -%}
            {{ definitions }}.metric
        {%- endif %} as metric,
        cast({{ numerator }} as {{ type_double() }}) as numerator,
        cast({{ denominator }} as {{ type_double() }}) as denominator,
        case
            when {{ definitions }}.denominator is null then cast({{ numerator }} as {{ type_double() }})
            when {{ denominator }} > 0
                then cast({{ numerator }} as {{ type_double() }}) / cast({{ denominator }} as {{ type_double() }})
        end as value
    from {{ measures }}
    inner join {{ definitions }}
        on
            {{ definitions }}.numerator in ('{{ measure_columns | join("', '") }}')
            and (
                {{ definitions }}.slice_dimension = {{ measures }}.slice_dimension
                or ({{ definitions }}.slice_dimension is null and {{ measures }}.slice_dimension != 'reject_reason')
            )
{%- endmacro %}

{% macro kpi_days_between(start_at, end_at, start_out_of_order, end_out_of_order) -%}
    {#- Days (fractional, wall-clock) from one stage's first entry to another's: null unless the lead
        reached both, and null when either entry is a fact dated before the lead's creation
        (applied at the creation: a negative duration is not a duration). int_kpi_lead_facts and
        marts.leads (days_mql_to_sql, the semantic layer's median) both use it. -#}
    case
        when
            {{ start_at }} is not null and {{ end_at }} is not null
            and not coalesce({{ start_out_of_order }}, false) and not coalesce({{ end_out_of_order }}, false)
            then {{ dbt.datediff(start_at, end_at, 'second') }} / 86400.0
    end
{%- endmacro %}

{% macro kpi_parameters_row(names) -%}
    {#- One row with a column per named parameter of seeds/kpi/kpi_parameters.csv (its value). -#}
    select
    {%- for name in names %}
        max(case when parameter = '{{ name }}' then value end) as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
    from {{ ref('kpi_parameters') }}
{%- endmacro %}

{% macro kpi_fact_changes() -%}
    {#- The change models int_kpi_lead_facts and int_kpi_events follow (docs/incremental.md,
        section 4): one for each input of the lead facts. Of the SLA's, the data changes only: a
        running clock's elapsed time does not reach the facts, its routing does. -#}
    {{ return([
        'int_crm_changed_leads', 'int_fit_changed_leads', 'int_scoring_changed_leads',
        'int_lifecycle_changed_leads', 'int_sla_changed_leads:is_data_changed', 'int_opportunity_changed_leads'
    ]) }}
{%- endmacro %}
