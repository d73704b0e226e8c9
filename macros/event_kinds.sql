{% macro same_event_kind(left, right) -%}
    {#- Two rows describe the same kind of marketing event (int_marketing_event_signals): the
        same event_type, page_url and asset_name, a missing value matching a missing value. -#}
    coalesce({{ left }}.event_type, '') = coalesce({{ right }}.event_type, '')
    and coalesce({{ left }}.page_url, '') = coalesce({{ right }}.page_url, '')
    and coalesce({{ left }}.asset_name, '') = coalesce({{ right }}.asset_name, '')
{%- endmacro %}
