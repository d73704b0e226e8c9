-- One row per lead (person): who they are, their current scores with the reasons, and where
-- they are in the lifecycle. The table reverse-ETL and the dashboards start from.
-- Incremental by lead: a lead whose score or lifecycle was recomputed is written again, and
-- every row's as_of is brought to this run's after each run.
{%- set changes = ['int_scoring_changed_leads', 'int_lifecycle_changed_leads'] %}
{{ config_incremental_by_lead(changes) }}
{{ config(post_hook="{{ refresh_as_of_column() }}") }}
with

inputs as (

    select * from {{ ref('int_lead_scoring_inputs') }}
    where {{ only_changed_leads(changes=changes) }}

),

fit as (

    select * from {{ ref('int_lead_fit_scores') }}
    where {{ only_changed_leads(changes=changes) }}

),

scores as (

    select * from {{ ref('int_lead_score_summary') }}
    where {{ only_changed_leads(changes=changes) }}

),

reasons as (

    select * from {{ ref('lead_score_reasons') }}
    where {{ only_changed_leads(changes=changes) }}

),

stage_dates as (

    select * from {{ ref('int_lead_stage_dates') }}
    where {{ only_changed_leads(changes=changes) }}

),

reason_strings as (

    select
        lead_id,
        {{ dbt.listagg(
            dbt.concat([format_points('points'), "' '", "label",
                "case when dimension = 'intent' and event_count > 1 then "
                ~ dbt.concat(["' ×'", "cast(event_count as " ~ dbt.type_string() ~ ")"]) ~ " else '' end"]),
            "' · '",
            "order by reason_rank") }} as top_reasons
    from reasons
    where reason_rank <= {{ var('reason_limit') }}
    group by lead_id

)

select
    inputs.lead_id,
    inputs.email,
    inputs.email_domain,
    inputs.email_type,
    inputs.first_name,
    inputs.last_name,
    inputs.title,
    inputs.seniority,
    inputs.job_function,
    inputs.buying_role,
    inputs.account_id,
    inputs.company_name,
    inputs.industry,
    cast(inputs.employee_count as integer) as employee_count,
    inputs.region,
    inputs.country,
    inputs.segment,
    inputs.qualification_framework,
    inputs.lead_source,
    inputs.channel,
    inputs.motion,
    inputs.campaign_id,
    inputs.has_marketing_consent,
    inputs.created_at,
    cast(inputs.source_record_count as integer) as source_record_count,
    inputs.source_lead_ids,
    inputs.scoring_model_id,
    cast({{ round_to("fit.fit_score", 1) }} as decimal(9, 1)) as fit_score,
    cast({{ round_to("fit.negative_score", 1) }} as decimal(9, 1)) as negative_score,
    cast({{ round_to("scores.intent_score", 1) }} as decimal(9, 1)) as intent_score,
    cast({{ round_to("scores.total_score", 1) }} as decimal(9, 1)) as total_score,
    scores.score_band,
    cast({{ round_to("fit.icp_match_pct", 1) }} as decimal(5, 1)) as icp_match_pct,
    fit.fit_tier,
    scores.intent_band,
    {{ dbt.concat([
        "'Tier '", "fit.fit_tier", "' ICP ('",
        "cast(cast(" ~ round_to("fit.icp_match_pct", 0) ~ " as integer) as " ~ dbt.type_string() ~ ")", "'%)'",
        "coalesce(" ~ dbt.concat(["' · '", "reason_strings.top_reasons"]) ~ ", '')"
    ]) }} as score_reasons,
    cast({{ round_to("scores.peak_score", 1) }} as decimal(9, 1)) as peak_score,
    scores.peak_band,
    inputs.has_mandatory_fields,
    scores.first_mql_crossing_at,
    cast({{ round_to("scores.score_at_mql_crossing", 1) }} as decimal(9, 1)) as score_at_mql_crossing,
    stage_dates.current_stage,
    stage_dates.stage_entered_at,
    stage_dates.mql_at,
    stage_dates.sal_at,
    stage_dates.sql_at,
    stage_dates.opportunity_at,
    stage_dates.won_at,
    stage_dates.lost_at,
    stage_dates.recycled_at,
    stage_dates.disqualified_at,
    stage_dates.rejected_at,
    stage_dates.reject_reason,
    cast({{ kpi_days_between(
        'stage_dates.mql_at', 'stage_dates.sql_at', 'stage_dates.is_mql_out_of_order', 'stage_dates.is_sql_out_of_order'
    ) }} as {{ type_double() }}) as days_mql_to_sql,
    stage_dates.current_stage = 'won' as is_won,
    {{ as_of() }} as as_of
from inputs
inner join fit on inputs.lead_id = fit.lead_id
inner join scores on inputs.lead_id = scores.lead_id
left join reason_strings on inputs.lead_id = reason_strings.lead_id
left join stage_dates on inputs.lead_id = stage_dates.lead_id
