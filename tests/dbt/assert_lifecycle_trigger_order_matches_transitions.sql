-- seeds/lifecycle/lifecycle_trigger_order.csv orders the triggers of one instant; it must name
-- exactly the triggers of the state machine:
-- * every trigger of seeds/lifecycle/lifecycle_transitions.csv has an order (else the state
--   machine would walk it in no defined order),
-- * every ordered trigger but `captured` (which starts the machine) moves a lead somewhere,
-- * a CRM record of a stage (crm_<stage>, seeds/lifecycle/stage_sources.csv) settles an instant
--   like one of the warehouse's own triggers of that stage.
with

trigger_order as (

    select * from {{ ref('lifecycle_trigger_order') }}

),

transitions as (

    select distinct trigger_name from {{ ref('lifecycle_transitions') }}

),

stage_triggers as (

    select * from {{ ref('int_lifecycle_stage_sources') }}

),

unordered_transitions as (

    select
        transitions.trigger_name,
        'in lifecycle_transitions but has no trigger_order' as problem
    from transitions
    left join trigger_order on transitions.trigger_name = trigger_order.trigger_name
    where trigger_order.trigger_name is null

),

ordered_without_transition as (

    select
        trigger_order.trigger_name,
        'ordered but moves no lead (not in lifecycle_transitions)' as problem
    from trigger_order
    left join transitions on trigger_order.trigger_name = transitions.trigger_name
    where transitions.trigger_name is null and trigger_order.trigger_name != 'captured'

),

crm_orders as (

    select
        crm.stage,
        crm.trigger_name,
        crm_order.trigger_order,
        max(case when warehouse_order.trigger_order = crm_order.trigger_order then 1 else 0 end)
            as has_warehouse_peer,
        count(warehouse_order.trigger_order) as warehouse_triggers
    from stage_triggers as crm
    inner join trigger_order as crm_order on crm.trigger_name = crm_order.trigger_name
    left join stage_triggers as warehouse
        on crm.stage = warehouse.stage and warehouse.trigger_source = 'warehouse'
    left join trigger_order as warehouse_order on warehouse.trigger_name = warehouse_order.trigger_name
    where crm.trigger_source = 'crm'
    group by crm.stage, crm.trigger_name, crm_order.trigger_order

),

crm_out_of_step as (

    select
        trigger_name,
        'orders unlike every warehouse trigger of its stage' as problem
    from crm_orders
    where warehouse_triggers > 0 and has_warehouse_peer = 0

)

select * from unordered_transitions
union all
select * from ordered_without_transition
union all
select * from crm_out_of_step
