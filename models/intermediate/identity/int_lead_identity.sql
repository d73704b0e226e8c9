-- One person = one normalized email. Maps every staged source lead record to the lead_id of
-- its person, so events and activities on any merged record follow the person. A record the
-- CRM converted or merged into another (merged_into_lead_id: Salesforce lead → contact,
-- HubSpot merge) belongs to that record's person; a record without an email is its own
-- person, keyed by its CRM id.
with

records as (

    select * from {{ ref('stg_crm__leads') }}

),

keyed as (

    select
        records.source_lead_id,
        records.email,
        records.created_at,
        coalesce(merged_into.email, case when merged_into.source_lead_id is null then records.email end)
            as person_email,
        coalesce(merged_into.source_lead_id, records.source_lead_id) as root_source_lead_id
    from records
    left join records as merged_into on records.merged_into_lead_id = merged_into.source_lead_id

),

persons as (

    select
        *,
        coalesce(person_email, {{ dbt.concat(["'record:'", "root_source_lead_id"]) }}) as person_key
    from keyed

)

select
    source_lead_id,
    {{ dbt.hash('person_key') }} as lead_id,
    email,
    person_email,
    created_at,
    row_number() over (partition by person_key order by created_at, source_lead_id) as record_order,
    -- counted here, on this narrow table's partitions, rather than over the wide resolved records
    count(*) over (partition by person_key) as source_record_count
from persons
