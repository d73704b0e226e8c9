-- One row per lead per SLA instance: when the clock started, when it is due, when (if) it
-- stopped, its status and the elapsed (business) minutes, with the owner and team. A running
-- clock's sla_state says how urgent it is (seeds/sla/sla_states.csv; the thresholds are the
-- policy's at_risk_share and actionable_days). Incremental by lead, as int_sla_clock_spans.
{{ config_incremental_by_lead(['int_sla_changed_leads', 'int_scoring_changed_leads']) }}
with

instances as (

    select * from {{ ref('int_sla_instances') }}
    where {{ only_changed_leads(changes=['int_sla_changed_leads', 'int_scoring_changed_leads']) }}

),

leads as (

    select * from {{ ref('int_lead_scoring_inputs') }}
    where {{ only_changed_leads(changes=['int_sla_changed_leads', 'int_scoring_changed_leads']) }}

),

policies as (

    select * from {{ ref('int_sla_policies') }}

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
    case
        when instances.status = 'open_breached'
            and {{ as_of() }} < {{ dbt.dateadd('day', 'policies.actionable_days', 'instances.due_at') }}
            then 'breached_recent'
        when instances.status = 'open_breached' then 'breached_stale'
        when instances.status = 'open'
            and instances.elapsed_minutes >= policies.at_risk_share * instances.target_minutes
            then 'at_risk'
        when instances.status = 'open' then 'on_track'
    end as sla_state,
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
inner join policies on instances.sla_id = policies.sla_id
left join reps on instances.owner_rep_id = reps.rep_id
left join teams on instances.team_id = teams.team_id
