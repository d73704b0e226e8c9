-- Contract `accounts` from Salesforce accounts. domain: the Website without scheme, "www." and
-- path; country: the billing country code (else the billing country as entered); region and
-- tech_stack: custom fields (var salesforce_account_custom_fields).
{%- set text = dbt.type_string() -%}
{%- set iso = "replace(cast(%s as " ~ text ~ "), ' ', 'T')" -%}
{%- set host = regex_replace_all("lower(trim(website))", "^[a-z]+://(www[.])?|^www[.]", "") -%}
{%- set domain = regex_replace_all(host, "[/?#].*$", "") %}

with

accounts as (

    select * from {{ ref('stg_salesforce__account') }}

)

select
    cast(account_id as {{ text }}) as account_id,
    cast({{ domain }} as {{ text }}) as domain,
    cast(account_name as {{ text }}) as account_name,
    cast(industry as {{ text }}) as industry,
    cast(employee_count as {{ text }}) as employee_count,
    cast(annual_revenue as {{ text }}) as annual_revenue,
    cast(coalesce(billing_country_code, billing_country) as {{ text }}) as country,
    cast(region as {{ text }}) as region,
    cast(tech_stack as {{ text }}) as tech_stack,
    {{ iso | format('updated_at') }} as updated_at,
    cast('salesforce.account' as {{ text }}) as _source_file,
    cast(row_number() over (order by account_id) as {{ dbt.type_bigint() }}) as _source_row
from accounts
