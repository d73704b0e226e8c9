-- Contract `territories` in the HubSpot shape. HubSpot has no territories with a time zone: the
-- contract table beside it. Read from source crm.territories (schema LEAD_RAW_SCHEMA), loaded
-- beside the connector schema.

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
