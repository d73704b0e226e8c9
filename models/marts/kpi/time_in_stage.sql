-- Days spent in each stage, completed stays only (the lead has left the stage), by segment and
-- cohort month (the month the lead was created, UTC): stays, median, p75 and p90. Rows with
-- segment 'all' cover every segment; rows with a null cohort_month cover every cohort. The entry
-- stage (the first of lifecycle_stages, left when the lead is created) is left out. The Velocity
-- page reads it instead of recomputing the percentiles over every stay on each visit.
with

stages as (

    select * from {{ ref('lifecycle_stages') }}

),

entry_stage as (

    select min(stage_order) as stage_order from stages

),

stays as (

    select
        leads.segment,
        cast({{ dbt.date_trunc('month', 'leads.created_at') }} as date) as cohort_month,
        history.stage,
        stages.stage_order,
        history.hours_in_stage / 24.0 as days
    from {{ ref('lead_stage_history') }} as history
    inner join {{ ref('leads') }} as leads on history.lead_id = leads.lead_id
    inner join stages on history.stage = stages.stage
    cross join entry_stage
    where history.exited_at is not null and stages.stage_order > entry_stage.stage_order

),

aggregated as (

    {%- for segment_expr, month_expr in [('segment', 'cohort_month'), ("'all'", 'cohort_month'),
                                          ('segment', 'null'), ("'all'", 'null')] %}
        select
            {{ segment_expr }} as segment,
            cast({{ month_expr }} as date) as cohort_month,
            stage,
            stage_order,
            count(*) as stays,
            {{ percentiles('days', [0.5, 0.75, 0.9]) }} as day_percentiles
        from stays
        group by 1, 2, 3, 4
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

)

select
    {{ surrogate_key(['segment', 'cohort_month', 'stage']) }} as time_in_stage_id,
    segment,
    cohort_month,
    stage,
    cast(stage_order as integer) as stage_order,
    cast(stays as bigint) as stays,
    {{ array_item('day_percentiles', 1) }} as median_days,
    {{ array_item('day_percentiles', 2) }} as p75_days,
    {{ array_item('day_percentiles', 3) }} as p90_days
from aggregated
