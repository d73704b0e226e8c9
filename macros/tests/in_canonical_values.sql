{#- Every value of the column is a canonical value of seeds/reference/canonical_values.csv for
    (source_table, column_name): the list lives in that one seed, not in YAML copies. -#}
{% test in_canonical_values(model, column_name, source_table, canonical_column=none) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
    and {{ column_name }} not in (
        select canonical_value from {{ ref('canonical_values') }}
        where source_table = '{{ source_table }}' and column_name = '{{ canonical_column or column_name }}'
    )

{% endtest %}
