-- Contract `sales_targets` in the HubSpot shape. HubSpot has no sales targets: the contract table
-- beside it. Read from source crm.sales_targets (schema LEAD_RAW_SCHEMA), loaded beside the
-- connector schema.

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
