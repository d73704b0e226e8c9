-- Lifecycle triggers of the sales team's own records: SDR accept / reject / disqualify (by the
-- reason code's disposition), recycle dates, discovery completion (every required checklist item
-- of the lead's framework confirmed) and opportunity created / won / lost. These are the
-- warehouse's own derivation of SAL, SQL, opportunity, won, lost, recycled and disqualified;
-- int_lifecycle_triggers decides (seeds/lifecycle/stage_sources.csv) whether the lifecycle
-- follows them or the CRM's record. trigger_at is when the fact happened, even when that is
-- before the lead was created (int_lifecycle_triggers applies such facts at the creation).
-- Incremental by lead: the leads int_lifecycle_changed_leads lists are computed again.
{{ config_incremental_by_lead('int_lifecycle_changed_leads') }}
with

inputs as (

    select * from {{ ref('int_lead_scoring_inputs') }}
    where {{ only_changed_leads(changes='int_lifecycle_changed_leads') }}

),

activities as (

    select * from {{ ref('int_sales_activities_resolved') }}
    where {{ only_changed_leads(changes='int_lifecycle_changed_leads') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_resolved') }}
    where {{ only_changed_leads(changes='int_lifecycle_changed_leads') }}

),

reason_codes as (

    select * from {{ ref('reason_codes') }}

),

first_confirmations as (

    select * from {{ ref('int_lead_checklist_confirmations') }}
    where {{ only_changed_leads(changes='int_lifecycle_changed_leads') }}

),

checklists as (

    select * from {{ ref('qualification_checklists') }}
    where is_required

),

sdr_triggers as (

    select
        activities.lead_id,
        activities.occurred_at as trigger_at,
        case
            when activities.activity_type = 'accept' then 'sdr_accept'
            when reason_codes.disposition = 'recycle' then 'sdr_reject_recycle'
            else 'sdr_disqualify'
        end as trigger_name,
        activities.activity_id as source_id,
        activities.reason_code
    from activities
    left join reason_codes on activities.reason_code = reason_codes.reason_code
    where activities.activity_type in ('accept', 'reject', 'disqualify')

),

recycle_date_triggers as (

    -- a recycled lead returns to nurture after the reason's recycle period
    select
        activities.lead_id,
        {{ dbt.dateadd('day', 'reason_codes.recycle_after_days', 'activities.occurred_at') }} as trigger_at,
        'recycle_date_reached' as trigger_name,
        activities.activity_id as source_id,
        activities.reason_code
    from activities
    inner join reason_codes on activities.reason_code = reason_codes.reason_code
    where activities.activity_type in ('reject', 'disqualify') and reason_codes.disposition = 'recycle'

    union all

    select
        opportunities.lead_id,
        {%- set recycle_days = 'coalesce(reason_codes.recycle_after_days, ' ~ var('default_recycle_after_days') ~ ')' %}
        {{ dbt.dateadd('day', recycle_days, 'opportunities.closed_at') }}
            as trigger_at,
        'recycle_date_reached' as trigger_name,
        opportunities.opportunity_id as source_id,
        opportunities.lost_reason as reason_code
    from opportunities
    left join reason_codes on opportunities.lost_reason = reason_codes.reason_code
    where opportunities.outcome = 'lost'

),

checklist_sizes as (

    select
        framework,
        count(*) as required_items
    from checklists
    group by framework

),

discovery as (

    -- the lead's framework is complete when every required item has been confirmed
    select
        first_confirmations.lead_id,
        max(first_confirmations.first_confirmed_at) as completed_at,
        count(*) as items_confirmed,
        min(checklist_sizes.required_items) as required_items
    from first_confirmations
    inner join inputs on first_confirmations.lead_id = inputs.lead_id
    inner join checklists
        on
            inputs.qualification_framework = checklists.framework
            and first_confirmations.checklist_item = checklists.checklist_item
    inner join checklist_sizes on inputs.qualification_framework = checklist_sizes.framework
    group by first_confirmations.lead_id

),

discovery_triggers as (

    select
        lead_id,
        completed_at as trigger_at,
        'discovery_complete' as trigger_name,
        lead_id as source_id,
        cast(null as {{ dbt.type_string() }}) as reason_code
    from discovery
    where items_confirmed = required_items

),

opportunity_triggers as (

    select
        lead_id,
        created_at as trigger_at,
        'opportunity_created' as trigger_name,
        opportunity_id as source_id,
        cast(null as {{ dbt.type_string() }}) as reason_code
    from opportunities

    union all

    select
        lead_id,
        closed_at as trigger_at,
        case when outcome = 'won' then 'opportunity_won' else 'opportunity_lost' end as trigger_name,
        opportunity_id as source_id,
        lost_reason as reason_code
    from opportunities
    where outcome in ('won', 'lost')

    union all

    select
        lead_id,
        closed_at as trigger_at,
        'recycle_after_loss' as trigger_name,
        opportunity_id as source_id,
        lost_reason as reason_code
    from opportunities
    where outcome = 'lost'

)

select * from sdr_triggers
union all
select * from recycle_date_triggers
union all
select * from discovery_triggers
union all
select * from opportunity_triggers
