-- Everything that moves a lead between lifecycle stages, in time order: capture and triage at
-- the lead's creation, then the trigger families (int_lifecycle_triggers__*: score, sales,
-- re-qualification, CRM-recorded stages). Whether a trigger applies depends on the stage the
-- lead is in at that moment: int_lifecycle_state_machine walks these in order against
-- seeds/lifecycle/lifecycle_transitions.csv.
--
-- Who the lifecycle follows per stage: seeds/lifecycle/stage_sources.csv. For a stage whose
-- policy is crm_record_else_warehouse, the warehouse's own triggers of the stage are dropped for a
-- lead that has a CRM record of that stage; `warehouse` drops the CRM's records, `crm_record` the
-- warehouse's triggers, `first_of_both` keeps both (the first moves the lead, the state machine
-- ignores the other).
--
-- Out-of-order facts: a fact dated before the lead's created_at (a deal won before first
-- contact, an SDR activity or a CRM record before creation) still counts. It is applied at the
-- creation instant (trigger_at = created_at, fact_at keeps its own date), flagged
-- is_out_of_order, and listed in marts.out_of_order_facts. Facts after as_of have not happened.
-- Order: trigger_at, then trigger_order (seeds/lifecycle/lifecycle_trigger_order.csv: creation
-- before scoring and marketing stages before sales), then the fact's own date (so facts applied at
-- the creation keep their original order).
-- Incremental by lead: the leads int_lifecycle_changed_leads lists are computed again.
{{ config_incremental_by_lead('int_lifecycle_changed_leads') }}
with

inputs as (

    select
        lead_id,
        created_at
    from {{ ref('int_lead_scoring_inputs') }}
    where {{ only_changed_leads(changes='int_lifecycle_changed_leads') }}

),

stage_triggers as (

    select * from {{ ref('int_lifecycle_stage_sources') }}

),

trigger_orders as (

    select * from {{ ref('lifecycle_trigger_order') }}

),

creation_triggers as (

    select
        lead_id,
        created_at as trigger_at,
        'captured' as trigger_name,
        lead_id as source_id,
        cast(null as {{ dbt.type_string() }}) as reason_code
    from inputs

    union all

    select
        lead_id,
        created_at as trigger_at,
        'triaged' as trigger_name,
        lead_id as source_id,
        cast(null as {{ dbt.type_string() }}) as reason_code
    from inputs

),

all_triggers as (

    select * from creation_triggers

    union all

    select * from {{ ref('int_lifecycle_triggers__score') }}
    where {{ only_changed_leads(changes='int_lifecycle_changed_leads') }}

    union all

    select * from {{ ref('int_lifecycle_triggers__sales') }}
    where {{ only_changed_leads(changes='int_lifecycle_changed_leads') }}

    union all

    select * from {{ ref('int_lifecycle_triggers__requalification') }}
    where {{ only_changed_leads(changes='int_lifecycle_changed_leads') }}

    union all

    select * from {{ ref('int_lifecycle_triggers__crm_recorded') }}
    where {{ only_changed_leads(changes='int_lifecycle_changed_leads') }}

),

happened as (

    -- the fact's own date is fact_at; nothing after the build's "now" has happened yet
    select
        all_triggers.lead_id,
        all_triggers.trigger_at as fact_at,
        all_triggers.trigger_name,
        trigger_orders.trigger_order,
        all_triggers.source_id,
        all_triggers.reason_code,
        inputs.created_at,
        stage_triggers.stage as policy_stage,
        stage_triggers.source_policy,
        stage_triggers.trigger_source
    from all_triggers
    inner join inputs on all_triggers.lead_id = inputs.lead_id
    left join trigger_orders on all_triggers.trigger_name = trigger_orders.trigger_name
    left join stage_triggers on all_triggers.trigger_name = stage_triggers.trigger_name
    where all_triggers.trigger_at <= {{ as_of() }}

),

crm_recorded_stages as (

    select distinct
        lead_id,
        policy_stage
    from happened
    where trigger_source = 'crm'

),

followed as (

    select happened.*
    from happened
    left join crm_recorded_stages
        on
            happened.lead_id = crm_recorded_stages.lead_id
            and happened.policy_stage = crm_recorded_stages.policy_stage
    where
        happened.trigger_source is null
        or happened.source_policy = 'first_of_both'
        or (happened.source_policy = 'warehouse' and happened.trigger_source = 'warehouse')
        or (happened.source_policy = 'crm_record' and happened.trigger_source = 'crm')
        or (
            happened.source_policy = 'crm_record_else_warehouse'
            and (happened.trigger_source = 'crm' or crm_recorded_stages.lead_id is null)
        )

),

applied as (

    select
        lead_id,
        case when fact_at < created_at then created_at else fact_at end as trigger_at,
        trigger_name,
        trigger_order,
        source_id,
        reason_code,
        fact_at,
        fact_at < created_at as is_out_of_order
    from followed

)

select
    *,
    row_number() over (
        partition by lead_id
        order by trigger_at, trigger_order, fact_at, source_id
    ) as trigger_sequence
from applied
