{#- Row-level parsing of raw text columns. Each returns null when the value does not parse,
    so the staging models can quarantine the row with a reason instead of failing. Engine
    specifics stay behind adapter.dispatch. -#}

{% macro clean_text(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}

{% macro parse_timestamp(column) -%}
    {{ return(adapter.dispatch('parse_timestamp', 'lead_warehouse')(column)) }}
{%- endmacro %}

{% macro default__parse_timestamp(column) -%}
    {# ISO-8601 with or without an offset; stored as a UTC timestamp without time zone. #}
    cast(try_cast({{ clean_text(column) }} as timestamptz) at time zone 'UTC' as timestamp)
{%- endmacro %}

{% macro parse_date(column) -%}
    {{ return(adapter.dispatch('parse_date', 'lead_warehouse')(column)) }}
{%- endmacro %}

{% macro default__parse_date(column) -%}
    try_cast({{ clean_text(column) }} as date)
{%- endmacro %}

{% macro parse_number(column) -%}
    {{ return(adapter.dispatch('parse_number', 'lead_warehouse')(column)) }}
{%- endmacro %}

{% macro default__parse_number(column) -%}
    try_cast(replace({{ clean_text(column) }}, ',', '') as double)
{%- endmacro %}

{% macro parse_boolean(column) -%}
    case lower({{ clean_text(column) }})
        when 'true' then true when 't' then true when 'yes' then true when 'y' then true when '1' then true
        when 'false' then false when 'f' then false when 'no' then false when 'n' then false when '0' then false
    end
{%- endmacro %}

{% macro normalize_enum(column) -%}
    {# 'Paid Search ' and 'paid-search' both become 'paid_search'. #}
    replace(replace(lower({{ clean_text(column) }}), ' ', '_'), '-', '_')
{%- endmacro %}

{% macro regex_matches(column, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'lead_warehouse')(column, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(column, pattern) -%}
    regexp_matches({{ column }}, '{{ pattern }}')
{%- endmacro %}

{% macro postgres__regex_matches(column, pattern) -%}
    ({{ column }} ~ '{{ pattern }}')
{%- endmacro %}

{% macro spark__regex_matches(column, pattern) -%}
    ({{ column }} rlike '{{ pattern }}')
{%- endmacro %}

{% macro is_valid_email(column) -%}
    coalesce({{ regex_matches(column, '^[^@[:space:]]+@[^@[:space:]]+\\.[a-z]{2,}$') }}, false)
{%- endmacro %}

{% macro as_of_literal() -%}
    {{ return(var('as_of', env_var('LEAD_AS_OF', '2026-11-01 00:00:00'))) }}
{%- endmacro %}

{% macro as_of() -%}
    cast('{{ as_of_literal() }}' as timestamp)
{%- endmacro %}

{% macro accepted(table, column, expression) -%}
    {#- True when the normalized value is in the accepted_values seed for this raw column. -#}
    {{ expression }} in (
        select accepted_value from {{ ref('accepted_values') }}
        where source_table = '{{ table }}' and column_name = '{{ column }}'
    )
{%- endmacro %}

{% macro first_occurrence(id_column, order_column='_source_row') -%}
    {#- 1 for the first raw row carrying an id, 2, 3, … for re-deliveries of the same id. -#}
    row_number() over (partition by {{ id_column }} order by {{ order_column }})
{%- endmacro %}

{% macro type_double() -%}
    {#- 64-bit float everywhere (dbt.type_float() is a 32-bit float on DuckDB). -#}
    {{ return(adapter.dispatch('type_double', 'lead_warehouse')()) }}
{%- endmacro %}

{% macro default__type_double() -%}double precision{%- endmacro %}

{% macro spark__type_double() -%}double{%- endmacro %}

{% macro regex_replace_all(column, pattern, replacement) -%}
    {{ return(adapter.dispatch('regex_replace_all', 'lead_warehouse')(column, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regex_replace_all(column, pattern, replacement) -%}
    regexp_replace({{ column }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro spark__regex_replace_all(column, pattern, replacement) -%}
    regexp_replace({{ column }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}
