{#- A base model is 1:1 with its input table (the raw table, or a connector adapter's output):
    nothing is dropped before staging / quarantine. -#}
{% test one_row_per_input_row(model, input_table) %}

with

counts as (

    select
        (select count(*) from {{ model }}) as model_rows,
        (select count(*) from {{ crm_input(input_table) }}) as input_rows

)

select *
from counts
where model_rows != input_rows

{% endtest %}
