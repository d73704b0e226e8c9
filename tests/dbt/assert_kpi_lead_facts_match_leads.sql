-- int_kpi_lead_facts is built from the intermediate models marts.leads is built from, not from
-- the mart: it must still hold the same leads with the same dimensions, stage dates, peak band,
-- score at the MQL crossing, first rejection and days MQL → SQL. Returns the leads on one side
-- only or with a differing column.
{%- set columns = ['created_at', 'lead_source', 'channel', 'segment', 'fit_tier', 'motion', 'peak_band',
                   'mql_at', 'sal_at', 'sql_at', 'opportunity_at', 'won_at', 'lost_at', 'score_at_mql_crossing',
                   'rejected_at', 'reject_reason', 'days_mql_to_sql'] %}
select
    coalesce(facts.lead_id, leads.lead_id) as lead_id,
    facts.lead_id is null as is_missing_from_facts,
    leads.lead_id is null as is_missing_from_leads
from {{ ref('int_kpi_lead_facts') }} as facts
full outer join {{ ref('leads') }} as leads on facts.lead_id = leads.lead_id
where
    facts.lead_id is null
    or leads.lead_id is null
    {%- for column in columns %}
        or facts.{{ column }} is distinct from leads.{{ column }}
    {%- endfor %}
