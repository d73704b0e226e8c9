-- The leads whose SLA routing, events and clocks (int_lead_routing, int_lead_sla_events,
-- int_sla_clock_spans, int_sla_instances, lead_sla) an incremental run recomputes, one row per
-- lead (and per lead gone since the last run), and why (macros/incremental_by_lead.sql):
--   new, gone: as int_lifecycle_changed_leads says;
--   inputs:    int_lifecycle_changed_leads recomputes the lead: it names every lead whose CRM
--              records, activities, deals, lifecycle records or score history changed, which is
--              all the routing and the SLA events read besides the rules below;
--   full:      the lifecycle recomputes every lead, or a policy, business hours, a holiday, a
--              territory, a team or a rep changed;
--   as_of:     a lead the last run left with a running clock (elapsed time and status move with
--              as_of) or with a clock so old that the business calendar's first day
--              (as_of - business_calendar_days_back) reaches it: only its clocks are recomputed.
-- It runs before the routing, so that the routing and the SLA events too are computed for the
-- changed leads only. The SLA models also follow int_scoring_changed_leads (the band at a
-- clock's start).
{%- set previous = load_relation(this) if reads_last_build() else none -%}
{%- set last_instances = last_build_of('int_sla_instances') -%}
{%- set near_calendar_start = dbt.dateadd('day', 2 - var('business_calendar_days_back'), as_of()) -%}
{%- set instance_columns = {
    'lead_id': 'string', 'started_at': 'timestamp', 'due_at': 'timestamp', 'stopped_at': 'timestamp'
} -%}
{%- set rules = [
    ref('int_sla_policies'), ref('int_business_hours'), ref('holidays'),
    ref('stg_crm__territories'), ref('stg_crm__teams'), ref('stg_crm__reps')
] %}
with

lifecycle as (

    select * from {{ ref('int_lifecycle_changed_leads') }}

),

rules_now as (

    {{ rules_fingerprint(rules) | indent(4) }}

),

rules_then as (

    -- the last build's (none in a first build or a full refresh)
    select max(rules_fingerprint) as rules_fingerprint
    from {{ previous if previous is not none else 'rules_now' }}
    where {{ 'true' if previous is not none else 'false' }}

),

moved_by_as_of as (

    select distinct last_instances.lead_id
    from ({{ stored_rows(last_instances, instance_columns) }}) as last_instances
    where
        last_instances.stopped_at is null
        or last_instances.due_at is null
        or last_instances.started_at < {{ near_calendar_start }}

),

compared as (

    select
        lifecycle.lead_id,
        rules_now.rules_fingerprint,
        case
            when
                lifecycle.change_reason = 'full'
                or coalesce(rules_then.rules_fingerprint, '') != rules_now.rules_fingerprint
                then 'full'
            when lifecycle.change_reason in ('new', 'gone') then lifecycle.change_reason
            when lifecycle.is_changed then 'inputs'
            when moved_by_as_of.lead_id is not null then 'as_of'
        end as change_reason
    from lifecycle
    left join moved_by_as_of on lifecycle.lead_id = moved_by_as_of.lead_id
    cross join rules_now
    cross join rules_then

)

select
    lead_id,
    rules_fingerprint,
    change_reason,
    change_reason is not null as is_changed,
    -- changed for another reason than as_of: its routing, events, clocks' starts and stops may differ
    coalesce(change_reason != 'as_of', false) as is_data_changed
from compared
