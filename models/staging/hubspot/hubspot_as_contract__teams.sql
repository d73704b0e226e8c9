-- Contract `teams` in the HubSpot shape. HubSpot teams have no territory or segment: the contract
-- table beside it. Read from source crm.teams (schema LEAD_RAW_SCHEMA), loaded beside the connector
-- schema.

with

source as (

    select * from {{ source('crm', 'teams') }}

)

select
    team_id,
    team_name,
    territory_id,
    segment,
    _source_file,
    _source_row
from source
