{#- Enum columns of raw tables: a value is never a reason to lose a row. It is normalized
    (lower case, spaces and dashes as `_`), looked up in stg_reference__picklist_lookup (the
    canonical list in seeds/reference/canonical_values.csv plus the spellings of
    picklist_mappings.csv), and an unlisted value becomes 'other'. An empty value is looked up
    as '(blank)' (e.g. lead_source → 'unknown'), else stays null; the text 'null' is looked up as
    '(null)' (dbt's seed loader on PostgreSQL, agate, reads a bare null in a CSV as an empty cell). Keep the raw value beside the
    canonical one (`<column>_raw`) so nothing is lost. -#}

{% macro map_picklist(table, column, expression) -%}
    case
        when {{ expression }} is null then (
            select max(lookup.canonical_value) from {{ ref('stg_reference__picklist_lookup') }} as lookup
            where lookup.source_table = '{{ table }}' and lookup.column_name = '{{ column }}'
                and lookup.raw_value = '(blank)'
        )
        else coalesce((
            select max(lookup.canonical_value) from {{ ref('stg_reference__picklist_lookup') }} as lookup
            where lookup.source_table = '{{ table }}' and lookup.column_name = '{{ column }}'
                and lookup.raw_value = case when {{ expression }} = 'null' then '(null)' else {{ expression }} end
        ), 'other')
    end
{%- endmacro %}

{% macro is_mapped_to_other(canonical_column, raw_expression) -%}
    {#- A non-empty raw value no spelling matched (the data-quality summary counts these). -#}
    ({{ canonical_column }} = 'other' and coalesce({{ raw_expression }}, 'other') <> 'other')
{%- endmacro %}
