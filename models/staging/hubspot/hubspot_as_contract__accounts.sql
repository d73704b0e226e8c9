-- Contract `accounts` from HubSpot companies: tech_stack = web_technologies (';'-separated),
-- region = a custom property (var hubspot_company_custom_fields, default region).
{%- set text = dbt.type_string() -%}
{%- set iso = "replace(cast(%s as " ~ text ~ "), ' ', 'T')" %}

with

companies as (

    select * from {{ ref('stg_hubspot__company') }}

)

select
    cast(company_id as {{ text }}) as account_id,
    cast(domain as {{ text }}) as domain,
    cast(company_name as {{ text }}) as account_name,
    cast(industry as {{ text }}) as industry,
    cast(employee_count as {{ text }}) as employee_count,
    cast(annual_revenue as {{ text }}) as annual_revenue,
    cast(country as {{ text }}) as country,
    cast(region as {{ text }}) as region,
    cast(web_technologies as {{ text }}) as tech_stack,
    {{ iso | format('updated_at') }} as updated_at,
    cast('hubspot.company' as {{ text }}) as _source_file,
    cast(row_number() over (order by company_id) as {{ dbt.type_bigint() }}) as _source_row
from companies
