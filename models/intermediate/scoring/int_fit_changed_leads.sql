-- The leads whose fit (int_lead_fit_rule_matches, int_lead_fit_scores) an incremental run
-- recomputes, one row per lead, and why (macros/incremental_by_lead.sql): a lead whose scoring
-- inputs (its attributes, model and thresholds: int_lead_scoring_inputs) differ from the last
-- run's, and every lead when a fit rule or condition changes. The scoring inputs change only for
-- the persons int_crm_changed_leads names (they follow it): only those are fingerprinted again.
{{ config_change_model() }}
{{ changed_leads_by_fingerprint(
    inputs=[ref('int_lead_scoring_inputs')],
    rules=[ref('scoring_fit_rules'), ref('scoring_fit_conditions')],
    touched='int_crm_changed_leads'
) }}
