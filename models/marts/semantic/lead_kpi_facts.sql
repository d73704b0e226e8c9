-- One row per lead: the per-lead facts of the KPI ladder that marts.leads does not carry, for the
-- semantic layer (_semantic_models.yml, lead_kpi_facts): the durations the ladder's velocity
-- medians take (int_kpi_lead_facts days_*: null where an out-of-order stage entry bounds them),
-- the won amount and the CLV factor of ACV and CLV, and the lead's judged SLA clocks (the cohort
-- basis of SLA compliance). The ladder's own per-lead facts, not a second derivation of them: a
-- view, so the build does not get slower and it cannot drift from what kpi_ladder counts.
{{ config(materialized='view', persist_docs=view_persist_docs()) }}
{%- set stages = ['mql', 'sal', 'sql', 'opportunity', 'won'] %}
with

facts as (

    select * from {{ ref('int_kpi_lead_facts') }}

),

parameters as (

    {{ kpi_parameters_row(['gross_margin', 'annual_churn_rate']) | indent(4) }}

),

sla_clocks as (

    -- the clocks int_kpi_ladder__sla judges (met, breached, open past due), per lead
    select
        lead_id,
        sum(case when status = 'met' then 1 else 0 end) as sla_clocks_met,
        count(*) as sla_clocks_judged
    from {{ ref('int_sla_instances') }}
    where status in ('met', 'breached', 'open_breached')
    group by lead_id

)

select
    facts.lead_id,
    facts.created_at,
    {%- for stage in stages %}
        facts.{{ stage }}_at,
    {%- endfor %}
    facts.closed_at,
    {%- for stage in stages %}
        facts.days_created_to_{{ stage }},
    {%- endfor %}
    facts.days_sql_to_close,
    facts.won_amount,
    parameters.gross_margin / parameters.annual_churn_rate as lifetime_value_factor,
    cast(coalesce(sla_clocks.sla_clocks_met, 0) as integer) as sla_clocks_met,
    cast(coalesce(sla_clocks.sla_clocks_judged, 0) as integer) as sla_clocks_judged
from facts
left join sla_clocks on facts.lead_id = sla_clocks.lead_id
cross join parameters
