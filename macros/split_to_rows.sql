{#- One output row per delimited item of a text column (use in a select list). -#}
{% macro split_to_rows(column, delimiter) -%}
    {{ return(adapter.dispatch('split_to_rows', 'lead_warehouse')(column, delimiter)) }}
{%- endmacro %}

{% macro default__split_to_rows(column, delimiter) -%}
    unnest(string_split({{ column }}, '{{ delimiter }}'))
{%- endmacro %}

{% macro postgres__split_to_rows(column, delimiter) -%}
    unnest(string_to_array({{ column }}, '{{ delimiter }}'))
{%- endmacro %}

{% macro spark__split_to_rows(column, delimiter) -%}
    {#- Spark's split() takes a regular expression: the delimiter is quoted (\Q…\E), so '|' splits
        at the bar and not between every character -#}
    explode(split({{ column }}, '\\Q{{ delimiter }}\\E'))
{%- endmacro %}
