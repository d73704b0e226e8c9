select
    team_id,
    team_name,
    territory_id,
    segment
from {{ ref('base_crm__teams') }}
where quarantine_reason is null
