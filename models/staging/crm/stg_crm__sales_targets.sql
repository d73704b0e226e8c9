select
    target_id,
    target_month,
    team_id,
    bookings_target,
    pipeline_target
from {{ ref('base_crm__sales_targets') }}
where quarantine_reason is null
