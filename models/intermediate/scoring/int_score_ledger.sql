-- The score after every change (docs/scoring.md, "The score ledger"). The ledger mart,
-- the lifecycle triggers, the SLA band lookups and the current scores all read it. Its entries
-- (what changes the score, int_score_ledger_entries) are computed here, not stored.
{{ config_incremental_by_lead() }}
with

inputs as (

    select * from {{ ref('int_lead_scoring_inputs') }}
    where {{ only_changed_leads() }}

),

fit_matches as (

    select * from {{ ref('int_lead_fit_rule_matches') }}
    where {{ only_changed_leads() }}

),

counted as (

    select * from {{ ref('int_intent_events_counted') }}
    where is_counted and {{ only_changed_leads() }}

),

velocity as (

    select * from {{ ref('int_velocity_windows') }}
    where {{ only_changed_leads() }}

),

entries as (

    -- int_score_ledger_entries' select for these leads
    {{ score_ledger_entries('inputs', 'fit_matches', 'counted', 'velocity') | indent(4) }}

),

cumulative as (

    -- the change's place in the lead's history and the running sums, from one sort of the entries
    select
        entries.*,
        row_number() over lead_history as change_sequence,
        sum(fit_delta) over lead_history as fit_points_after,
        sum(base_delta) over lead_history as intent_base_after,
        sum(velocity_delta) over lead_history as velocity_windows_open,
        max(case when change_type = 'intent' then changed_at end) over lead_history as last_event_at
    from entries
    window lead_history as (
        partition by lead_id order by changed_at, type_order, source_id
        rows between unbounded preceding and current row
    )

),

intent as (

    select
        cumulative.*,
        inputs.scoring_model_id,
        inputs.created_at,
        inputs.has_mandatory_fields,
        inputs.warm_threshold,
        inputs.mql_threshold,
        inputs.hot_threshold,
        inputs.max_score,
        case
            when cumulative.last_event_at is null then 0
            else
                (
                    cumulative.intent_base_after
                    + case when cumulative.velocity_windows_open > 0 then inputs.velocity_points else 0 end
                )
                * power(
                    1 - inputs.decay_rate,
                    floor(
                        {{ dbt.datediff('cumulative.last_event_at', 'cumulative.changed_at', 'microsecond') }}
                        / (inputs.decay_period_days * 86400000000.0)
                    )
                )
        end as intent_score_after
    from cumulative
    inner join inputs on cumulative.lead_id = inputs.lead_id

),

totals as (

    select
        *,
        least(max_score, greatest(0, fit_points_after + intent_score_after)) as score_after
    from intent

),

with_previous as (

    select
        *,
        lag(score_after) over lead_order as score_before,
        lag(changed_at) over lead_order as previous_changed_at,
        lead(changed_at) over lead_order as next_changed_at,
        -- over the same sort as lag and lead: a window over the lead alone sorted the 26M rows
        -- of a 1M-lead CRM once more (docs/incremental.md)
        max(score_after) over (
            partition by lead_id order by change_sequence rows between unbounded preceding and unbounded following
        ) as peak_score
    from totals
    window lead_order as (partition by lead_id order by change_sequence)

)

select
    lead_id,
    change_sequence,
    changed_at,
    change_type,
    type_order,
    signal,
    source_id,
    rule_points,
    scoring_model_id,
    created_at,
    has_mandatory_fields,
    mql_threshold,
    fit_points_after,
    intent_score_after,
    coalesce(score_before, 0) as score_before,
    score_after,
    score_after - coalesce(score_before, 0) as points,
    {{ score_band('score_after') }} as band_after,
    -- the first change, or another band than the change before: readers looking up the band at
    -- an instant (int_sla_clock_spans) need only these rows
    score_before is null or {{ score_band('score_before') }} != {{ score_band('score_after') }} as is_band_change,
    -- the first / last of the lead's changes at this changed_at: a reader of the score at each
    -- instant (int_lifecycle_triggers__score) takes the score before the first and after the last
    coalesce(previous_changed_at != changed_at, true) as is_first_at_instant,
    coalesce(next_changed_at != changed_at, true) as is_last_at_instant,
    next_changed_at is null as is_latest_change,
    peak_score
from with_previous
