{#- '+15', '−20', '+13.5': signed points for the readable reason string. -#}
{% macro format_points(points) -%}
    {{ dbt.concat([
        "case when " ~ points ~ " < 0 then '−' else '+' end",
        "case when " ~ round_to("abs(" ~ points ~ ")", 1) ~ " = " ~ round_to("abs(" ~ points ~ ")", 0)
            ~ " then cast(cast(" ~ round_to("abs(" ~ points ~ ")", 0) ~ " as integer) as " ~ dbt.type_string() ~ ")"
            ~ " else cast(" ~ round_to("abs(" ~ points ~ ")", 1) ~ " as " ~ dbt.type_string() ~ ") end"
    ]) }}
{%- endmacro %}
