-- Funnel milestones in long form: one row per lead and milestone, with the lead's slice
-- dimensions and cohort date (created_at), the milestone's own date (event_at) and a value
-- (days for velocity, USD for wins) and, for stage entries, the days since the lead was created
-- (null when the entry is an out-of-order fact applied at the creation). The KPI ladder counts
-- these per period.
with

facts as (

    select * from {{ ref('int_kpi_lead_facts') }}

),

milestones as (

    {%- set milestones = [
        ('created', 'created_at', 'true', 'null', 'null'),
        ('icp_match', 'created_at', 'is_icp_match', 'null', 'null'),
        ('mql', 'mql_at', 'mql_at is not null', 'null', 'days_created_to_mql'),
        ('sal', 'sal_at', 'sal_at is not null', 'null', 'days_created_to_sal'),
        ('sql', 'sql_at', 'sql_at is not null', 'null', 'days_created_to_sql'),
        ('opportunity', 'opportunity_at', 'opportunity_at is not null', 'null', 'days_created_to_opportunity'),
        ('sal_after_mql', 'sal_at', 'sal_at is not null and mql_at is not null', 'null', 'null'),
        ('sql_after_sal', 'sql_at', 'sql_at is not null and sal_at is not null', 'null', 'null'),
        ('sql_after_mql', 'sql_at', 'sql_at is not null and mql_at is not null', 'days_mql_to_sql', 'null'),
        ('rejected', 'rejected_at', 'rejected_at is not null', 'null', 'null'),
        ('won', 'won_at', 'won_at is not null', 'won_amount', 'days_created_to_won'),
        ('lost', 'lost_at', 'lost_at is not null', 'null', 'null'),
        ('won_after_mql', 'won_at', 'won_at is not null and mql_at is not null', 'null', 'null'),
        ('closed_after_sql', 'closed_at', 'closed_at is not null and sql_at is not null', 'days_sql_to_close', 'null'),
    ] %}
    {%- for name, at, condition, value, days_from_created in milestones %}
        select
            lead_id,
            '{{ name }}' as milestone,
            {{ at }} as event_at,
            cast({{ value }} as {{ type_double() }}) as milestone_value,
            cast({{ days_from_created }} as {{ type_double() }}) as days_from_created
        from facts
        where {{ condition }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

)

select
    milestones.lead_id,
    milestones.milestone,
    milestones.event_at,
    milestones.milestone_value,
    milestones.days_from_created,
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
