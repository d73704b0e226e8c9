-- Lifecycle triggers of the stages the CRM itself recorded (input table lifecycle_events:
-- HubSpot lifecycle-stage dates, Salesforce lead status history, any CRM's own marking): one
-- trigger crm_<stage> per record, at the instant the CRM recorded it. A `lead` record means
-- capture / triage, which every lead gets at its creation anyway, and `other` is no stage of
-- the lifecycle: neither makes a trigger. int_lifecycle_triggers decides
-- (seeds/lifecycle/stage_sources.csv) whether the lifecycle follows these or the warehouse's
-- own derivation of the stage. A record makes a trigger when its crm_<stage> is a lifecycle
-- trigger (seeds/lifecycle/lifecycle_trigger_order.csv, which also orders it like the warehouse's
-- own trigger of the stage).
-- Incremental by lead: the leads int_lifecycle_changed_leads lists are computed again.
{{ config_incremental_by_lead('int_lifecycle_changed_leads') }}
with

records as (

    select * from {{ ref('int_lifecycle_events_resolved') }}
    where {{ only_changed_leads(changes='int_lifecycle_changed_leads') }}

),

triggers as (

    select trigger_name from {{ ref('lifecycle_trigger_order') }}

),

recorded as (

    select
        records.lead_id,
        records.occurred_at as trigger_at,
        {{ dbt.concat(["'crm_'", "records.stage"]) }} as trigger_name,
        records.lifecycle_event_id as source_id,
        cast(null as {{ dbt.type_string() }}) as reason_code
    from records

)

select * from recorded
-- lead and other are no stage a record moves a lead to: no crm_lead or crm_other trigger
where trigger_name in (select triggers.trigger_name from triggers)
