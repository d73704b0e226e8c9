-- The marketing events dated before their lead (person) was created, with that creation instant:
-- the out_of_order_facts mart's largest part, kept apart so that a run checks only the events of
-- the leads whose events or creation changed. Incremental by lead in the contract shape: a run
-- recomputes the leads int_scoring_changed_leads lists (an event of them changed: `events`; their
-- created_at changed: `inputs`); a connector shape, whose events are rebuilt in full, checks all.
{%- if is_incremental_by_key() %}
    {{ config_incremental_by_lead() }}
{%- else %}
    {{ config(materialized='table') }}
{%- endif %}
with

leads as (

    select
        lead_id,
        created_at
    from {{ ref('int_lead_scoring_inputs') }}
    where {{ only_changed_leads() }}

),

events as (

    -- staged events are never dated after as_of (base_marketing__marketing_events quarantines
    -- them); the join with the changed leads below keeps only theirs (one pass, no second filter)
    select * from {{ ref('int_marketing_events_resolved') }}

)

select
    events.lead_id,
    events.event_id,
    events.event_type,
    events.source_lead_id,
    events.occurred_at,
    leads.created_at as lead_created_at
from events
inner join leads on events.lead_id = leads.lead_id
where events.occurred_at < leads.created_at
