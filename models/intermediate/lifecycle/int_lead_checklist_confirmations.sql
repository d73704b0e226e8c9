-- When each discovery checklist item (BANT / CHAMP / MEDDIC: seeds/reference/
-- qualification_checklists.csv) was first confirmed for a lead: its first confirmed
-- discovery_answer activity per item, on any of the person's records. The sales triggers
-- (discovery_complete) and lead_qualification read the same confirmations.
with

activities as (

    select * from {{ ref('int_sales_activities_resolved') }}

)

select
    lead_id,
    checklist_item,
    min(occurred_at) as first_confirmed_at
from activities
where activity_type = 'discovery_answer' and is_confirmed
group by lead_id, checklist_item
