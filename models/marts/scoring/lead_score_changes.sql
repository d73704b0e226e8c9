-- The score ledger: one row per change of a lead's score, with what changed it and the
-- score after. Append-only in meaning: a later as_of only adds rows after the earlier one.
-- Keyed by (lead_id, change_sequence): no hashed row id (a random 32-character string per row
-- was the largest column of the largest mart and compresses not at all).
{{ config_incremental_by_lead() }}
with

ledger as (

    select * from {{ ref('int_score_ledger') }}
    where {{ only_changed_leads() }}

)

select
    lead_id,
    cast(change_sequence as integer) as change_sequence,
    changed_at,
    change_type,
    signal,
    source_id,
    scoring_model_id,
    cast({{ round_to("rule_points", 1) }} as decimal(9, 1)) as rule_points,
    -- points from the rounded scores, so that consecutive rows add up exactly (score_before is
    -- the previous row's score_after, 0 for the first)
    cast({{ round_to("score_after", 1) }} - {{ round_to("score_before", 1) }} as decimal(9, 1)) as points,
    cast({{ round_to("fit_points_after", 1) }} as decimal(9, 1)) as fit_points_after,
    cast({{ round_to("intent_score_after", 1) }} as decimal(9, 1)) as intent_score_after,
    cast({{ round_to("score_after", 1) }} as decimal(9, 1)) as score_after,
    band_after
from ledger
