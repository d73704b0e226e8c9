-- One row per lead with its score facts from the ledger: the current scores and bands, the
-- peak, and the score at the score's first MQL crossing. marts.leads and the KPI facts both
-- read it, so each of these is computed once. Scores are unrounded; readers round.
{{ config_incremental_by_lead() }}
with

inputs as (

    select * from {{ ref('int_lead_scoring_inputs') }}
    where {{ only_changed_leads() }}

),

ledger as (

    select * from {{ ref('int_score_ledger') }}
    where {{ only_changed_leads() }}

),

score_triggers as (

    -- the score's own MQL crossings, whoever the lifecycle follows for MQL (stage_sources seed)
    select * from {{ ref('int_lifecycle_triggers__score') }}
    where {{ only_changed_leads() }}

),

last_changes as (

    -- the scores after the latest change (the current ones) and the highest after any change
    select
        lead_id,
        max(case when is_latest_change then intent_score_after end) as intent_score_after,
        max(case when is_latest_change then score_after end) as score_after,
        max(score_after) as peak_score
    from ledger
    group by lead_id

),

first_crossings as (

    select
        lead_id,
        min(trigger_at) as first_mql_crossing_at
    from score_triggers
    where trigger_name = 'score_mql' and trigger_at <= {{ as_of() }}
    group by lead_id

),

scores_at_crossing as (

    -- the score after the last change up to the first MQL crossing
    select
        lead_id,
        score_after as score_at_mql_crossing
    from (
        select
            ledger.lead_id,
            ledger.score_after,
            row_number() over (partition by ledger.lead_id order by ledger.change_sequence desc) as recency
        from ledger
        inner join first_crossings on ledger.lead_id = first_crossings.lead_id
        where ledger.changed_at <= first_crossings.first_mql_crossing_at
    ) as until_crossing
    where recency = 1

),

scores as (

    -- a lead without score changes has score 0
    select
        inputs.lead_id,
        inputs.warm_threshold,
        inputs.mql_threshold,
        inputs.hot_threshold,
        inputs.intent_medium_min,
        inputs.intent_high_min,
        coalesce(last_changes.intent_score_after, 0) as intent_score,
        coalesce(last_changes.score_after, 0) as total_score,
        coalesce(last_changes.peak_score, 0) as peak_score
    from inputs
    left join last_changes on inputs.lead_id = last_changes.lead_id

)

select
    scores.lead_id,
    scores.intent_score,
    scores.total_score,
    scores.peak_score,
    {{ score_band('scores.total_score', 'scores.warm_threshold', 'scores.mql_threshold', 'scores.hot_threshold') }}
        as score_band,
    {{ score_band('scores.peak_score', 'scores.warm_threshold', 'scores.mql_threshold', 'scores.hot_threshold') }}
        as peak_band,
    case
        when scores.intent_score >= scores.intent_high_min then 'high'
        when scores.intent_score >= scores.intent_medium_min then 'medium'
        else 'low'
    end as intent_band,
    first_crossings.first_mql_crossing_at,
    scores_at_crossing.score_at_mql_crossing
from scores
left join first_crossings on scores.lead_id = first_crossings.lead_id
left join scores_at_crossing on scores.lead_id = scores_at_crossing.lead_id
