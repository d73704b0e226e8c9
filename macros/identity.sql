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

{% macro scored_account_columns() -%}
    {#- The columns of a record's account that scoring reads (int_lead_record_keys lists them as
        account_<column>); a change to one of them changes the record's person. -#}
    {{ return(['industry', 'employee_count', 'annual_revenue', 'region', 'tech_stack', 'country']) }}
{%- endmacro %}

{% macro account_fingerprint(alias, prefix='') -%}
    {#- One value over those columns of `alias` (named prefix ~ column there), as text: what
        int_lead_identity keeps per record and int_crm_changed_leads compares with the account now. -#}
    {%- set columns = [] -%}
    {%- for column in scored_account_columns() -%}
        {%- do columns.append(alias ~ '.' ~ prefix ~ column) -%}
    {%- endfor -%}
    cast({{ values_fingerprint(columns) }} as {{ dbt.type_string() }})
{%- endmacro %}
