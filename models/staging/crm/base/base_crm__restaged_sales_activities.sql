-- The sales-activity ids an incremental build stages again (base_crm__sales_activities), one row
-- per id and why: delivered, removed, due (occurred_at and as_of), lead, picklist (activity_type)
-- or rule (its reason code entered or left seeds/reference/reason_codes.csv)
-- (macros/restaged_keys.sql); every other id keeps the rows the last build staged. Empty in a
-- full build.
{%- set known_reason -%}
    stored.reason_code in (select reason_codes.reason_code from {{ ref('reason_codes') }} as reason_codes)
{%- endset %}
{{ restaged_keys(
    'base_crm__sales_activities', 'sales_activities', raw_id='activity_id', staged_id='activity_id',
    due_column='occurred_at',
    after_due_reasons=['missing_reason_code', 'unknown_reason_code', 'orphan_lead_ref', 'lead_quarantined'],
    lead_checked=true, picklists=['activity_type'],
    rule="case
            when stored.quarantine_reason = 'unknown_reason_code' then coalesce(" ~ known_reason ~ ", false)
            when stored.reason_code is not null
                and coalesce(stored.quarantine_reason in ('orphan_lead_ref', 'lead_quarantined'), true)
                then not coalesce(" ~ known_reason ~ ", false)
            else false
        end",
    rule_columns={'reason_code': 'string'}
) }}
