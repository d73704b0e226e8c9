{#- Checks that a SQL boolean expression holds for every row (optionally only rows matching `where`); a false or null result fails the row. -#}
{% test expression_is_true(model, expression, where=none, column_name=none) %}

select *
from {{ model }}
where
    {% if where %}({{ where }}) and {% endif -%}
    not coalesce(({% if column_name %}{{ column_name }} {% endif %}{{ expression }}), false)

{% endtest %}
