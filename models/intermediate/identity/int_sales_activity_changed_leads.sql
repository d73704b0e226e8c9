-- The persons whose sales activities base_crm__sales_activities staged again in this run (a new,
-- changed, removed or now-due activity, one whose lead entered or left staging:
-- base_crm__restaged_sales_activities), both the person the last build gave the activity and the
-- person its record belongs to now. With int_crm_changed_leads (the persons whose records
-- changed), the persons int_sales_activities_resolved maps again. Empty in a full build.
{%- set previous = previous_build_of('int_sales_activities_resolved') %}
with

restaged as (

    select restage_key as activity_id
    from {{ ref('base_crm__restaged_sales_activities') }}
    where restage_key != ''

),

stored as (

    {{ stored_rows(previous, {'activity_id': 'string', 'lead_id': 'string'}) }}

),

persons as (

    select stored.lead_id
    from stored
    inner join restaged on stored.activity_id = restaged.activity_id

    union

    select identity.lead_id
    from {{ ref('stg_crm__sales_activities') }} as activities
    inner join restaged on activities.activity_id = restaged.activity_id
    inner join {{ ref('int_lead_identity') }} as identity on activities.source_lead_id = identity.source_lead_id

)

select
    lead_id,
    {{ as_of() }} as computed_as_of,
    true as is_changed,
    'activities' as change_reason
from persons
where {{ 'true' if previous is not none else 'false' }}
