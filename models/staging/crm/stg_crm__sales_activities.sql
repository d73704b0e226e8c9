-- Valid SDR/AE activities, one per activity id: a view of base_crm__sales_activities (incremental
-- by activity id), whose only reader, int_sales_activities_resolved, maps each to its person.
{{ config(materialized='view') }}
with

base as (

    select * from {{ ref('base_crm__sales_activities') }}
    where quarantine_reason is null

)

select
    activity_id,
    source_lead_id,
    rep_id,
    activity_type,
    reason_code,
    note,
    checklist_item,
    is_confirmed,
    occurred_at
from base
