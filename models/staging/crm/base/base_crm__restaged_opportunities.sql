-- The opportunity ids an incremental build stages again (base_crm__opportunities), one row per
-- id and why: delivered, removed, due (created_at and as_of), lead or picklist (stage)
-- (macros/restaged_keys.sql); every other id keeps the rows the last build staged. Empty in a
-- full build.
{{ restaged_keys(
    'base_crm__opportunities', 'opportunities', raw_id='opportunity_id', staged_id='opportunity_id',
    due_column='created_at',
    after_due_reasons=['invalid_number', 'invalid_amount', 'orphan_lead_ref', 'lead_quarantined'],
    lead_checked=true, picklists=['stage']
) }}
