-- Valid lifecycle stages the CRM recorded, one row per recorded stage change.
with

base as (

    select * from {{ ref('base_crm__lifecycle_events') }}
    where quarantine_reason is null

)

select
    lifecycle_event_id,
    source_lead_id,
    stage,
    stage_raw,
    occurred_at,
    source_system
from base
