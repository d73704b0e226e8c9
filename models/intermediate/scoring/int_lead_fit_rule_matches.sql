-- Fit and negative rules each lead matches. A rule (seeds/scoring/scoring_fit_rules.csv)
-- matches when every one of its conditions (scoring_fit_conditions.csv) holds; a condition on
-- a multi-valued attribute (technology) holds when any value satisfies it (`in`, `between`)
-- or no value is listed (`not_in`). A missing attribute fails every condition.
with

inputs as (

    select
        lead_id,
        scoring_model_id,
        created_at
    from {{ ref('int_lead_scoring_inputs') }}

),

attribute_values as (

    select * from {{ ref('int_lead_attribute_values') }}

),

rules as (

    select * from {{ ref('scoring_fit_rules') }}

),

conditions as (

    select
        *,
        row_number() over (partition by model_id, rule_id order by attribute, operator, match_values) as condition_id
    from {{ ref('scoring_fit_conditions') }}

),

value_checks as (

    select
        inputs.lead_id,
        conditions.model_id,
        conditions.rule_id,
        conditions.condition_id,
        conditions.operator,
        case when attribute_values.attribute is not null then 1 else 0 end as has_value,
        case
            when conditions.operator in ('in', 'not_in')
                and {{ dbt.concat(["'|'", "lower(conditions.match_values)", "'|'"]) }}
                like {{ dbt.concat(["'%|'", "attribute_values.text_value", "'|%'"]) }}
                then 1
            when conditions.operator = 'between'
                and attribute_values.number_value >= coalesce(conditions.min_value, attribute_values.number_value)
                and attribute_values.number_value <= coalesce(conditions.max_value, attribute_values.number_value)
                then 1
            else 0
        end as value_in_condition
    from inputs
    inner join conditions on inputs.scoring_model_id = conditions.model_id
    left join attribute_values
        on inputs.lead_id = attribute_values.lead_id and conditions.attribute = attribute_values.attribute

),

condition_results as (

    select
        lead_id,
        model_id,
        rule_id,
        condition_id,
        case
            when max(has_value) = 0 then 0
            when min(operator) = 'not_in' then 1 - max(value_in_condition)
            else max(value_in_condition)
        end as is_met
    from value_checks
    group by lead_id, model_id, rule_id, condition_id

),

matched_rules as (

    select
        lead_id,
        model_id,
        rule_id
    from condition_results
    group by lead_id, model_id, rule_id
    having min(is_met) = 1

)

select
    matched_rules.lead_id,
    matched_rules.model_id as scoring_model_id,
    matched_rules.rule_id,
    rules.dimension,
    rules.points,
    rules.icp_criterion,
    rules.label,
    inputs.created_at as matched_at
from matched_rules
inner join rules on matched_rules.model_id = rules.model_id and matched_rules.rule_id = rules.rule_id
inner join inputs on matched_rules.lead_id = inputs.lead_id
