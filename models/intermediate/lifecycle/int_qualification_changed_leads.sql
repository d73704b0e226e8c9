-- The leads whose qualification progress (marts.lead_qualification) an incremental run
-- recomputes for their checklist, one row per lead, and why (macros/incremental_by_lead.sql): a
-- lead whose checklist confirmations differ from the last run's, and every lead when the
-- checklists or stage gates change. lead_qualification also follows the scoring and lifecycle
-- change models (its fit, inputs and stages).
{{ config_change_model() }}
{{ changed_leads_by_fingerprint(
    inputs=[ref('int_lead_checklist_confirmations')],
    rules=[ref('qualification_checklists'), ref('stage_gates')]
) }}
