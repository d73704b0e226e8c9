{#- Checks that every non-null value of the column (in rows matching from_condition) exists in `to`.`field` among the rows matching to_condition. -#}
{% test relationships_where(model, column_name, to, field, from_condition=none, to_condition=none) %}

with

child as (

    select {{ column_name }} as child_value
    from {{ model }}
    where {{ column_name }} is not null
        {% if from_condition %}and ({{ from_condition }}){% endif %}

),

parent as (

    select {{ field }} as parent_value
    from {{ to }}
    {% if to_condition %}where {{ to_condition }}{% endif %}

)

select child.child_value
from child
left join parent on child.child_value = parent.parent_value
where parent.parent_value is null

{% endtest %}
