-- One row per lead (person): who they are, their current scores with the reasons, and where
-- they are in the lifecycle. The table reverse-ETL and the dashboards start from.
with

inputs as (

    select * from {{ ref('int_lead_scoring_inputs') }}

),

fit as (

    select * from {{ ref('int_lead_fit_scores') }}

),

ledger as (

    select * from {{ ref('int_score_ledger') }}

),

reasons as (

    select * from {{ ref('lead_score_reasons') }}

),

score_triggers as (

    -- the score's own MQL crossings, whoever the lifecycle follows for MQL (stage_sources seed)
    select * from {{ ref('int_lifecycle_triggers__score') }}

),

history as (

    select * from {{ ref('lead_stage_history') }}

),

current_score as (

    select
        lead_id,
        intent_score_after,
        score_after,
        peak_score
    from (
        select
            *,
            row_number() over (partition by lead_id order by change_sequence desc) as recency
        from ledger
    ) as ranked
    where recency = 1

),

first_crossing as (

    select
        lead_id,
        min(trigger_at) as first_mql_crossing_at
    from score_triggers
    where trigger_name = 'score_mql' and trigger_at <= {{ as_of() }}
    group by lead_id

),

ledger_until_crossing as (

    select
        ledger.lead_id,
        ledger.score_after,
        row_number() over (partition by ledger.lead_id order by ledger.change_sequence desc) as recency
    from ledger
    inner join first_crossing on ledger.lead_id = first_crossing.lead_id
    where ledger.changed_at <= first_crossing.first_mql_crossing_at

),

score_at_crossing as (

    select
        lead_id,
        score_after as score_at_mql_crossing
    from ledger_until_crossing
    where recency = 1

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

),

stage_dates as (

    select
        lead_id,
        {%- for stage in ['mql', 'sal', 'sql', 'opportunity', 'won', 'lost', 'recycled', 'disqualified'] %}
            min(case when stage = '{{ stage }}' then entered_at end) as {{ stage }}_at,
        {%- endfor %}
        max(case when is_current then stage end) as current_stage,
        max(case when is_current then entered_at end) as stage_entered_at
    from history
    group by lead_id

),

scored as (

    select
        inputs.*,
        fit.fit_score,
        fit.negative_score,
        fit.icp_match_pct,
        fit.fit_tier,
        coalesce(current_score.intent_score_after, 0) as intent_score_raw,
        coalesce(current_score.score_after, 0) as total_score_raw,
        coalesce(current_score.peak_score, 0) as peak_score_raw
    from inputs
    inner join fit on inputs.lead_id = fit.lead_id
    left join current_score on inputs.lead_id = current_score.lead_id

)

select
    scored.lead_id,
    scored.email,
    scored.email_domain,
    scored.email_type,
    scored.first_name,
    scored.last_name,
    scored.title,
    scored.seniority,
    scored.job_function,
    scored.buying_role,
    scored.account_id,
    scored.company_name,
    scored.industry,
    cast(scored.employee_count as integer) as employee_count,
    scored.region,
    scored.country,
    scored.segment,
    scored.qualification_framework,
    scored.lead_source,
    scored.channel,
    scored.motion,
    scored.campaign_id,
    scored.has_marketing_consent,
    scored.created_at,
    cast(scored.source_record_count as integer) as source_record_count,
    scored.source_lead_ids,
    scored.scoring_model_id,
    cast(round(scored.fit_score, 1) as decimal(9, 1)) as fit_score,
    cast(round(scored.negative_score, 1) as decimal(9, 1)) as negative_score,
    cast(round(scored.intent_score_raw, 1) as decimal(9, 1)) as intent_score,
    cast(round(scored.total_score_raw, 1) as decimal(9, 1)) as total_score,
    {{ score_band('scored.total_score_raw', 'scored.warm_threshold', 'scored.mql_threshold', 'scored.hot_threshold') }}
        as score_band,
    cast(round(scored.icp_match_pct, 1) as decimal(5, 1)) as icp_match_pct,
    scored.fit_tier,
    case
        when scored.intent_score_raw >= scored.intent_high_min then 'high'
        when scored.intent_score_raw >= scored.intent_medium_min then 'medium'
        else 'low'
    end as intent_band,
    {{ dbt.concat([
        "'Tier '", "scored.fit_tier", "' ICP ('",
        "cast(cast(round(scored.icp_match_pct, 0) as integer) as " ~ dbt.type_string() ~ ")", "'%)'",
        "coalesce(" ~ dbt.concat(["' · '", "reason_strings.top_reasons"]) ~ ", '')"
    ]) }} as score_reasons,
    cast(round(scored.peak_score_raw, 1) as decimal(9, 1)) as peak_score,
    {{ score_band('scored.peak_score_raw', 'scored.warm_threshold', 'scored.mql_threshold', 'scored.hot_threshold') }}
        as peak_band,
    scored.has_mandatory_fields,
    first_crossing.first_mql_crossing_at,
    cast(round(score_at_crossing.score_at_mql_crossing, 1) as decimal(9, 1)) as score_at_mql_crossing,
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
    stage_dates.current_stage = 'won' as is_won,
    {{ as_of() }} as as_of
from scored
left join reason_strings on scored.lead_id = reason_strings.lead_id
left join first_crossing on scored.lead_id = first_crossing.lead_id
left join score_at_crossing on scored.lead_id = score_at_crossing.lead_id
left join stage_dates on scored.lead_id = stage_dates.lead_id
