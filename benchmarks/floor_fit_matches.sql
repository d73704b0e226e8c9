-- The fit and negative rules each lead matches, for both floor queries (floor_current_totals.sql,
-- floor_score_history.sql): a DuckDB table macro, defined once per connection before either runs
-- (scripts/benchmark.py does; by hand, `.read benchmarks/floor_fit_matches.sql` first). A rule
-- matches when all its conditions hold (seeds/scoring/scoring_fit_conditions.csv); a missing
-- attribute fails every condition, `not_in` holds when no value is listed.
create or replace temp macro floor_fit_matches() as table

with

inputs as (

    select * from intermediate.int_lead_scoring_inputs

),

attribute_values as (

    -- one row per attribute value; text attributes in lower case, technologies one per tool
    select lead_id, attribute, lower(text_value) as text_value, null::double as number_value
    from (
        unpivot (
            select
                lead_id, industry, region, country, seniority, job_function, buying_role,
                email_type, segment, lead_source, channel, motion
            from inputs
        )
        on industry, region, country, seniority, job_function, buying_role, email_type, segment,
            lead_source, channel, motion
        into name attribute value text_value
    )

    union all

    select lead_id, attribute, null, number_value
    from (
        unpivot (
            select lead_id, employee_count::double as employee_count, annual_revenue::double as annual_revenue
            from inputs
        )
        on employee_count, annual_revenue
        into name attribute value number_value
    )

    union all

    select distinct lead_id, 'technology', trim(tool), null
    from (select lead_id, unnest(string_split(tech_stack, ';')) as tool from inputs)
    where trim(tool) != ''

),

conditions_met as (

    select
        inputs.lead_id,
        conditions.model_id,
        conditions.rule_id,
        case
            when count(attribute_values.attribute) = 0 then false
            when conditions.operator = 'not_in' then not coalesce(bool_or(
                '|' || lower(conditions.match_values) || '|' like '%|' || attribute_values.text_value || '|%'
            ), false)
            when conditions.operator = 'in' then coalesce(bool_or(
                '|' || lower(conditions.match_values) || '|' like '%|' || attribute_values.text_value || '|%'
            ), false)
            when conditions.operator = 'between' then coalesce(bool_or(
                attribute_values.number_value
                between coalesce(conditions.min_value, attribute_values.number_value)
                and coalesce(conditions.max_value, attribute_values.number_value)
            ), false)
            else false
        end as is_met
    from inputs
    inner join config.scoring_fit_conditions as conditions on inputs.scoring_model_id = conditions.model_id
    left join attribute_values
        on inputs.lead_id = attribute_values.lead_id and conditions.attribute = attribute_values.attribute
    group by
        inputs.lead_id, conditions.model_id, conditions.rule_id, conditions.attribute, conditions.operator,
        conditions.match_values, conditions.min_value, conditions.max_value

)

select lead_id, model_id, rule_id from conditions_met group by all having bool_and(is_met)
