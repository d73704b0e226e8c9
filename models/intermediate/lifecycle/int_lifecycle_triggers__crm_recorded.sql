-- Lifecycle triggers of the stages the CRM itself recorded (input table lifecycle_events:
-- HubSpot lifecycle-stage dates, Salesforce lead status history, any CRM's own marking): one
-- trigger crm_<stage> per record, at the instant the CRM recorded it. A `lead` record means
-- capture / triage, which every lead gets at its creation anyway, and `other` is no stage of
-- the lifecycle: neither makes a trigger. int_lifecycle_triggers decides
-- (seeds/lifecycle/stage_sources.csv) whether the lifecycle follows these or the warehouse's
-- own derivation of the stage. trigger_order is that of the warehouse trigger of the same stage,
-- so that a CRM record and the warehouse's own trigger at one instant settle the same way.
{%- set stage_orders = {
    'mql': 2, 'sal': 3, 'sql': 4, 'opportunity': 5, 'won': 6, 'lost': 6, 'recycled': 8, 'disqualified': 8,
} %}
with

identity as (

    select
        source_lead_id,
        lead_id
    from {{ ref('int_lead_identity') }}

),

records as (

    select * from {{ ref('stg_crm__lifecycle_events') }}

),

ordered as (

    select
        identity.lead_id,
        records.occurred_at as trigger_at,
        {{ dbt.concat(["'crm_'", "records.stage"]) }} as trigger_name,
        case records.stage
            {%- for stage, order in stage_orders.items() %}
                when '{{ stage }}' then {{ order }}
            {%- endfor %}
        end as trigger_order,
        records.lifecycle_event_id as source_id,
        cast(null as {{ dbt.type_string() }}) as reason_code
    from records
    inner join identity on records.source_lead_id = identity.source_lead_id

)

select * from ordered
-- lead and other are no stage a record moves a lead to
where trigger_order is not null
