-- Contract `opportunities` from Salesforce opportunities. lead_id: the lead the opportunity was
-- converted from (Lead.ConvertedOpportunityId), else its primary contact (OpportunityContactRole,
-- the contact being a lead record too). closed_at: the last StageName change into the current
-- closed stage (opportunity_field_history), else the close date. lost_reason: a custom field
-- (var salesforce_opportunity_custom_fields).
{%- set text = dbt.type_string() -%}
{%- set iso = "replace(cast(%s as " ~ text ~ "), ' ', 'T')" %}

with

opportunities as (

    select * from {{ ref('stg_salesforce__opportunity') }}

),

leads as (

    select * from {{ ref('stg_salesforce__lead') }}

),

contact_roles as (

    select * from {{ ref('stg_salesforce__opportunity_contact_role') }}

),

field_history as (

    select * from {{ ref('stg_salesforce__opportunity_field_history') }}

),

converted_from as (

    select
        converted_opportunity_id as opportunity_id,
        min(lead_id) as lead_id
    from leads
    where converted_opportunity_id is not null
    group by converted_opportunity_id

),

primary_contacts as (

    select
        opportunity_id,
        contact_id,
        row_number() over (
            partition by opportunity_id
            order by case when is_primary then 0 else 1 end, created_at, contact_role_id
        ) as contact_rank
    from contact_roles

),

stage_changes as (

    select
        opportunity_id,
        new_value,
        max(created_at) as changed_at
    from field_history
    where field = 'StageName'
    group by opportunity_id, new_value

)

select
    cast(opportunities.opportunity_id as {{ text }}) as opportunity_id,
    cast(coalesce(converted_from.lead_id, primary_contacts.contact_id) as {{ text }}) as lead_id,
    cast(opportunities.account_id as {{ text }}) as account_id,
    cast(opportunities.owner_id as {{ text }}) as owner_rep_id,
    {{ iso | format('opportunities.created_at') }} as created_at,
    cast(opportunities.stage_name as {{ text }}) as stage,
    cast(opportunities.amount as {{ text }}) as amount,
    cast(opportunities.close_date as {{ text }}) as close_date,
    case
        when opportunities.is_closed
            then {{ iso | format("coalesce(stage_changes.changed_at, cast(opportunities.close_date as "
                ~ dbt.type_timestamp() ~ "))") }}
    end as closed_at,
    cast(opportunities.lost_reason as {{ text }}) as lost_reason,
    {{ iso | format('opportunities.updated_at') }} as updated_at,
    cast('salesforce.opportunity' as {{ text }}) as _source_file,
    cast(row_number() over (order by opportunities.opportunity_id) as {{ dbt.type_bigint() }}) as _source_row
from opportunities
left join converted_from on opportunities.opportunity_id = converted_from.opportunity_id
left join primary_contacts
    on
        opportunities.opportunity_id = primary_contacts.opportunity_id
        and primary_contacts.contact_rank = 1
left join stage_changes
    on
        opportunities.opportunity_id = stage_changes.opportunity_id
        and opportunities.stage_name = stage_changes.new_value
