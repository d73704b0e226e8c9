{#- The connector staging models (stg_salesforce__*, stg_hubspot__*) in one place: each model
    lists its columns and calls connector_renamed for the body of its `renamed` CTE. -#}

{% macro connector_renamed(source_relation, columns, from_cte='source') -%}
    {#- select each (source column, alias, type) of `columns` from from_cte, cast to its dbt type
        (string, timestamp, date, boolean, number, integer), null when the connector did not sync
        the column (a field the portal / org does not have), plus is_excluded: true for a soft
        deleted row (is_deleted, _fivetran_deleted) or an old history-mode version
        (_fivetran_active false). Column names are matched case-insensitively against
        source_relation's columns. -#}
    {%- set present = {} -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(source_relation) -%}
            {%- do present.update({column.name | lower: column.name}) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set excluded = [] -%}
    {%- for flag, kept in [('is_deleted', 'false'), ('_fivetran_deleted', 'false'), ('_fivetran_active', 'true')] -%}
        {%- if flag in present -%}
            {%- set value = 'coalesce(cast(' ~ adapter.quote(present[flag]) ~ ' as ' ~ dbt.type_boolean() ~ '), ' ~ kept ~ ')' -%}
            {%- do excluded.append(value if kept == 'false' else 'not ' ~ value) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set types = {
        'string': dbt.type_string(), 'timestamp': dbt.type_timestamp(), 'date': 'date',
        'boolean': dbt.type_boolean(), 'number': type_double(), 'integer': dbt.type_bigint(),
    } -%}
    select
    {%- for name, alias, type in columns %}
        {%- set expression = adapter.quote(present[name | lower]) if name | lower in present else 'null' %}
            cast({{ expression }} as {{ types[type] }}) as {{ alias }},
    {%- endfor %}
        {{ excluded | join(' or ') if excluded else 'false' }} as is_excluded
    from {{ from_cte }}
{%- endmacro %}
