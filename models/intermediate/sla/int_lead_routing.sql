-- Who owns each lead and where its SLA clocks run. The CRM's owner (leads.owner_rep_id) wins;
-- without one, the first SDR who worked the lead; the owner's team gives the territory and its
-- time zone. Leads nobody owns are routed by rule to the team covering their region and
-- segment, else to the '*' calendar (UTC).
-- Incremental by lead: the leads int_sla_changed_leads lists for a data change are computed again.
{{ config_incremental_by_lead('int_sla_changed_leads:is_data_changed') }}
with

leads as (

    select * from {{ ref('int_lead_scoring_inputs') }}
    where {{ only_changed_leads(changes='int_sla_changed_leads:is_data_changed') }}

),

activities as (

    select * from {{ ref('int_sales_activities_resolved') }}
    where {{ only_changed_leads(changes='int_sla_changed_leads:is_data_changed') }}

),

reps as (

    select * from {{ ref('stg_crm__reps') }}

),

teams as (

    select * from {{ ref('stg_crm__teams') }}

),

territories as (

    select * from {{ ref('stg_crm__territories') }}

),

first_sdr as (

    select
        activities.lead_id,
        activities.rep_id,
        row_number() over (
            partition by activities.lead_id order by activities.occurred_at, activities.activity_id
        ) as activity_order
    from activities
    inner join reps on activities.rep_id = reps.rep_id
    where reps.role = 'sdr'

),

rule_teams as (

    -- fallback rule: the first team (by id) covering the lead's region and segment
    select
        territories.region,
        teams.segment,
        min(teams.team_id) as team_id
    from teams
    inner join territories on teams.territory_id = territories.territory_id
    group by territories.region, teams.segment

),

owners as (

    select
        leads.lead_id,
        leads.region,
        leads.segment,
        leads.owner_assigned_at,
        coalesce(leads.owner_rep_id, first_sdr.rep_id) as owner_rep_id,
        case
            when leads.owner_rep_id is not null then 'crm_owner'
            when first_sdr.rep_id is not null then 'first_sdr_activity'
        end as routing_method
    from leads
    left join first_sdr on leads.lead_id = first_sdr.lead_id and first_sdr.activity_order = 1

)

select
    owners.lead_id,
    owners.owner_rep_id,
    reps.rep_name as owner_name,
    coalesce(reps.team_id, rule_teams.team_id) as team_id,
    coalesce(teams.team_name, rule_team.team_name) as team_name,
    coalesce(teams.territory_id, rule_team.territory_id, '*') as territory_id,
    coalesce(territories.time_zone, rule_territory.time_zone, 'UTC') as time_zone,
    owners.owner_assigned_at as assigned_at,
    case
        when reps.team_id is not null then owners.routing_method
        when rule_teams.team_id is not null then 'region_segment_rule'
        else 'unrouted'
    end as routing_method
from owners
left join reps on owners.owner_rep_id = reps.rep_id
left join teams on reps.team_id = teams.team_id
left join territories on teams.territory_id = territories.territory_id
left join rule_teams on owners.region = rule_teams.region and owners.segment = rule_teams.segment
left join teams as rule_team on rule_teams.team_id = rule_team.team_id
left join territories as rule_territory on rule_team.territory_id = rule_territory.territory_id
