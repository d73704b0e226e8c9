-- The current reasons explain the score: per lead, the sum of lead_score_reasons.points equals
-- fit_score + negative_score + intent_score on leads (before clamping), within 0.1 point per
-- reason (each is rounded to 1 decimal separately). Leads without reasons must have 0 of each.
with

leads as (

    select
        lead_id,
        fit_score,
        negative_score,
        intent_score
    from {{ ref('leads') }}

),

reasons as (

    select
        lead_id,
        sum(points) as reason_points,
        count(*) as reason_count
    from {{ ref('lead_score_reasons') }}
    group by lead_id

)

select
    leads.lead_id,
    leads.fit_score + leads.negative_score + leads.intent_score as component_points,
    coalesce(reasons.reason_points, 0) as reason_points,
    coalesce(reasons.reason_count, 0) as reason_count
from leads
left join reasons on leads.lead_id = reasons.lead_id
where abs(
        (leads.fit_score + leads.negative_score + leads.intent_score) - coalesce(reasons.reason_points, 0)
    ) > 0.1 * greatest(coalesce(reasons.reason_count, 0), 1)
