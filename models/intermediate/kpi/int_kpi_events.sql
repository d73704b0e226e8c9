-- Funnel milestones in long form: one row per lead and milestone (macros/kpi_ladder.sql,
-- kpi_milestones), with the lead's slice dimensions and cohort date (created_at), the
-- milestone's own date (event_at), its amount (USD, for won) and the velocity duration that ends
-- at it (the int_kpi_lead_facts days_* column it names; null days when the entry is an
-- out-of-order fact applied at the creation). The KPI ladder counts these per period.
-- Incremental by lead, with the lead facts.
{{ config_incremental_by_lead(kpi_fact_changes()) }}
with

facts as (

    select * from {{ ref('int_kpi_lead_facts') }}
    where {{ only_changed_leads(changes=kpi_fact_changes()) }}

),

milestones as (

    {%- for name, at, condition, amount, duration in kpi_milestones() %}
        select
            lead_id,
            '{{ name }}' as milestone,
            {{ at }} as event_at,
            cast({{ amount or 'null' }} as {{ type_double() }}) as amount,
            {% if duration %}'{{ duration }}'{% else %}cast(null as {{ dbt.type_string() }}){% endif %} as duration,
            cast({{ duration or 'null' }} as {{ type_double() }}) as duration_days
        from facts
        where {{ condition }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

)

select
    milestones.lead_id,
    milestones.milestone,
    milestones.event_at,
    milestones.amount,
    milestones.duration,
    milestones.duration_days,
    facts.created_at,
    facts.lead_source,
    facts.channel,
    facts.segment,
    facts.fit_tier,
    facts.motion,
    facts.team,
    facts.rep,
    facts.peak_band,
    coalesce(facts.reject_reason, 'none') as reject_reason
from milestones
inner join facts on milestones.lead_id = facts.lead_id
