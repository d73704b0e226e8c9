{#- Checks that every combination of `columns` (rows with no null among them, optionally matching `where`) exists as a combination of `to_columns` in `to`. -#}
{% test relationships_multi_column(model, to, columns, to_columns=none, where=none) %}

{%- set to_columns = to_columns or columns -%}

with

child as (

    select distinct
        {% for column in columns %}{{ column }} as key_{{ loop.index }}{% if not loop.last %}, {% endif %}{% endfor %}
    from {{ model }}
    where
        {% for column in columns %}{{ column }} is not null{% if not loop.last %} and {% endif %}{% endfor %}
        {% if where %}and ({{ where }}){% endif %}

),

parent as (

    select distinct
        {% for column in to_columns %}{{ column }} as key_{{ loop.index }}{% if not loop.last %}, {% endif %}{% endfor %}
    from {{ to }}

)

select child.*
from child
left join parent
    on {% for column in columns %}child.key_{{ loop.index }} = parent.key_{{ loop.index }}{% if not loop.last %} and {% endif %}{% endfor %}
where parent.key_1 is null

{% endtest %}
