-- Days between stages (first entry to first entry) by segment and cohort month: median, p75
-- and p90. Rows with segment 'all' cover every segment; rows with cohort_month null cover every
-- cohort. The slowest step is the one with the highest median. Steps from `lead` start at the
-- lead's creation (first contact): lead → won is the days from first contact to close. A stage
-- entered by a fact dated before the lead's creation (applied at the creation, flagged in
-- lead_stage_history.is_out_of_order) bounds no duration.
{%- set steps = [
    ('lead', 'mql', 'created_at', 'mql_at', 'false', 'is_mql_out_of_order'),
    ('mql', 'sal', 'mql_at', 'sal_at', 'is_mql_out_of_order', 'is_sal_out_of_order'),
    ('sal', 'sql', 'sal_at', 'sql_at', 'is_sal_out_of_order', 'is_sql_out_of_order'),
    ('mql', 'sql', 'mql_at', 'sql_at', 'is_mql_out_of_order', 'is_sql_out_of_order'),
    ('sql', 'opportunity', 'sql_at', 'opportunity_at', 'is_sql_out_of_order', 'is_opportunity_out_of_order'),
    ('opportunity', 'closed', 'opportunity_at', 'closed_at', 'is_opportunity_out_of_order', 'is_closed_out_of_order'),
    ('sql', 'closed', 'sql_at', 'closed_at', 'is_sql_out_of_order', 'is_closed_out_of_order'),
    ('lead', 'sal', 'created_at', 'sal_at', 'false', 'is_sal_out_of_order'),
    ('lead', 'sql', 'created_at', 'sql_at', 'false', 'is_sql_out_of_order'),
    ('lead', 'opportunity', 'created_at', 'opportunity_at', 'false', 'is_opportunity_out_of_order'),
    ('lead', 'won', 'created_at', 'won_at', 'false', 'is_won_out_of_order'),
] %}
with

facts as (

    select * from {{ ref('int_kpi_lead_facts') }}

),

durations as (
    {%- for from_stage, to_stage, from_at, to_at, from_flag, to_flag in steps %}
        select
            segment,
            cast({{ dbt.date_trunc('month', 'created_at') }} as date) as cohort_month,
            {{ loop.index }} as step_order,
            '{{ from_stage }}' as from_stage,
            '{{ to_stage }}' as to_stage,
            {{ dbt.datediff(from_at, to_at, 'second') }} / 86400.0 as days
        from facts
        where
            {{ from_at }} is not null and {{ to_at }} is not null and {{ to_at }} >= {{ from_at }}
            and not {{ from_flag }} and not {{ to_flag }}
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
            {{ percentiles('days', [0.5, 0.75, 0.9]) }} as day_percentiles
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
    {{ array_item('day_percentiles', 1) }} as median_days,
    {{ array_item('day_percentiles', 2) }} as p75_days,
    {{ array_item('day_percentiles', 3) }} as p90_days
from aggregated
