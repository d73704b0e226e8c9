select
    territory_id,
    territory_name,
    region,
    time_zone
from {{ ref('base_crm__territories') }}
where quarantine_reason is null
