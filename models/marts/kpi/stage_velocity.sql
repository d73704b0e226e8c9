-- Days between stages (first entry to first entry) by segment and cohort month: median, p75
-- and p90. Rows with segment 'all' cover every segment; rows with cohort_month null cover every
-- cohort. The slowest step is the one with the highest median.
{%- set steps = [
    ('lead', 'mql', 'created_at', 'mql_at'),
    ('mql', 'sal', 'mql_at', 'sal_at'),
    ('sal', 'sql', 'sal_at', 'sql_at'),
    ('mql', 'sql', 'mql_at', 'sql_at'),
    ('sql', 'opportunity', 'sql_at', 'opportunity_at'),
    ('opportunity', 'closed', 'opportunity_at', 'closed_at'),
    ('sql', 'closed', 'sql_at', 'closed_at'),
] %}
with

facts as (

    select * from {{ ref('int_kpi_lead_facts') }}

),

durations as (
    {%- for from_stage, to_stage, from_at, to_at in steps %}
        select
            segment,
            cast({{ dbt.date_trunc('month', 'created_at') }} as date) as cohort_month,
            {{ loop.index }} as step_order,
            '{{ from_stage }}' as from_stage,
            '{{ to_stage }}' as to_stage,
            {{ dbt.datediff(from_at, to_at, 'second') }} / 86400.0 as days
        from facts
        where {{ from_at }} is not null and {{ to_at }} is not null and {{ to_at }} >= {{ from_at }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

aggregated as (

    {%- for segment_expr, month_expr in [('segment', 'cohort_month'), ("'all'", 'cohort_month'),
                                          ('segment', 'null'), ("'all'", 'null')] %}
        select
            {{ segment_expr }},
            cast({{ month_expr }} as date) as cohort_month,
            step_order,
            from_stage,
            to_stage,
            count(*) as lead_count,
            {{ percentile('days', 0.5) }} as median_days,
            {{ percentile('days', 0.75) }} as p75_days,
            {{ percentile('days', 0.9) }} as p90_days
        from durations
        group by 1, 2, 3, 4, 5
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

)

select
    {{ surrogate_key(['segment', 'cohort_month', 'from_stage', 'to_stage']) }} as stage_velocity_id,
    segment,
    cohort_month,
    cast(step_order as integer) as step_order,
    from_stage,
    to_stage,
    cast(lead_count as bigint) as lead_count,
    median_days,
    p75_days,
    p90_days
from aggregated
