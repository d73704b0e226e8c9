-- Maps every staged source lead record to the lead_id of its person (int_lead_record_keys: one
-- person = one normalized email, a merged record follows its target), so events and activities
-- on any merged record follow the person. Incremental by lead: a run numbers again the records of
-- the persons int_crm_changed_leads lists (a person's record order depends on all its records).
{{ config_incremental_by_lead('int_crm_changed_leads') }}
with

records as (

    select * from {{ ref('int_lead_record_keys') }}
    where {{ only_changed_leads(changes='int_crm_changed_leads') }}

)

select
    source_lead_id,
    lead_id,
    email,
    person_email,
    created_at,
    -- the account as this run resolved it: the next run compares it with the account then
    account_id,
    account_fingerprint,
    row_number() over (partition by person_key order by created_at, source_lead_id) as record_order,
    -- counted here, on this narrow table's partitions, rather than over the wide resolved records
    count(*) over (partition by person_key) as source_record_count
from records
