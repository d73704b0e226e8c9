-- What the HubSpot adapter read and delivered, per contract table and connector table:
-- connector_rows (rows in the connector table), soft_deleted_rows (is_deleted / _fivetran_deleted
-- rows and inactive history-mode versions, excluded by the stg_ model) and delivered_rows (rows
-- of the contract table that came from it; null for a lookup table whose rows only enrich other
-- rows). Contract tables read beside the connector schema are listed as contract.<table>.
{%- set pairs = [
    ('leads', 'contact', 'stg_hubspot__contact', true),
    ('lifecycle_events', 'contact', 'stg_hubspot__contact', true),
    ('accounts', 'company', 'stg_hubspot__company', true),
    ('opportunities', 'deal', 'stg_hubspot__deal', true),
    ('opportunities', 'deal_pipeline_stage', 'stg_hubspot__deal_pipeline_stage', false),
    ('opportunities', 'deal_contact', 'stg_hubspot__deal_contact', false),
    ('opportunities', 'deal_company', 'stg_hubspot__deal_company', false),
    ('sales_activities', 'engagement_call', 'stg_hubspot__engagement_call', true),
    ('sales_activities', 'engagement_email', 'stg_hubspot__engagement_email', true),
    ('sales_activities', 'engagement_meeting', 'stg_hubspot__engagement_meeting', true),
    ('sales_activities', 'engagement_note', 'stg_hubspot__engagement_note', true),
    ('sales_activities', 'engagement', 'stg_hubspot__engagement', false),
    ('sales_activities', 'engagement_contact', 'stg_hubspot__engagement_contact', false),
    ('marketing_events', 'email_event', 'stg_hubspot__email_event', true),
    ('marketing_events', 'contact_form_submission', 'stg_hubspot__contact_form_submission', true),
    ('marketing_events', 'engagement_email', 'stg_hubspot__engagement_email', true),
    ('marketing_events', 'email_campaign', 'stg_hubspot__email_campaign', false),
    ('marketing_events', 'form', 'stg_hubspot__form', false),
    ('reps', 'owner', 'stg_hubspot__owner', true),
    ('reps', 'users', 'stg_hubspot__users', false),
    ('reps', 'role', 'stg_hubspot__role', false),
] -%}
{%- set contract_tables = [
    ('marketing_events', 'marketing'),
    ('teams', 'crm'),
    ('territories', 'crm'),
    ('campaigns', 'marketing'),
    ('marketing_spend', 'marketing'),
    ('sales_targets', 'crm'),
] %}

with

counts as (

    {%- for contract_table, connector_table, staged, delivers in pairs %}
        select
            '{{ contract_table }}' as contract_table,
            'hubspot.{{ connector_table }}' as connector_table,
            (select count(*) from {{ source('hubspot', connector_table) }}) as connector_rows,
            (select count(*) from {{ source('hubspot', connector_table) }})
            - (select count(*) from {{ ref(staged) }}) as soft_deleted_rows,
            {% if delivers -%}
                (
                    select count(*) from {{ crm_input(contract_table) }} as delivered
                    where delivered._source_file = 'hubspot.{{ connector_table }}'
                )
            {%- else -%}
                cast(null as {{ dbt.type_bigint() }})
            {%- endif %} as delivered_rows
        union all
    {%- endfor %}
    {%- for contract_table, source_name in contract_tables %}
        select
            '{{ contract_table }}' as contract_table,
            'contract.{{ contract_table }}' as connector_table,
            (select count(*) from {{ source(source_name, contract_table) }}) as connector_rows,
            0 as soft_deleted_rows,
            (
                select count(*) from {{ crm_input(contract_table) }} as delivered
                where delivered._source_file not like 'hubspot.%'
            ) as delivered_rows
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

)

select
    cast(contract_table as {{ dbt.type_string() }}) as contract_table,
    cast(connector_table as {{ dbt.type_string() }}) as connector_table,
    cast(connector_rows as {{ dbt.type_bigint() }}) as connector_rows,
    cast(soft_deleted_rows as {{ dbt.type_bigint() }}) as soft_deleted_rows,
    cast(delivered_rows as {{ dbt.type_bigint() }}) as delivered_rows
from counts
