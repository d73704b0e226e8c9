{#- Every row of a staging model of CRM records, with the person (lead_id) of the CRM record it
    names (`source_lead_id`): a row on any record of a person (merged or converted records
    included) belongs to that person. Staging only keeps rows whose lead record is staged, so every
    row has its person. The one place a record id is mapped to the merged person. `where`: which
    rows of the staging model (an incremental model's changed rows; default all); `persons`: which
    persons (a condition on int_lead_identity; an incremental-by-lead model's changed leads). -#}
{% macro with_person_key(staging_model, where='1 = 1', persons='1 = 1') %}
with

records as (

    select * from {{ ref(staging_model) }}
    where {{ where }}

),

identity as (

    select
        source_lead_id,
        lead_id
    from {{ ref('int_lead_identity') }}
    where {{ persons }}

)

select
    identity.lead_id,
    records.*
from records
inner join identity on records.source_lead_id = identity.source_lead_id
{% endmacro %}
