-- Open pipeline at as_of: one row per lead in a stage someone should move forward
-- (lifecycle_stages.in_pipeline_now), how long it has been there (seeds/lifecycle/
-- stage_age_buckets.csv), its owner, and the state of its most urgent running SLA clock
-- (seeds/sla/sla_states.csv). The Pipeline now page counts these rows; the lead list shows them.
-- Incremental by lead: a lead whose score, lifecycle (its CRM records among them) or SLA clocks
-- were recomputed is written again; every kept row's age and bucket are brought to this run's
-- as_of after each run (macros/as_of_columns.sql).
{%- set changes = ['int_scoring_changed_leads', 'int_lifecycle_changed_leads', 'int_sla_changed_leads'] %}
{{ config_incremental_by_lead(changes) }}
{{ config(post_hook=[
    "{{ refresh_pipeline_ages('days') }}",
    "{{ refresh_pipeline_ages('buckets') }}",
    "{{ refresh_pipeline_ages('aged_out') }}",
]) }}
with

leads as (

    select * from {{ ref('leads') }}
    where {{ only_changed_leads(changes=changes) }}

),

owners as (

    select
        lead_id,
        owner_rep_id
    from {{ ref('int_lead_scoring_inputs') }}
    where {{ only_changed_leads(changes=changes) }}

),

reps as (

    select * from {{ ref('stg_crm__reps') }}

),

teams as (

    select * from {{ ref('stg_crm__teams') }}

),

pipeline_stages as (

    select * from {{ ref('lifecycle_stages') }}
    where in_pipeline_now

),

buckets as (

    select * from {{ ref('stage_age_buckets') }}

),

sla_states as (

    select * from {{ ref('sla_states') }}

),

running_clocks as (

    select
        lead_sla.lead_id,
        lead_sla.sla_name,
        lead_sla.due_at,
        lead_sla.sla_state,
        sla_states.state_order,
        row_number() over (
            partition by lead_sla.lead_id
            order by sla_states.state_order, lead_sla.due_at, lead_sla.sla_id
        ) as urgency_rank
    from {{ ref('lead_sla') }} as lead_sla
    inner join sla_states on lead_sla.sla_state = sla_states.sla_state
    where {{ only_changed_leads('lead_sla.lead_id', changes=changes) }}

),

no_clock as (

    select * from sla_states
    where sla_state = 'no_open_sla'

),

open_leads as (

    select
        leads.*,
        pipeline_stages.stage_order,
        pipeline_stages.label as stage_label,
        pipeline_stages.owner as stage_owner,
        {{ days_in_stage('leads.stage_entered_at') }} as days_in_stage
    from leads
    inner join pipeline_stages on leads.current_stage = pipeline_stages.stage

)

select
    open_leads.lead_id,
    open_leads.email,
    open_leads.first_name,
    open_leads.last_name,
    open_leads.company_name,
    owners.owner_rep_id,
    -- past marketing's stages a lead needs an owner (the route SLA starts at MQL)
    owners.owner_rep_id is null and open_leads.stage_owner != 'marketing' as is_unrouted,
    reps.rep_name as owner_name,
    reps.team_id,
    teams.team_name,
    open_leads.current_stage,
    cast(open_leads.stage_order as integer) as stage_order,
    open_leads.stage_label,
    open_leads.stage_entered_at,
    open_leads.days_in_stage,
    buckets.age_bucket,
    cast(buckets.bucket_order as integer) as age_bucket_order,
    buckets.label as age_bucket_label,
    coalesce(running_clocks.sla_state, no_clock.sla_state) as sla_state,
    cast(coalesce(running_clocks.state_order, no_clock.state_order) as integer) as sla_state_order,
    running_clocks.sla_name as most_urgent_sla_name,
    running_clocks.due_at as most_urgent_sla_due_at,
    open_leads.total_score,
    open_leads.score_band,
    open_leads.fit_tier,
    open_leads.lead_source,
    open_leads.channel,
    open_leads.segment,
    open_leads.motion,
    open_leads.created_at,
    {{ as_of() }} as as_of
from open_leads
inner join buckets on {{ age_bucket_matches('open_leads.days_in_stage', 'buckets') }}
left join owners on open_leads.lead_id = owners.lead_id
left join reps on owners.owner_rep_id = reps.rep_id
left join teams on reps.team_id = teams.team_id
left join running_clocks
    on
        open_leads.lead_id = running_clocks.lead_id
        and running_clocks.urgency_rank = 1
cross join no_clock
