select
    rep_id,
    rep_name,
    role,
    team_id,
    is_active
from {{ ref('base_crm__reps') }}
where quarantine_reason is null
