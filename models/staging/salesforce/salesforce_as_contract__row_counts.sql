-- What the Salesforce adapter read and delivered, per contract table and connector table:
-- connector_rows (rows in the connector table), soft_deleted_rows (IsDeleted / _fivetran_deleted
-- rows and inactive history-mode versions, excluded by the stg_ model) and delivered_rows (rows
-- of the contract table that came from it; null for a lookup table whose rows only enrich other
-- rows). Contract tables read beside the connector schema are listed as contract.<table>.
{%- set pairs = [
    ('leads', 'lead', 'stg_salesforce__lead', true),
    ('leads', 'contact', 'stg_salesforce__contact', true),
    ('leads', 'campaign_member', 'stg_salesforce__campaign_member', false),
    ('accounts', 'account', 'stg_salesforce__account', true),
    ('opportunities', 'opportunity', 'stg_salesforce__opportunity', true),
    ('opportunities', 'opportunity_contact_role', 'stg_salesforce__opportunity_contact_role', false),
    ('opportunities', 'opportunity_field_history', 'stg_salesforce__opportunity_field_history', false),
    ('sales_activities', 'task', 'stg_salesforce__task', true),
    ('sales_activities', 'event', 'stg_salesforce__event', true),
    ('lifecycle_events', 'lead_history', 'stg_salesforce__lead_history', true),
    ('lifecycle_events', 'lead', 'stg_salesforce__lead', true),
    ('reps', 'user', 'stg_salesforce__user', true),
    ('reps', 'user_role', 'stg_salesforce__user_role', false),
    ('campaigns', 'campaign', 'stg_salesforce__campaign', true),
] -%}
{%- set contract_tables = [
    ('marketing_events', 'marketing'),
    ('teams', 'crm'),
    ('territories', 'crm'),
    ('marketing_spend', 'marketing'),
    ('sales_targets', 'crm'),
] %}

with

counts as (

    {%- for contract_table, connector_table, staged, delivers in pairs %}
        select
            '{{ contract_table }}' as contract_table,
            'salesforce.{{ connector_table }}' as connector_table,
            (select count(*) from {{ source('salesforce', connector_table) }}) as connector_rows,
            (select count(*) from {{ source('salesforce', connector_table) }})
            - (select count(*) from {{ ref(staged) }}) as soft_deleted_rows,
            {% if delivers -%}
                (
                    select count(*) from {{ crm_input(contract_table) }} as delivered
                    where delivered._source_file = 'salesforce.{{ connector_table }}'
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
                where delivered._source_file not like 'salesforce.%'
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
