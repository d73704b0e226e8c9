-- The account ids an incremental build stages again (base_crm__accounts), one row per id and
-- why: delivered, removed, due (updated_at and as_of: no account check reads as_of, so only
-- an id dated ahead of it is restaged when as_of passes) or picklist (region)
-- (macros/restaged_keys.sql); every other id keeps the rows the last build staged. Empty in a
-- full build.
{{ restaged_keys(
    'base_crm__accounts', 'accounts', raw_id='account_id', staged_id='account_id',
    due_column='updated_at', picklists=['region']
) }}
