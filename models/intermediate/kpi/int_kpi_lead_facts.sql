-- One row per lead with everything the KPI marts slice and count: the slice dimensions, the
-- first time each funnel milestone happened, and the days between milestones. A stage first
-- entered by a fact dated before the lead's creation (applied at the creation, flagged
-- is_<stage>_out_of_order) still counts as reached but bounds no duration: a negative duration
-- is not a duration. Reads the intermediate models marts.leads is built from, never the marts.
-- Incremental by lead: a run recomputes the leads any of its inputs' change models lists.
{%- set stages = ['mql', 'sal', 'sql', 'opportunity', 'won', 'lost'] %}
{{ config_incremental_by_lead(kpi_fact_changes()) }}
with

inputs as (

    select * from {{ ref('int_lead_scoring_inputs') }}
    where {{ only_changed_leads(changes=kpi_fact_changes()) }}

),

fit as (

    select * from {{ ref('int_lead_fit_scores') }}
    where {{ only_changed_leads(changes=kpi_fact_changes()) }}

),

scores as (

    select * from {{ ref('int_lead_score_summary') }}
    where {{ only_changed_leads(changes=kpi_fact_changes()) }}

),

lead_stages as (

    select * from {{ ref('int_lead_stage_dates') }}
    where {{ only_changed_leads(changes=kpi_fact_changes()) }}

),

routing as (

    select * from {{ ref('int_lead_routing') }}
    where {{ only_changed_leads(changes=kpi_fact_changes()) }}

),

opportunities as (

    -- already mapped to their person (int_opportunities_resolved)
    select * from {{ ref('int_opportunities_resolved') }}
    where {{ only_changed_leads(changes=kpi_fact_changes()) }}

),

won_amounts as (

    select
        lead_id,
        sum(amount) as won_amount
    from opportunities
    where outcome = 'won'
    group by lead_id

),

leads as (

    select
        inputs.lead_id,
        inputs.created_at,
        inputs.lead_source,
        inputs.channel,
        inputs.segment,
        fit.fit_tier,
        inputs.motion,
        scores.peak_band,
        cast({{ round_to("scores.score_at_mql_crossing", 1) }} as decimal(9, 1)) as score_at_mql_crossing,
        {%- for stage in stages %}
            lead_stages.{{ stage }}_at,
            coalesce(lead_stages.is_{{ stage }}_out_of_order, false) as is_{{ stage }}_out_of_order,
        {%- endfor %}
        coalesce(lead_stages.is_closed_out_of_order, false) as is_closed_out_of_order,
        lead_stages.rejected_at,
        lead_stages.reject_reason
    from inputs
    inner join fit on inputs.lead_id = fit.lead_id
    inner join scores on inputs.lead_id = scores.lead_id
    left join lead_stages on inputs.lead_id = lead_stages.lead_id

)

select
    leads.lead_id,
    leads.created_at,
    leads.lead_source,
    leads.channel,
    leads.segment,
    leads.fit_tier,
    leads.motion,
    coalesce(routing.team_id, 'unassigned') as team,
    coalesce(routing.owner_rep_id, 'unassigned') as rep,
    leads.peak_band,
    leads.fit_tier = 'A' as is_icp_match,
    {%- for stage in stages %}
        leads.{{ stage }}_at,
    {%- endfor %}
    coalesce(leads.won_at, leads.lost_at) as closed_at,
    leads.rejected_at,
    leads.reject_reason,
    leads.score_at_mql_crossing,
    won_amounts.won_amount,
    {%- for stage in stages %}
        leads.is_{{ stage }}_out_of_order,
    {%- endfor %}
    leads.is_closed_out_of_order,
    {%- for stage in ['mql', 'sal', 'sql', 'opportunity', 'won'] %}
        case
            when not leads.is_{{ stage }}_out_of_order
                then {{ dbt.datediff('leads.created_at', 'leads.' ~ stage ~ '_at', 'second') }} / 86400.0  -- noqa: LT05
        end as days_created_to_{{ stage }},
    {%- endfor %}
    {{ kpi_days_between('leads.mql_at', 'leads.sql_at', 'leads.is_mql_out_of_order', 'leads.is_sql_out_of_order') }}
        as days_mql_to_sql,
    {{ kpi_days_between(
        'leads.sql_at', 'coalesce(leads.won_at, leads.lost_at)', 'leads.is_sql_out_of_order', 'leads.is_closed_out_of_order'
    ) }} as days_sql_to_close
from leads
left join routing on leads.lead_id = routing.lead_id
left join won_amounts on leads.lead_id = won_amounts.lead_id
