-- The events SLA clocks start and stop on (the vocabulary of seeds/sla/sla_policies.csv):
-- stage entries (mql, sal, sql, opportunity), assigned (owner assignment), sdr_touch (any SDR
-- call, email, meeting or decision), sdr_decision (accept / reject / disqualify) and
-- ae_next_step (next step scheduled).
with

machine as (

    select * from {{ ref('int_lifecycle_state_machine') }}
    where is_transition

),

routing as (

    select * from {{ ref('int_lead_routing') }}

),

identity as (

    select * from {{ ref('int_lead_identity') }}

),

activities as (

    select
        identity.lead_id,
        activities.activity_id,
        activities.activity_type,
        activities.rep_id,
        activities.occurred_at
    from {{ ref('stg_crm__sales_activities') }} as activities
    inner join identity on activities.source_lead_id = identity.source_lead_id

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
from routing
where assigned_at is not null

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
