-- Stage-to-stage conversion by cohort month (the month the lead was created) and slice:
-- how many leads reached the from-stage and how many of them went on to the to-stage. Steps
-- from `lead` (every lead) to each stage give the share of leads that ever reached it: lead → won
-- is the won rate. A stage entered by a fact dated before the lead's creation counts as reached.
-- reached_or_later also counts the leads that skipped to_stage but reached a later one (e.g. an
-- opportunity created without an SQL): the funnel's monotonic "reached this stage or later".
{%- set steps = [
    ('lead', 'mql', 'created_at', 'mql_at'),
    ('mql', 'sal', 'mql_at', 'sal_at'),
    ('sal', 'sql', 'sal_at', 'sql_at'),
    ('mql', 'sql', 'mql_at', 'sql_at'),
    ('sql', 'opportunity', 'sql_at', 'opportunity_at'),
    ('opportunity', 'won', 'opportunity_at', 'won_at'),
    ('lead', 'sal', 'created_at', 'sal_at'),
    ('lead', 'sql', 'created_at', 'sql_at'),
    ('lead', 'opportunity', 'created_at', 'opportunity_at'),
    ('lead', 'won', 'created_at', 'won_at'),
] %}
{%- set slices = ['lead_source', 'channel', 'segment', 'fit_tier', 'motion', 'team'] %}
{#- the funnel's stages in order: "reached X or later" is any of X's and the later stages' times -#}
{%- set stage_times = [('mql', 'mql_at'), ('sal', 'sal_at'), ('sql', 'sql_at'), ('opportunity', 'opportunity_at'),
    ('won', 'won_at')] %}
with

facts as (

    select * from {{ ref('int_kpi_lead_facts') }}

),

patterns as (

    -- leads counted once per cohort, slice and set of stages reached: every step's counts below
    -- are sums over these groups (a few per slice) instead of a pass over every lead per step
    {%- set pattern_columns = 1 + (slices | length) + 1 + (stage_times | length) + 1 %}
    select
        cast({{ dbt.date_trunc('month', 'created_at') }} as date) as cohort_month,
        {%- for slice in slices %}
            {{ slice }},
        {%- endfor %}
        {%- for stage, stage_at in [('lead', 'created_at')] + stage_times %}
            {{ stage_at }} is not null as reached_{{ stage }},
        {%- endfor %}
        -- 1 (mql) … 5 (won): the latest funnel stage reached, for "reached this stage or later"
        case
            {%- for stage, stage_at in stage_times | reverse %}
                when {{ stage_at }} is not null then {{ loop.revindex }}
            {%- endfor %}
            else 0
        end as furthest_stage,
        count(*) as leads
    from facts
    group by {{ range(1, pattern_columns + 1) | join(', ') }}

),

steps as (
    {%- for from_stage, to_stage, from_at, to_at in steps %}
        select
            cohort_month,
            {%- for slice in slices %}
                {{ slice }},
            {%- endfor %}
            {{ loop.index }} as step_order,
            '{{ from_stage }}' as from_stage,
            '{{ to_stage }}' as to_stage,
            sum(leads) as entered,
            sum(case when reached_{{ to_stage }} then leads else 0 end) as converted,
            {%- set stages = stage_times | map(attribute=0) | list %}
            sum(case when furthest_stage >= {{ stages.index(to_stage) + 1 }} then leads else 0 end) as reached_or_later
        from patterns
        where reached_{{ from_stage }}
        group by {{ range(1, (slices | length) + 2) | join(', ') }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

)

select
    {{ surrogate_key(['cohort_month', 'lead_source', 'channel', 'segment', 'fit_tier', 'motion', 'team',
        'from_stage', 'to_stage']) }} as funnel_conversion_id,
    cohort_month,
    lead_source,
    channel,
    segment,
    fit_tier,
    motion,
    team as team_id,
    cast(step_order as integer) as step_order,
    from_stage,
    to_stage,
    cast(entered as bigint) as entered,
    cast(converted as bigint) as converted,
    cast(reached_or_later as bigint) as reached_or_later,
    cast(converted as {{ type_double() }}) / entered as conversion_rate
from steps
