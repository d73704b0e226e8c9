-- Lead scores for reverse-ETL (version 1 of the contracted export): one row per lead, keyed by
-- lead_id, which a CRM stores as the external id. Only what a sync needs and nothing that moves
-- with the wall clock: scores are rounded to whole points and updated_at is the time of the
-- lead's latest score or stage change, so a lead whose score did not change gives no diff.
-- Incremental by lead: a lead whose score or lifecycle was recomputed is written again.
{%- set changes = ['int_scoring_changed_leads', 'int_lifecycle_changed_leads'] %}
{{ config_incremental_by_lead(changes) }}
with

leads as (

    select * from {{ ref('leads') }}
    where {{ only_changed_leads(changes=changes) }}

),

score_changes as (

    select * from {{ ref('lead_score_changes') }}
    where {{ only_changed_leads(changes=changes) }}

),

stage_history as (

    select * from {{ ref('lead_stage_history') }}
    where {{ only_changed_leads(changes=changes) }}

),

last_score_change as (

    select
        lead_id,
        max(changed_at) as last_score_change_at
    from score_changes
    group by lead_id

),

last_stage_change as (

    select
        lead_id,
        max(entered_at) as last_stage_change_at
    from stage_history
    group by lead_id

)

select
    leads.lead_id,
    leads.email,
    leads.source_lead_ids as crm_lead_ids,
    leads.scoring_model_id,
    cast({{ round_to("leads.total_score", 0) }} as integer) as total_score,
    cast({{ round_to("leads.fit_score", 0) }} as integer) as fit_score,
    cast({{ round_to("leads.negative_score", 0) }} as integer) as negative_score,
    cast({{ round_to("leads.intent_score", 0) }} as integer) as intent_score,
    leads.score_band,
    leads.fit_tier,
    cast({{ round_to("leads.icp_match_pct", 0) }} as integer) as icp_match_pct,
    leads.intent_band,
    leads.score_reasons,
    leads.current_stage,
    leads.stage_entered_at,
    leads.mql_at,
    case
        when last_score_change.last_score_change_at > last_stage_change.last_stage_change_at
            then last_score_change.last_score_change_at
        else coalesce(last_stage_change.last_stage_change_at, last_score_change.last_score_change_at)
    end as updated_at
from leads
left join last_score_change on leads.lead_id = last_score_change.lead_id
left join last_stage_change on leads.lead_id = last_stage_change.lead_id
