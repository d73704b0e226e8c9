-- One row per lead: the attributes scoring reads, the lead's segment and framework, the
-- scoring model that applies to it (lowest priority among matching models) and that model's
-- parameters. Incremental by lead: a run computes again the persons int_crm_changed_leads lists
-- (their records, the accounts those name, or the segments and models changed).
{{ config_incremental_by_lead('int_crm_changed_leads') }}
with

leads as (

    select * from {{ ref('int_leads_resolved') }}
    where {{ only_changed_leads(changes='int_crm_changed_leads') }}

),

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

segments as (

    select * from {{ ref('segments') }}

),

models as (

    select * from {{ ref('scoring_models') }}

),

enriched as (

    select
        leads.*,
        accounts.industry,
        accounts.employee_count,
        accounts.annual_revenue,
        accounts.region,
        accounts.tech_stack,
        coalesce(leads.person_country, accounts.country) as country,
        coalesce(segments.segment, 'unknown') as segment,
        coalesce(segments.qualification_framework, '{{ var("default_framework") }}') as qualification_framework
    from leads
    left join accounts on leads.account_id = accounts.account_id
    left join segments
        on accounts.employee_count >= segments.min_employees
            and (segments.max_employees is null or accounts.employee_count <= segments.max_employees)

),

model_choice as (

    select
        enriched.lead_id,
        models.model_id,
        row_number() over (
            partition by enriched.lead_id order by models.priority, models.model_id
        ) as choice_rank
    from enriched
    inner join models
        on models.motion in (enriched.motion, 'any')
            and models.segment in (enriched.segment, 'any')

)

select
    enriched.*,
    models.model_id as scoring_model_id,
    models.warm_threshold,
    models.mql_threshold,
    models.hot_threshold,
    models.max_score,
    models.lookback_days,
    models.decay_period_days,
    models.decay_rate,
    models.velocity_window_days,
    models.velocity_min_actions,
    models.velocity_points,
    models.icp_tier_a_min_pct,
    models.icp_tier_b_min_pct,
    models.intent_medium_min,
    models.intent_high_min,
    (
        {%- for field in ['email', 'company_name', 'title', 'country', 'account_id', 'first_name', 'last_name'] %}
            (
                {{ dbt.concat(["'|'", "models.mandatory_fields", "'|'"]) }} not like '%|{{ field }}|%'
                or enriched.{{ field }} is not null
            ){% if not loop.last %} and{% endif %}
        {%- endfor %}
    ) as has_mandatory_fields
from enriched
inner join model_choice on enriched.lead_id = model_choice.lead_id and model_choice.choice_rank = 1
inner join models on model_choice.model_id = models.model_id
