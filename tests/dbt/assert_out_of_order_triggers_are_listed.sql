-- Nothing out of order vanishes: every lifecycle trigger applied at its lead's creation because
-- its fact is dated before it (int_lifecycle_triggers.is_out_of_order) has its fact listed in
-- out_of_order_facts for that lead, as a lifecycle fact. discovery_complete names the lead, not a
-- fact: its discovery answers are listed instead. And every lead_stage_history entry flagged
-- is_out_of_order was entered by such a trigger. Returns the triggers and entries that break it.
with

triggers as (

    select * from {{ ref('int_lifecycle_triggers') }}
    where is_out_of_order

),

facts as (

    select * from {{ ref('out_of_order_facts') }}

),

history as (

    select * from {{ ref('lead_stage_history') }}
    where is_out_of_order

),

unlisted_triggers as (

    select
        triggers.lead_id,
        triggers.trigger_name,
        triggers.source_id,
        'out-of-order trigger whose fact is not listed' as problem
    from triggers
    left join facts
        on
            triggers.lead_id = facts.lead_id
            and triggers.source_id = facts.fact_id
            and facts.is_lifecycle_fact
    where triggers.trigger_name != 'discovery_complete' and facts.fact_id is null

),

unexplained_entries as (

    select
        history.lead_id,
        history.entered_by as trigger_name,
        history.trigger_source_id as source_id,
        'flagged stage entry without an out-of-order trigger' as problem
    from history
    left join triggers
        on
            history.lead_id = triggers.lead_id
            and history.trigger_source_id = triggers.source_id
            and history.entered_by = triggers.trigger_name
    where triggers.lead_id is null

)

select * from unlisted_triggers
union all
select * from unexplained_entries
