-- Every valid CRM lifecycle record (a stage the CRM itself recorded) with the person (lead_id) of
-- the CRM record it names: a stage recorded on any record of a person belongs to that person.
-- Staging only keeps records whose lead record is staged, so every one has its person.
with

records as (

    select * from {{ ref('stg_crm__lifecycle_events') }}

),

identity as (

    select
        source_lead_id,
        lead_id
    from {{ ref('int_lead_identity') }}

)

select
    identity.lead_id,
    records.*
from records
inner join identity on records.source_lead_id = identity.source_lead_id
