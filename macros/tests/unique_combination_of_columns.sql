{#- Checks that the combination of the given columns is unique across the model's rows (a composite key). -#}
{% test unique_combination_of_columns(model, combination_of_columns, where=none) %}

select
    {{ combination_of_columns | join(', ') }},
    count(*) as row_count
from {{ model }}
{% if where %}where {{ where }}{% endif %}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}
