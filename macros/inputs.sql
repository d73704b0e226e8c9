{#- The input layer in one place: which raw tables exist, where each is read from, and the
    base / staging model that accounts for every one of its rows, and its picklist columns
    (each mapped to a canonical value, with <column>_raw beside it). quarantined_rows,
    raw_row_reconciliation and the data-quality summary all loop over input_tables(), so a
    new input table is one entry here. -#}

{% macro input_tables() -%}
    {{ return([
        {'table': 'leads', 'source': 'crm', 'base': 'base_crm__leads', 'staged': 'stg_crm__leads', 'id': 'source_lead_id', 'enums': ['lead_source', 'channel', 'motion']},
        {'table': 'accounts', 'source': 'crm', 'base': 'base_crm__accounts', 'staged': 'stg_crm__accounts', 'id': 'account_id', 'enums': ['region']},
        {'table': 'sales_activities', 'source': 'crm', 'base': 'base_crm__sales_activities', 'staged': 'stg_crm__sales_activities', 'id': 'activity_id', 'enums': ['activity_type']},
        {'table': 'opportunities', 'source': 'crm', 'base': 'base_crm__opportunities', 'staged': 'stg_crm__opportunities', 'id': 'opportunity_id', 'enums': ['stage']},
        {'table': 'lifecycle_events', 'source': 'crm', 'base': 'base_crm__lifecycle_events', 'staged': 'stg_crm__lifecycle_events', 'id': 'lifecycle_event_id', 'enums': ['stage']},
        {'table': 'reps', 'source': 'crm', 'base': 'base_crm__reps', 'staged': 'stg_crm__reps', 'id': 'rep_id', 'enums': ['role']},
        {'table': 'teams', 'source': 'crm', 'base': 'base_crm__teams', 'staged': 'stg_crm__teams', 'id': 'team_id', 'enums': ['segment']},
        {'table': 'territories', 'source': 'crm', 'base': 'base_crm__territories', 'staged': 'stg_crm__territories', 'id': 'territory_id', 'enums': ['region']},
        {'table': 'sales_targets', 'source': 'crm', 'base': 'base_crm__sales_targets', 'staged': 'stg_crm__sales_targets', 'id': 'target_id', 'enums': []},
        {'table': 'marketing_events', 'source': 'marketing', 'base': 'base_marketing__marketing_events', 'staged': 'stg_marketing__marketing_events', 'id': 'event_id', 'enums': ['event_type']},
        {'table': 'campaigns', 'source': 'marketing', 'base': 'base_marketing__campaigns', 'staged': 'stg_marketing__campaigns', 'id': 'campaign_id', 'enums': ['lead_source', 'channel']},
        {'table': 'marketing_spend', 'source': 'marketing', 'base': 'base_marketing__marketing_spend', 'staged': 'stg_marketing__marketing_spend', 'id': 'spend_id', 'enums': ['lead_source', 'channel']}
    ]) }}
{%- endmacro %}

{% macro source_shape() -%}
    {#- Which shape the raw data has: the project's own landing contract, or the schema a
        Fivetran Salesforce / HubSpot connector writes. dbt var `source_shape`, else the
        environment variable LEAD_SOURCE_SHAPE, else contract. -#}
    {%- set shape = var('source_shape', env_var('LEAD_SOURCE_SHAPE', 'contract')) | lower -%}
    {%- if shape not in ('contract', 'salesforce', 'hubspot') -%}
        {{ exceptions.raise_compiler_error(
            "source_shape must be contract, salesforce or hubspot, got '" ~ shape ~ "' (dbt var source_shape / LEAD_SOURCE_SHAPE)"
        ) }}
    {%- endif -%}
    {{ return(shape) }}
{%- endmacro %}

{% macro contract_only_tables() -%}
    {#- Tables no CRM connector holds (teams with a territory and time zone, spend, targets):
        every shape reads them from the contract tables beside the connector schema. -#}
    {{ return(['teams', 'territories', 'marketing_spend', 'sales_targets']) }}
{%- endmacro %}

{% macro crm_input(table) -%}
    {#- The relation holding one contract table's rows, as text columns named as in the
        contract plus _source_file and _source_row. In the contract shape (and for the
        contract-only tables in any shape) that is the raw table itself; in a connector shape,
        the adapter model <shape>_as_contract__<table> that maps the connector's tables onto
        the contract's columns. -#}
    {%- set shape = source_shape() -%}
    {%- set entry = input_tables() | selectattr('table', 'equalto', table) | first -%}
    {%- if shape == 'contract' or table in contract_only_tables() -%}
        {{ source(entry['source'], table) }}
    {%- else -%}
        {{ ref(shape ~ '_as_contract__' ~ table) }}
    {%- endif -%}
{%- endmacro %}
