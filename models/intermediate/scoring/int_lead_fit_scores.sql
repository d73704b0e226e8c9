-- Fit points, negative points, ICP match % and fit tier per lead (0 / tier C when no rule
-- matched). ICP match % counts the model's ICP criteria (company size, persona, industry,
-- region, tech stack by default) met by at least one matched fit rule. Incremental by lead, as
-- int_lead_fit_rule_matches.
{{ config_incremental_by_lead('int_fit_changed_leads') }}
with

inputs as (

    select * from {{ ref('int_lead_scoring_inputs') }}
    where {{ only_changed_leads(changes='int_fit_changed_leads') }}

),

matches as (

    select * from {{ ref('int_lead_fit_rule_matches') }}
    where {{ only_changed_leads(changes='int_fit_changed_leads') }}

),

rules as (

    select * from {{ ref('scoring_fit_rules') }}

),

criteria_per_model as (

    select
        model_id,
        count(distinct icp_criterion) as icp_criteria_count
    from rules
    where icp_criterion is not null and dimension = 'fit'
    group by model_id

),

lead_points as (

    select
        lead_id,
        sum(case when dimension = 'fit' then points else 0 end) as fit_score,
        sum(case when dimension = 'negative' then points else 0 end) as negative_score,
        count(distinct case when dimension = 'fit' then icp_criterion end) as icp_criteria_met
    from matches
    group by lead_id

),

scored as (

    select
        inputs.lead_id,
        coalesce(lead_points.fit_score, 0) as fit_score,
        coalesce(lead_points.negative_score, 0) as negative_score,
        case
            when coalesce(criteria_per_model.icp_criteria_count, 0) = 0 then 0
            else 100.0 * coalesce(lead_points.icp_criteria_met, 0) / criteria_per_model.icp_criteria_count
        end as icp_match_pct,
        inputs.icp_tier_a_min_pct,
        inputs.icp_tier_b_min_pct
    from inputs
    left join lead_points on inputs.lead_id = lead_points.lead_id
    left join criteria_per_model on inputs.scoring_model_id = criteria_per_model.model_id

)

select
    lead_id,
    fit_score,
    negative_score,
    icp_match_pct,
    case
        when icp_match_pct >= icp_tier_a_min_pct then 'A'
        when icp_match_pct >= icp_tier_b_min_pct then 'B'
        else 'C'
    end as fit_tier
from scored
