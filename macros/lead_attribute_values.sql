{% macro lead_attribute_values(inputs) -%}
    {#- The select of int_lead_attribute_values over `inputs` (a relation or CTE with the columns of
        int_lead_scoring_inputs): each scoring attribute of a lead as a row (text or number),
        `technology` once per tool of the stack, null attributes without a row. A macro so that
        int_lead_fit_rule_matches evaluates the rules on the leads it recomputes only. -#}
with

text_attributes as (

    {%- set text_attributes = ['industry', 'region', 'country', 'seniority', 'job_function', 'buying_role',
                               'email_type', 'segment', 'lead_source', 'channel', 'motion'] %}
    {%- for attribute in text_attributes %}
        select
            lead_id,
            '{{ attribute }}' as attribute,
            lower({{ attribute }}) as text_value,
            cast(null as {{ type_double() }}) as number_value
        from {{ inputs }}
        where {{ attribute }} is not null
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

number_attributes as (

    {%- for attribute in ['employee_count', 'annual_revenue'] %}
        select
            lead_id,
            '{{ attribute }}' as attribute,
            cast(null as {{ dbt.type_string() }}) as text_value,
            cast({{ attribute }} as {{ type_double() }}) as number_value
        from {{ inputs }}
        where {{ attribute }} is not null
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

technologies as (

    select
        lead_id,
        {{ split_to_rows('tech_stack', ';') }} as technology
    from {{ inputs }}
    where tech_stack is not null

)

select * from text_attributes
union all
select * from number_attributes
union all
select distinct
    lead_id,
    'technology' as attribute,
    trim(technology) as text_value,
    cast(null as {{ type_double() }}) as number_value
from technologies
where trim(technology) != ''
{%- endmacro %}
