-- Every fact dated before its lead (person) was created: a deal created or won before first
-- contact, an SDR activity, a CRM lifecycle record or a marketing event before the lead's
-- created_at. Nothing is dropped for it: a lifecycle fact (is_lifecycle_fact) still counts and is
-- applied at the lead's creation instant, flagged in lead_stage_history.is_out_of_order and left
-- out of the velocity durations; marketing events are the scoring's to handle.
with

leads as (

    select
        lead_id,
        created_at
    from {{ ref('int_lead_scoring_inputs') }}

),

facts as (

    select
        'opportunities' as fact_table,
        opportunity_id as fact_id,
        {{ dbt.concat(["'opportunity_'", "outcome"]) }} as fact_type,
        lead_id,
        source_lead_id,
        case when closed_at < created_at then closed_at else created_at end as fact_at,
        true as is_lifecycle_fact
    from {{ ref('int_opportunities_resolved') }}

    union all

    select
        'sales_activities' as fact_table,
        activity_id as fact_id,
        activity_type as fact_type,
        lead_id,
        source_lead_id,
        occurred_at as fact_at,
        activity_type in ('accept', 'reject', 'disqualify', 'discovery_answer') as is_lifecycle_fact
    from {{ ref('int_sales_activities_resolved') }}

    union all

    select
        'lifecycle_events' as fact_table,
        lifecycle_event_id as fact_id,
        stage as fact_type,
        lead_id,
        source_lead_id,
        occurred_at as fact_at,
        stage not in ('lead', 'other') as is_lifecycle_fact
    from {{ ref('int_lifecycle_events_resolved') }}

),

before_creation as (

    select
        facts.*,
        leads.created_at as lead_created_at
    from facts
    inner join leads on facts.lead_id = leads.lead_id
    where facts.fact_at < leads.created_at and facts.fact_at <= {{ as_of() }}

    union all

    -- tens of millions of events: checked per changed lead (int_marketing_events_before_lead)
    select
        'marketing_events' as fact_table,
        event_id as fact_id,
        event_type as fact_type,
        lead_id,
        source_lead_id,
        occurred_at as fact_at,
        false as is_lifecycle_fact,
        lead_created_at
    from {{ ref('int_marketing_events_before_lead') }}

)

select
    {{ surrogate_key(['before_creation.fact_table', 'before_creation.fact_id']) }} as out_of_order_fact_id,
    before_creation.fact_table,
    before_creation.fact_id,
    before_creation.fact_type,
    before_creation.lead_id,
    before_creation.source_lead_id,
    before_creation.fact_at,
    before_creation.lead_created_at,
    {{ dbt.datediff('before_creation.fact_at', 'before_creation.lead_created_at', 'second') }} / 86400.0 as days_before_lead_created,  -- noqa: LT05
    before_creation.is_lifecycle_fact,
    'before_lead_created' as reason
from before_creation
