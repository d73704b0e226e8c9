-- One person = one normalized email. Maps every staged source lead record to the lead_id of
-- its person, so events and activities on any merged record follow the person.
with

records as (

    select * from {{ ref('stg_crm__leads') }}

)

select
    source_lead_id,
    {{ dbt.hash('email') }} as lead_id,
    email,
    created_at,
    row_number() over (partition by email order by created_at, source_lead_id) as record_order
from records
