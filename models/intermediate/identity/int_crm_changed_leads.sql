-- The leads (persons) whose CRM records an incremental run resolves again (int_lead_identity,
-- int_lead_records_resolved, int_leads_resolved, int_lead_scoring_inputs), one row per lead, and
-- why (macros/incremental_by_lead.sql): a lead whose records differ from the last run's in any
-- column, or in their person or account (int_lead_record_keys: a record that moves to another
-- person changes both persons' fingerprints), and every lead when an enrichment rule, a segment
-- or a scoring model changes.
{{ changed_leads_by_fingerprint(
    inputs=[ref('int_lead_record_keys')],
    rules=[
        ref('title_seniority_rules'), ref('title_function_rules'), ref('email_domain_rules'),
        ref('segments'), ref('scoring_models')
    ]
) }}
