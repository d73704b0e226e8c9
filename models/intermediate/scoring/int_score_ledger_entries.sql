-- Every instant a lead's score changes, before the score is computed (int_score_ledger):
-- fit/negative rules at creation, intent events, their expiry after the lookback window,
-- velocity windows opening and closing, and decay steps every P days without activity.
-- type_order fixes the order of changes that happen at the same instant (docs/scoring.md).
-- A view (macros/score_ledger_entries.sql) for readers and its unit test: int_score_ledger
-- renders the same select for the leads it recomputes, so the entries are not stored twice.
{{ config(materialized='view') }}
{{ score_ledger_entries(
    ref('int_lead_scoring_inputs'),
    ref('int_lead_fit_rule_matches'),
    ref('int_intent_events_counted'),
    ref('int_velocity_windows')
) }}
