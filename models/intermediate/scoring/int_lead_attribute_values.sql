-- The lead's attributes in long form (one row per attribute value) so that fit rules, which
-- are data, can be evaluated by one join. `technology` has one row per tool in the stack.
-- A view (macros/lead_attribute_values.sql) for readers and data tests:
-- int_lead_fit_rule_matches renders the same select for the leads it recomputes.
{{ config(materialized='view') }}
{{ lead_attribute_values(ref('int_lead_scoring_inputs')) }}
