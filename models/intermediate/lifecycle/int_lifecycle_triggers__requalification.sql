-- Re-qualification triggers (`requalified`) of a lead recycled earlier: after its first recycle
-- (an SDR rejection with a recycle disposition, or a lost opportunity), an event that completes a
-- seeds/lifecycle/requalification_triggers.csv rule, or a later CRM record of the person that changed
-- what the lead is (new seniority: `new_title`; another industry, region or segment:
-- `firmographic_change`). A recycle dated before the lead's creation is applied at the creation
-- (int_lifecycle_triggers), so re-qualification watches from then: a marketing event dated before
-- the lead existed never re-qualifies it.
-- Incremental by lead: the leads int_lifecycle_changed_leads lists are computed again.
{{ config_incremental_by_lead('int_lifecycle_changed_leads') }}
with

records as (

    select * from {{ ref('int_lead_records_resolved') }}
    where {{ only_changed_leads(changes='int_lifecycle_changed_leads') }}

),

events as (

    select * from {{ ref('int_marketing_events_resolved') }}
    where {{ only_changed_leads(changes='int_lifecycle_changed_leads') }}

),

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

segments as (

    select * from {{ ref('segments') }}

),

leads as (

    select
        lead_id,
        created_at
    from {{ ref('int_lead_scoring_inputs') }}
    where {{ only_changed_leads(changes='int_lifecycle_changed_leads') }}

),

sales_triggers as (

    select * from {{ ref('int_lifecycle_triggers__sales') }}
    where {{ only_changed_leads(changes='int_lifecycle_changed_leads') }}

),

requalification_rules as (

    select * from {{ ref('requalification_triggers') }}

),

recycle_starts as (

    -- re-qualification only watches leads that have been recycled at least once
    select
        sales_triggers.lead_id,
        greatest(min(sales_triggers.trigger_at), min(leads.created_at)) as first_recycled_at
    from sales_triggers
    inner join leads on sales_triggers.lead_id = leads.lead_id
    where sales_triggers.trigger_name in ('sdr_reject_recycle', 'recycle_after_loss')
    group by sales_triggers.lead_id

),

signal_events as (

    select
        events.lead_id,
        events.event_id,
        events.signal,
        events.occurred_at
    from events
    inner join recycle_starts
        on events.lead_id = recycle_starts.lead_id and events.occurred_at > recycle_starts.first_recycled_at
    where events.signal in (select r.signal from requalification_rules as r)

),

rule_hits as (

    -- an event completes a rule when min_events of its signal fall within window_days up to it
    select
        this_event.lead_id,
        this_event.occurred_at,
        this_event.event_id,
        requalification_rules.trigger_id
    from signal_events as this_event
    inner join requalification_rules on this_event.signal = requalification_rules.signal
    inner join signal_events as window_event
        on
            this_event.lead_id = window_event.lead_id
            and this_event.signal = window_event.signal
            and window_event.occurred_at <= this_event.occurred_at
            and window_event.occurred_at
            > {{ dbt.dateadd('day', '-1 * requalification_rules.window_days', 'this_event.occurred_at') }}
    group by
        this_event.lead_id, this_event.occurred_at, this_event.event_id, requalification_rules.trigger_id,
        requalification_rules.min_events
    having count(*) >= requalification_rules.min_events

),

signal_requalifications as (

    select
        lead_id,
        occurred_at as trigger_at,
        'requalified' as trigger_name,
        event_id as source_id,
        min(trigger_id) as reason_code
    from rule_hits
    group by lead_id, occurred_at, event_id

),

title_changes as (

    -- a later record of the person with another seniority: new title
    select
        lead_id,
        created_at as trigger_at,
        'requalified' as trigger_name,
        source_lead_id as source_id,
        'new_title' as reason_code,
        seniority as attribute_value,
        lag(seniority) over (partition by lead_id order by record_order) as previous_attribute_value
    from records

),

record_firmographics as (

    -- each CRM record of the person with the firmographics of the account it names
    select
        records.lead_id,
        records.record_order,
        records.created_at,
        records.source_lead_id,
        accounts.industry,
        accounts.region,
        segments.segment
    from records
    inner join accounts on records.account_id = accounts.account_id
    left join segments
        on
            accounts.employee_count >= segments.min_employees
            and (segments.max_employees is null or accounts.employee_count <= segments.max_employees)

),

firmographic_changes as (

    -- a later record of the person at an account of another industry, region or segment: the
    -- person changed company, or the company grew into another segment
    select
        lead_id,
        created_at as trigger_at,
        'requalified' as trigger_name,
        source_lead_id as source_id,
        'firmographic_change' as reason_code,
        concat_ws('|', industry, region, segment) as attribute_value,
        lag(concat_ws('|', industry, region, segment)) over (
            partition by lead_id order by record_order
        ) as previous_attribute_value
    from record_firmographics

),

record_changes as (

    -- later CRM records that changed what the lead is: new title, new firmographics
    select * from title_changes
    union all
    select * from firmographic_changes

)

select * from signal_requalifications

union all

select
    record_changes.lead_id,
    record_changes.trigger_at,
    record_changes.trigger_name,
    record_changes.source_id,
    record_changes.reason_code
from record_changes
inner join recycle_starts
    on
        record_changes.lead_id = recycle_starts.lead_id
        and record_changes.trigger_at > recycle_starts.first_recycled_at
where record_changes.attribute_value != record_changes.previous_attribute_value
