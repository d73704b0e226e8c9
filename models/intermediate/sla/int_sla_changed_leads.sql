-- The leads whose SLA routing, events and clocks (int_lead_routing, int_lead_sla_events,
-- int_sla_clock_spans, int_sla_instances, lead_sla) an incremental run recomputes, one row per
-- lead (and per lead gone since the last run), and why (macros/incremental_by_lead.sql):
--   new, gone: as int_lifecycle_changed_leads says;
--   inputs:    int_lifecycle_changed_leads recomputes the lead: it names every lead whose CRM
--              records, activities, deals, lifecycle records or score history changed, which is
--              all the routing and the SLA events read besides the rules below;
--   full:      the lifecycle recomputes every lead, or a policy, business hours, a holiday, a
--              territory, a team, a rep or an SLA state (lead_pipeline_now) changed;
--   as_of:     a lead the last run left with a running clock whose elapsed time, status or
--              state moved between the last build's as_of and this one (a clock-time clock
--              always; a business-time clock when its territory's business hours were open in
--              between, or its due time or the end of its actionable days fell in between), or
--              with a clock so old that the business calendar's first day
--              (as_of - business_calendar_days_back) reaches it: only its clocks are recomputed.
--              A business-time clock that ran through a night or a weekend has not moved.
-- It runs before the routing, so that the routing and the SLA events too are computed for the
-- changed leads only. The SLA models also follow int_scoring_changed_leads (the band at a
-- clock's start).
{{ config_change_model() }}
{%- set previous = load_relation(this) if reads_last_build() else none -%}
{#- a first build, or a last build that stored no as_of: every running clock moved -#}
{%- set last_run = last_build_as_of(previous)
    or dbt.dateadd('day', -1 - var('business_calendar_days_back'), as_of()) -%}
{%- set last_instances = last_build_of('int_sla_instances') -%}
{%- set near_calendar_start = dbt.dateadd('day', 2 - var('business_calendar_days_back'), as_of()) -%}
{%- set actionable_until = dbt.dateadd('day', 'policies.actionable_days', 'last_instances.due_at') -%}
{%- set instance_columns = {
    'lead_id': 'string', 'sla_id': 'string', 'time_basis': 'string', 'territory_id': 'string',
    'started_at': 'timestamp', 'due_at': 'timestamp', 'stopped_at': 'timestamp'
} -%}
{%- set rules = [
    ref('int_sla_policies'), ref('int_business_hours'), ref('holidays'),
    ref('stg_crm__territories'), ref('stg_crm__teams'), ref('stg_crm__reps'), ref('sla_states')
] %}
with

lifecycle as (

    -- every lead (and each lead gone in this build), with the reason this build gave it
    select
        lead_id,
        {{ this_build('lifecycle_changes', 'change_reason') }} as change_reason
    from {{ ref('int_lifecycle_changed_leads') }} as lifecycle_changes

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

open_territories as (

    -- the territories whose business hours were open at some instant since the last build's as_of
    select distinct territory_id
    from {{ ref('int_business_calendar') }}
    where
        is_business_day
        and opens_at_utc < {{ as_of() }}
        and closes_at_utc > {{ last_run }}

),

moved_by_as_of as (

    select distinct last_instances.lead_id
    from ({{ stored_rows(last_instances, instance_columns) }}) as last_instances
    left join open_territories on last_instances.territory_id = open_territories.territory_id
    left join {{ ref('int_sla_policies') }} as policies on last_instances.sla_id = policies.sla_id
    where
        last_instances.due_at is null
        or last_instances.started_at < {{ near_calendar_start }}
        or (
            last_instances.stopped_at is null
            and (
                last_instances.time_basis != 'business'
                or open_territories.territory_id is not null
                -- status open -> open_breached, state breached_recent -> breached_stale (lead_sla)
                or (last_instances.due_at > {{ last_run }} and last_instances.due_at <= {{ as_of() }})
                or policies.sla_id is null
                or ({{ actionable_until }} > {{ last_run }} and {{ actionable_until }} <= {{ as_of() }})
            )
        )

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
            when lifecycle.change_reason is not null then 'inputs'
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
    {{ as_of() }} as computed_as_of,
    change_reason,
    change_reason is not null as is_changed,
    -- changed for another reason than as_of: its routing, events, clocks' starts and stops may differ
    coalesce(change_reason != 'as_of', false) as is_data_changed
from compared
where {{ changed_rows() }}
