{#- Checks that every item of a delimited list column (e.g. 'email|title') is one of the accepted values. -#}
{% test delimited_values_accepted(model, column_name, values, delimiter='|') %}

with

items as (

    select trim(item) as item
    from (
        select {{ split_to_rows(column_name, delimiter) }} as item
        from {{ model }}
        where {{ column_name }} is not null
    ) as exploded

)

select item
from items
where item not in (
    {%- for value in values %}'{{ value }}'{% if not loop.last %}, {% endif %}{% endfor -%}
)

{% endtest %}
