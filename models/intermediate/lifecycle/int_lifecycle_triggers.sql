-- Everything that can move a lead between lifecycle stages, in time order. Whether a trigger
-- applies depends on the stage the lead is in at that moment: int_lifecycle_state_machine
-- walks these in order against seeds/lifecycle/lifecycle_transitions.csv.
-- trigger_order settles triggers at the same instant (creation before scoring before sales).
with

inputs as (

    select * from {{ ref('int_lead_scoring_inputs') }}

),

ledger as (

    select * from {{ ref('int_score_ledger') }}

),

identity as (

    select
        source_lead_id,
        lead_id,
        record_order
    from {{ ref('int_lead_identity') }}

),

activities as (

    select
        identity.lead_id,
        activities.*
    from {{ ref('stg_crm__sales_activities') }} as activities
    inner join identity on activities.source_lead_id = identity.source_lead_id

),

opportunities as (

    select
        identity.lead_id,
        opportunities.*
    from {{ ref('stg_crm__opportunities') }} as opportunities
    inner join identity on opportunities.source_lead_id = identity.source_lead_id

),

reason_codes as (

    select * from {{ ref('reason_codes') }}

),

checklists as (

    select * from {{ ref('qualification_checklists') }}
    where is_required

),

-- score band as the lifecycle sees it: at creation, then at every later instant it changes
ledger_ranked as (

    select
        lead_id,
        changed_at,
        created_at,
        score_after,
        change_sequence,
        case when changed_at <= created_at then 'before' else 'after' end as phase,
        row_number() over (
            partition by lead_id, case when changed_at <= created_at then created_at else changed_at end
            order by change_sequence desc
        ) as instant_rank
    from ledger

),

score_at_creation as (

    select
        inputs.lead_id,
        inputs.created_at as changed_at,
        coalesce(ledger_ranked.score_after, 0) as score_after,
        0 as change_sequence
    from inputs
    left join ledger_ranked
        on
            inputs.lead_id = ledger_ranked.lead_id
            and ledger_ranked.phase = 'before'
            and ledger_ranked.instant_rank = 1

),

score_after_creation as (

    select
        lead_id,
        changed_at,
        score_after,
        change_sequence
    from ledger_ranked
    where phase = 'after' and instant_rank = 1

),

score_path as (

    select
        scores.lead_id,
        scores.changed_at,
        scores.change_sequence,
        case
            when inputs.has_mandatory_fields and scores.score_after >= inputs.mql_threshold then 'score_mql'
            when scores.score_after >= inputs.warm_threshold then 'band_warm'
            else 'band_nurture'
        end as trigger_name
    from (
        select * from score_at_creation
        union all
        select * from score_after_creation
    ) as scores
    inner join inputs on scores.lead_id = inputs.lead_id

),

score_path_changes as (

    select
        *,
        lag(trigger_name) over (partition by lead_id order by changed_at) as previous_trigger_name
    from score_path

),

band_triggers as (

    select
        lead_id,
        changed_at as trigger_at,
        trigger_name,
        2 as trigger_order,
        cast(change_sequence as {{ dbt.type_string() }}) as source_id,
        cast(null as {{ dbt.type_string() }}) as reason_code
    from score_path_changes
    where previous_trigger_name is null or previous_trigger_name != trigger_name

),

creation_triggers as (

    select
        lead_id,
        created_at as trigger_at,
        'captured' as trigger_name,
        0 as trigger_order,
        lead_id as source_id,
        cast(null as {{ dbt.type_string() }}) as reason_code
    from inputs

    union all

    select
        lead_id,
        created_at as trigger_at,
        'triaged' as trigger_name,
        1 as trigger_order,
        lead_id as source_id,
        cast(null as {{ dbt.type_string() }}) as reason_code
    from inputs

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
        case when activities.activity_type = 'accept' then 3 else 8 end as trigger_order,
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
        9 as trigger_order,
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
        9 as trigger_order,
        opportunities.opportunity_id as source_id,
        opportunities.lost_reason as reason_code
    from opportunities
    left join reason_codes on opportunities.lost_reason = reason_codes.reason_code
    where opportunities.outcome = 'lost'

),

first_confirmations as (

    select
        lead_id,
        checklist_item,
        min(occurred_at) as first_confirmed_at
    from activities
    where activity_type = 'discovery_answer' and is_confirmed
    group by lead_id, checklist_item

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
        4 as trigger_order,
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
        5 as trigger_order,
        opportunity_id as source_id,
        cast(null as {{ dbt.type_string() }}) as reason_code
    from opportunities

    union all

    select
        lead_id,
        closed_at as trigger_at,
        case when outcome = 'won' then 'opportunity_won' else 'opportunity_lost' end as trigger_name,
        6 as trigger_order,
        opportunity_id as source_id,
        lost_reason as reason_code
    from opportunities
    where outcome in ('won', 'lost')

    union all

    select
        lead_id,
        closed_at as trigger_at,
        'recycle_after_loss' as trigger_name,
        7 as trigger_order,
        opportunity_id as source_id,
        lost_reason as reason_code
    from opportunities
    where outcome = 'lost'

),

requalification_rules as (

    select * from {{ ref('requalification_triggers') }}

),

recycle_starts as (

    -- re-qualification only watches leads that have been recycled at least once
    select
        lead_id,
        min(trigger_at) as first_recycled_at
    from (
        select
            lead_id,
            trigger_at
        from sdr_triggers
        where trigger_name = 'sdr_reject_recycle'
        union all
        select
            lead_id,
            trigger_at
        from opportunity_triggers
        where trigger_name = 'recycle_after_loss'
    ) as recycles
    group by lead_id

),

signal_events as (

    select
        identity.lead_id,
        events.event_id,
        events.signal,
        events.occurred_at
    from {{ ref('stg_marketing__marketing_events') }} as events
    inner join identity on events.source_lead_id = identity.source_lead_id
    inner join recycle_starts
        on identity.lead_id = recycle_starts.lead_id and events.occurred_at > recycle_starts.first_recycled_at
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
        2 as trigger_order,
        event_id as source_id,
        min(trigger_id) as reason_code
    from rule_hits
    group by lead_id, occurred_at, event_id

),

title_changes as (

    -- a later record of the person with another seniority: new title
    select
        identity.lead_id,
        records.created_at as trigger_at,
        'requalified' as trigger_name,
        2 as trigger_order,
        records.source_lead_id as source_id,
        'new_title' as reason_code,
        records.seniority as attribute_value,
        lag(records.seniority) over (
            partition by identity.lead_id order by identity.record_order
        ) as previous_attribute_value
    from {{ ref('stg_crm__leads') }} as records
    inner join identity on records.source_lead_id = identity.source_lead_id

),

record_firmographics as (

    -- each CRM record of the person with the firmographics of the account it names
    select
        identity.lead_id,
        identity.record_order,
        records.created_at,
        records.source_lead_id,
        accounts.industry,
        accounts.region,
        segments.segment
    from {{ ref('stg_crm__leads') }} as records
    inner join identity on records.source_lead_id = identity.source_lead_id
    inner join {{ ref('stg_crm__accounts') }} as accounts on records.account_id = accounts.account_id
    left join {{ ref('segments') }} as segments
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
        2 as trigger_order,
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

),

requalification_triggers as (

    select * from signal_requalifications

    union all

    select
        record_changes.lead_id,
        record_changes.trigger_at,
        record_changes.trigger_name,
        record_changes.trigger_order,
        record_changes.source_id,
        record_changes.reason_code
    from record_changes
    inner join recycle_starts
        on
            record_changes.lead_id = recycle_starts.lead_id
            and record_changes.trigger_at > recycle_starts.first_recycled_at
    where record_changes.attribute_value != record_changes.previous_attribute_value

),

all_triggers as (

    select * from creation_triggers
    union all
    select * from band_triggers
    union all
    select * from sdr_triggers
    union all
    select * from recycle_date_triggers
    union all
    select * from discovery_triggers
    union all
    select * from opportunity_triggers
    union all
    select * from requalification_triggers

)

select
    all_triggers.*,
    row_number() over (
        partition by all_triggers.lead_id
        order by all_triggers.trigger_at, all_triggers.trigger_order, all_triggers.source_id
    ) as trigger_sequence
from all_triggers
inner join inputs on all_triggers.lead_id = inputs.lead_id
-- nothing can happen to a lead before its record exists, nor after the build's "now"
where all_triggers.trigger_at >= inputs.created_at and all_triggers.trigger_at <= {{ as_of() }}
