-- Every valid marketing event with the person (lead_id) of the CRM record it names: an event on
-- any record of a person (merged or converted records included) belongs to that person. Staging
-- only keeps events whose lead record is staged, so every event has its person.
with

records as (

    select * from {{ ref('stg_marketing__marketing_events') }}

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
