-- The leads whose SLA clocks (int_sla_clock_spans, int_sla_instances, lead_sla) an incremental
-- run recomputes, one row per lead, and why (macros/incremental_by_lead.sql): new, gone, inputs
-- (its SLA events or routing differ from the last run's), full (a policy, business hours,
-- holiday, territory, team or rep changed), and as_of: a lead the last run left with a running
-- clock (elapsed time and status move with as_of) or with a clock so old that the business
-- calendar's first day (as_of - business_calendar_days_back) reaches it. The SLA models also
-- follow int_scoring_changed_leads, which already compares every column of a lead's scoring
-- inputs (motion, segment, source) and names the leads whose ledger (the band at a clock's
-- start) changed.
{%- set last_instances = last_build_of('int_sla_instances') %}
{%- set near_calendar_start = dbt.dateadd('day', 2 - var('business_calendar_days_back'), as_of()) %}
with

fingerprinted as (

    {{ changed_leads_by_fingerprint(
        inputs=[ref('int_lead_sla_events'), ref('int_lead_routing')],
        rules=[
            ref('int_sla_policies'), ref('int_business_hours'), ref('holidays'),
            ref('stg_crm__territories'), ref('stg_crm__teams'), ref('stg_crm__reps')
        ]
    ) | indent(4) }}

),

moved_by_as_of as (

    select distinct last_instances.lead_id
    from ({{ stored_rows(last_instances, {
        'lead_id': 'string', 'started_at': 'timestamp', 'due_at': 'timestamp', 'stopped_at': 'timestamp'
    }) }}) as last_instances
    where
        last_instances.stopped_at is null
        or last_instances.due_at is null
        or last_instances.started_at < {{ near_calendar_start }}

)

select
    fingerprinted.lead_id,
    fingerprinted.inputs_fingerprint,
    fingerprinted.rules_fingerprint,
    coalesce(
        fingerprinted.change_reason,
        case when moved_by_as_of.lead_id is not null then 'as_of' end
    ) as change_reason,
    fingerprinted.is_changed or moved_by_as_of.lead_id is not null as is_changed,
    -- changed for another reason than as_of: its clocks' starts and stops may differ
    fingerprinted.is_changed as is_data_changed
from fingerprinted
left join moved_by_as_of on fingerprinted.lead_id = moved_by_as_of.lead_id
