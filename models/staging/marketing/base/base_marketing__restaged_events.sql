-- The marketing-event ids an incremental build stages again (base_marketing__marketing_events),
-- one row per id and why: delivered, removed, due, lead or picklist (macros/restaged_keys.sql);
-- every other id keeps the rows the last build staged. Empty in a full build.
{{ restaged_keys(
    'base_marketing__marketing_events', 'marketing_events', raw_id='event_id', staged_id='event_id',
    due_column='occurred_at', after_due_reasons=['orphan_lead_ref', 'lead_quarantined'],
    lead_checked=true, picklists=['event_type']
) }}
