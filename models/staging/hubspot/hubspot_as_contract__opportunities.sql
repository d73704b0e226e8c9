-- Contract `opportunities` from HubSpot deals. lead_id: the associated contact (the lowest
-- contact id where a deal has several); account_id: the associated company; stage: the pipeline
-- stage's label (e.g. 'Closed Won'), else its internal id; close_date: the close date's day;
-- closed_at: the close date, when the deal is closed (hs_is_closed, else the stage's is_closed).
{%- set text = dbt.type_string() -%}
{%- set iso = "replace(cast(%s as " ~ text ~ "), ' ', 'T')" %}

with

deals as (

    select * from {{ ref('stg_hubspot__deal') }}

),

stages as (

    select * from {{ ref('stg_hubspot__deal_pipeline_stage') }}

),

deal_contacts as (

    select
        deal_id,
        min(contact_id) as contact_id
    from {{ ref('stg_hubspot__deal_contact') }}
    group by deal_id

),

deal_companies as (

    select
        deal_id,
        min(company_id) as company_id
    from {{ ref('stg_hubspot__deal_company') }}
    group by deal_id

)

select
    cast(deals.deal_id as {{ text }}) as opportunity_id,
    cast(deal_contacts.contact_id as {{ text }}) as lead_id,
    cast(deal_companies.company_id as {{ text }}) as account_id,
    cast(deals.owner_id as {{ text }}) as owner_rep_id,
    {{ iso | format('deals.created_at') }} as created_at,
    cast(coalesce(stages.label, deals.stage_id) as {{ text }}) as stage,
    cast(deals.amount as {{ text }}) as amount,
    cast(cast(deals.close_at as date) as {{ text }}) as close_date,
    case when coalesce(deals.is_closed, stages.is_closed) then {{ iso | format('deals.close_at') }} end as closed_at,
    cast(deals.closed_lost_reason as {{ text }}) as lost_reason,
    {{ iso | format('deals.updated_at') }} as updated_at,
    cast('hubspot.deal' as {{ text }}) as _source_file,
    cast(row_number() over (order by deals.deal_id) as {{ dbt.type_bigint() }}) as _source_row
from deals
left join stages
    on
        deals.pipeline_id = stages.pipeline_id
        and deals.stage_id = stages.stage_id
left join deal_contacts on deals.deal_id = deal_contacts.deal_id
left join deal_companies on deals.deal_id = deal_companies.deal_id
