-- Contract `territories` in the Salesforce shape. Salesforce has no territories with a time zone:
-- the contract table beside it, source crm.territories (schema LEAD_RAW_SCHEMA).

with

source as (

    select * from {{ source('crm', 'territories') }}

)

select
    territory_id,
    territory_name,
    region,
    time_zone,
    _source_file,
    _source_row
from source
