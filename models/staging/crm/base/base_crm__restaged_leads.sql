-- The CRM lead ids an incremental build stages again (base_crm__leads), one row per id and why:
-- delivered, removed, due (created_at and as_of) or picklist (lead_source, channel, motion)
-- (macros/restaged_keys.sql); every other id keeps the rows the last build staged. Empty in a
-- full build.
{{ restaged_keys(
    'base_crm__leads', 'leads', raw_id='lead_id', staged_id='source_lead_id',
    due_column='created_at', after_due_reasons=['unparseable_timestamp'],
    picklists=['lead_source', 'channel', 'motion']
) }}
