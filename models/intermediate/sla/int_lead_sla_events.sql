-- The events SLA clocks start and stop on (the vocabulary of seeds/sla/sla_policies.csv):
-- stage entries (mql, sal, sql, opportunity), assigned (owner assignment), sdr_touch (any SDR
-- call, email, meeting or decision), sdr_decision (accept / reject / disqualify) and
-- ae_next_step (next step scheduled).
-- Incremental by lead: the leads int_sla_changed_leads lists for a data change are computed again.
{{ config_incremental_by_lead('int_sla_changed_leads:is_data_changed') }}
with

machine as (

    select * from {{ ref('int_lifecycle_state_machine') }}
    where is_transition and {{ only_changed_leads(changes='int_sla_changed_leads:is_data_changed') }}

),

routing as (

    select * from {{ ref('int_lead_routing') }}
    where {{ only_changed_leads(changes='int_sla_changed_leads:is_data_changed') }}

),

reps as (

    select * from {{ ref('stg_crm__reps') }}

),

activities as (

    select
        lead_id,
        activity_id,
        activity_type,
        rep_id,
        occurred_at
    from {{ ref('int_sales_activities_resolved') }}
    where {{ only_changed_leads(changes='int_sla_changed_leads:is_data_changed') }}

),

first_sdr_activity as (

    select
        activities.lead_id,
        min(activities.occurred_at) as first_activity_at
    from activities
    inner join reps on activities.rep_id = reps.rep_id
    where reps.role = 'sdr'
    group by activities.lead_id

),

assignments as (

    -- the CRM's assignment time; without one, the first SDR activity is the assignment
    select
        routing.lead_id,
        routing.owner_rep_id,
        coalesce(routing.assigned_at, first_sdr_activity.first_activity_at) as assigned_at
    from routing
    left join first_sdr_activity on routing.lead_id = first_sdr_activity.lead_id
    where coalesce(routing.assigned_at, first_sdr_activity.first_activity_at) is not null

)

select
    lead_id,
    stage as event_name,
    trigger_at as event_at,
    cast(null as {{ dbt.type_string() }}) as rep_id,
    source_id
from machine
where stage in ('mql', 'sal', 'sql', 'opportunity')

union all

select
    lead_id,
    'assigned' as event_name,
    assigned_at as event_at,
    owner_rep_id as rep_id,
    lead_id as source_id
from assignments

union all

-- a lead that already has an owner when it becomes an MQL again is routed at that instant
select
    machine.lead_id,
    'assigned' as event_name,
    machine.trigger_at as event_at,
    assignments.owner_rep_id as rep_id,
    machine.source_id
from machine
inner join assignments on machine.lead_id = assignments.lead_id
where machine.stage = 'mql' and assignments.assigned_at < machine.trigger_at

union all

select
    lead_id,
    'sdr_touch' as event_name,
    occurred_at as event_at,
    rep_id,
    activity_id as source_id
from activities
where activity_type in ('call', 'email', 'meeting', 'accept', 'reject', 'disqualify')

union all

select
    lead_id,
    'sdr_decision' as event_name,
    occurred_at as event_at,
    rep_id,
    activity_id as source_id
from activities
where activity_type in ('accept', 'reject', 'disqualify')

union all

select
    lead_id,
    'ae_next_step' as event_name,
    occurred_at as event_at,
    rep_id,
    activity_id as source_id
from activities
where activity_type = 'next_step_scheduled'
