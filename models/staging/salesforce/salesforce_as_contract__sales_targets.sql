-- Contract `sales_targets` in the Salesforce shape. Salesforce has no sales targets: the contract
-- table beside it, source crm.sales_targets (schema LEAD_RAW_SCHEMA).

with

source as (

    select * from {{ source('crm', 'sales_targets') }}

)

select
    target_id,
    target_month,
    team_id,
    bookings_target,
    pipeline_target,
    _source_file,
    _source_row
from source
