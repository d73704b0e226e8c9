-- Every valid sales activity with the person (lead_id) of the CRM record it names: an activity on
-- any record of a person (merged or converted records included) belongs to that person. Staging
-- only keeps activities whose lead record is staged, so every activity has its person.
with

records as (

    select * from {{ ref('stg_crm__sales_activities') }}

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
