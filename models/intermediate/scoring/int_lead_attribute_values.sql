-- The lead's attributes in long form (one row per attribute value) so that fit rules, which
-- are data, can be evaluated by one join. `technology` has one row per tool in the stack.
-- A view: int_lead_fit_rule_matches is its only reader, and storing ~10M rows at 1M leads cost
-- more (23.6 s in a 1M refresh) than reading the view in place (+7 s for the reader).
{{ config(materialized='view') }}
with

inputs as (

    select * from {{ ref('int_lead_scoring_inputs') }}

),

text_attributes as (

    {%- set text_attributes = ['industry', 'region', 'country', 'seniority', 'job_function', 'buying_role',
                               'email_type', 'segment', 'lead_source', 'channel', 'motion'] %}
    {%- for attribute in text_attributes %}
        select
            lead_id,
            '{{ attribute }}' as attribute,
            lower({{ attribute }}) as text_value,
            cast(null as {{ type_double() }}) as number_value
        from inputs
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
        from inputs
        where {{ attribute }} is not null
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

technologies as (

    select
        lead_id,
        {{ split_to_rows('tech_stack', ';') }} as technology
    from inputs
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
