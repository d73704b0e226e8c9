with

base as (

    select * from {{ ref('base_crm__accounts') }}
    where quarantine_reason is null

)

select
    account_id,
    domain,
    account_name,
    industry,
    cast({{ round_to("employee_count_number") }} as integer) as employee_count,
    annual_revenue,
    country,
    region,
    tech_stack
from base
