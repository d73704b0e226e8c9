-- Every valid sales activity with the person (lead_id) of the CRM record it names: an activity on
-- any record of a person (merged or converted records included) belongs to that person. Staging
-- only keeps activities whose lead record is staged, so every activity has its person.
-- Incremental by lead in the contract shape: a run maps again the activities of the persons whose
-- records (int_crm_changed_leads) or activities (int_sales_activity_changed_leads) changed; a
-- connector shape, whose activities carry no batch id, maps them all.
{%- set changes = ['int_crm_changed_leads', 'int_sales_activity_changed_leads'] %}
{%- if is_incremental_by_key() %}
    {{ config_incremental_by_lead(changes) }}
{%- else %}
    {{ config(materialized='table') }}
{%- endif %}
{{ with_person_key('stg_crm__sales_activities', persons=only_changed_leads(changes=changes)) }}
