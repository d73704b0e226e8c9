-- Contract `teams` in the Salesforce shape. Salesforce has no sales teams with a territory and
-- segment: the contract table beside it, source crm.teams (schema LEAD_RAW_SCHEMA).

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
