-- Fit and negative rules each lead matches. A rule (seeds/scoring/scoring_fit_rules.csv)
-- matches when every one of its conditions (scoring_fit_conditions.csv) holds; a condition on
-- a multi-valued attribute (technology) holds when any value satisfies it (`in`, `between`)
-- or no value is listed (`not_in`). A missing attribute fails every condition. Incremental by
-- lead: the leads int_fit_changed_leads marks (their attributes or a rule changed).
{{ config_incremental_by_lead('int_fit_changed_leads') }}
with

lead_inputs as (

    select * from {{ ref('int_lead_scoring_inputs') }}
    where {{ only_changed_leads(changes='int_fit_changed_leads') }}

),

inputs as (

    select
        lead_id,
        scoring_model_id,
        created_at
    from lead_inputs

),

attribute_values as (

    -- int_lead_attribute_values' select, for these leads only
    {{ lead_attribute_values('lead_inputs') | indent(4) }}

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

condition_values as (

    -- one row per value an `in` / `not_in` condition lists (a few dozen): leads' values are
    -- compared by equality, not by a pattern per lead and condition
    select
        model_id,
        rule_id,
        condition_id,
        attribute,
        operator,
        listed_value
    from (
        select
            *,
            {{ split_to_rows('lower(match_values)', '|') }} as listed_value
        from conditions
        where operator in ('in', 'not_in')
    ) as listed

),

lead_values as (

    -- each attribute value with the scoring model of its lead
    select
        attribute_values.lead_id,
        inputs.scoring_model_id,
        attribute_values.attribute,
        attribute_values.text_value,
        attribute_values.number_value
    from attribute_values
    inner join inputs on attribute_values.lead_id = inputs.lead_id

),

listed_hits as (

    -- a value of the lead is listed by the condition
    select distinct
        lead_values.lead_id,
        condition_values.model_id,
        condition_values.rule_id,
        condition_values.condition_id,
        condition_values.operator
    from lead_values
    inner join condition_values
        on lead_values.scoring_model_id = condition_values.model_id
            and lead_values.attribute = condition_values.attribute
            and lead_values.text_value = condition_values.listed_value

),

attribute_checks as (

    -- the lead's values of the attribute a `between` or `not_in` condition reads
    select
        lead_values.lead_id,
        lead_values.number_value,
        conditions.model_id,
        conditions.rule_id,
        conditions.condition_id,
        conditions.operator,
        conditions.min_value,
        conditions.max_value
    from lead_values
    inner join conditions
        on
            lead_values.scoring_model_id = conditions.model_id
            and lead_values.attribute = conditions.attribute
    where conditions.operator in ('between', 'not_in')

),

range_hits as (

    -- a value of the lead is within the condition's bounds (a missing bound is open)
    select distinct
        lead_id,
        model_id,
        rule_id,
        condition_id
    from attribute_checks
    where
        operator = 'between'
        and number_value >= coalesce(min_value, number_value)
        and number_value <= coalesce(max_value, number_value)

),

not_in_candidates as (

    -- a `not_in` condition holds for a lead with a value of the attribute (a missing attribute
    -- fails every condition) and no listed one
    select distinct
        lead_id,
        model_id,
        rule_id,
        condition_id
    from attribute_checks
    where operator = 'not_in'

),

met_conditions as (

    select
        lead_id,
        model_id,
        rule_id,
        condition_id
    from listed_hits
    where operator = 'in'

    union all

    select * from range_hits

    union all

    select not_in_candidates.*
    from not_in_candidates
    left join listed_hits
        on not_in_candidates.lead_id = listed_hits.lead_id
            and not_in_candidates.model_id = listed_hits.model_id
            and not_in_candidates.rule_id = listed_hits.rule_id
            and not_in_candidates.condition_id = listed_hits.condition_id
    where listed_hits.lead_id is null

),

condition_counts as (

    select
        model_id,
        rule_id,
        count(*) as conditions
    from conditions
    group by model_id, rule_id

),

matched_rules as (

    -- every condition of the rule is met
    select
        met_conditions.lead_id,
        met_conditions.model_id,
        met_conditions.rule_id
    from met_conditions
    inner join condition_counts
        on met_conditions.model_id = condition_counts.model_id and met_conditions.rule_id = condition_counts.rule_id
    group by met_conditions.lead_id, met_conditions.model_id, met_conditions.rule_id, condition_counts.conditions
    having count(*) = condition_counts.conditions

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
