-- One row per lead per SLA instance: when the clock started, when it is due, when (if) it
-- stopped, its status and the elapsed (business) minutes, with the owner and team.
with

instances as (

    select * from {{ ref('int_sla_instances') }}

),

leads as (

    select * from {{ ref('int_lead_scoring_inputs') }}

),

reps as (

    select * from {{ ref('stg_crm__reps') }}

),

teams as (

    select * from {{ ref('stg_crm__teams') }}

)

select
    instances.sla_instance_id,
    instances.lead_id,
    instances.sla_id,
    instances.sla_name,
    instances.owner_role,
    instances.time_basis,
    cast(instances.target_minutes as integer) as target_minutes,
    instances.started_at,
    instances.due_at,
    instances.stopped_at,
    instances.status,
    instances.status in ('met', 'breached') as is_stopped,
    instances.status in ('breached', 'open_breached') as is_breached,
    cast({{ round_to("instances.elapsed_minutes", 1) }} as decimal(12, 1)) as elapsed_business_minutes,
    instances.owner_rep_id,
    reps.rep_name as owner_name,
    instances.team_id,
    teams.team_name,
    instances.territory_id,
    instances.time_zone,
    instances.band_at_start as band,
    leads.lead_source,
    leads.channel,
    leads.motion,
    leads.segment
from instances
inner join leads on instances.lead_id = leads.lead_id
left join reps on instances.owner_rep_id = reps.rep_id
left join teams on instances.team_id = teams.team_id
