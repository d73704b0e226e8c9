-- The leads whose lifecycle (state machine, stage dates, stage history) an incremental run
-- recomputes, one row per lead, and why (macros/incremental_by_lead.sql): a lead whose
-- triggers up to as_of differ from the last run's in any column (a new score band, a sales
-- touch, a CRM-recorded stage, a trigger that as_of reached), and every lead when the lifecycle's
-- transitions or stages change.
{{ changed_leads_by_fingerprint(
    inputs=[ref('int_lifecycle_triggers')],
    rules=[ref('lifecycle_transitions'), ref('lifecycle_stages')]
) }}
