-- Contract `leads` from HubSpot contacts (the contact id is the lead_id). lead_source: the
-- portal's own lead source property (var hubspot_contact_custom_fields, default lead_source)
-- where set, else HubSpot's original source (hs_analytics_source, e.g. PAID_SEARCH); channel and
-- motion: custom properties; campaign: the first touch converting campaign; owner assigned at
-- the owner assigned date, else at creation. HubSpot merges contacts itself (the merged contact
-- leaves the contact table), so merged_into_lead_id stays empty.
{%- set text = dbt.type_string() -%}
{%- set iso = "replace(cast(%s as " ~ text ~ "), ' ', 'T')" %}

with

contacts as (

    select * from {{ ref('stg_hubspot__contact') }}

)

select
    cast(contact_id as {{ text }}) as lead_id,
    cast(email as {{ text }}) as email,
    cast(first_name as {{ text }}) as first_name,
    cast(last_name as {{ text }}) as last_name,
    cast(title as {{ text }}) as title,
    cast(company_id as {{ text }}) as account_id,
    cast(company as {{ text }}) as company_name,
    cast(country as {{ text }}) as country,
    cast(coalesce(lead_source, analytics_source) as {{ text }}) as lead_source,
    cast(channel as {{ text }}) as channel,
    cast(motion as {{ text }}) as motion,
    cast(first_touch_campaign as {{ text }}) as campaign_id,
    {{ iso | format('created_at') }} as created_at,
    cast(not has_opted_out_of_email as {{ text }}) as has_marketing_consent,
    cast(owner_id as {{ text }}) as owner_rep_id,
    case when owner_id is not null then {{ iso | format('coalesce(owner_assigned_at, created_at)') }} end
        as owner_assigned_at,
    cast(null as {{ text }}) as merged_into_lead_id,
    {{ iso | format('updated_at') }} as updated_at,
    cast('hubspot.contact' as {{ text }}) as _source_file,
    cast(row_number() over (order by contact_id) as {{ dbt.type_bigint() }}) as _source_row
from contacts
