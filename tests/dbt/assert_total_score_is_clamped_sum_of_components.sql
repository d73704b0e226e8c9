-- leads.total_score = min(max_score, max(0, fit_score + negative_score + intent_score)) with the
-- lead's scoring model's max_score, within rounding (each value is rounded to 1 decimal).
with

leads as (

    select
        lead_id,
        scoring_model_id,
        fit_score,
        negative_score,
        intent_score,
        total_score
    from {{ ref('leads') }}

),

models as (

    select
        model_id,
        max_score
    from {{ ref('scoring_models') }}

)

select
    leads.lead_id,
    leads.total_score,
    leads.fit_score + leads.negative_score + leads.intent_score as component_points,
    models.max_score
from leads
inner join models on leads.scoring_model_id = models.model_id
where abs(
        leads.total_score
        - least(models.max_score, greatest(0, leads.fit_score + leads.negative_score + leads.intent_score))
    ) > 0.15
