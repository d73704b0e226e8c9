-- The score after every change (docs/scoring.md, "The score ledger"). The ledger mart,
-- the lifecycle triggers, the SLA band lookups and the current scores all read it. Its entries
-- (what changes the score, int_score_ledger_entries) are computed here, not stored.
{{ config_incremental_by_lead() }}
{#- the running sums' type: exact, so a sum minus the change's delta is the change before's sum -#}
{%- set exact_points = 'decimal(18, 6)' %}
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

history as (

    -- one sort of the entries for every window here (the same partition and order): the change's
    -- place in the lead's history, its neighbours' instants, and the running sums after the change
    -- and before it. The sums are exact decimals, so the sums before a change (after − delta) are
    -- exactly the change before's: its score is computed again rather than read with lag(), which
    -- took a second sort of the whole ledger (docs/incremental.md)
    select
        entries.*,
        row_number() over lead_order as change_sequence,
        lag(changed_at) over lead_order as previous_changed_at,
        lead(changed_at) over lead_order as next_changed_at,
        sum(cast(fit_delta as {{ exact_points }})) over lead_history as fit_sum,
        sum(cast(base_delta as {{ exact_points }})) over lead_history as base_sum,
        sum(velocity_delta) over lead_history as velocity_windows_open,
        max(case when change_type = 'intent' then changed_at end) over lead_history as last_event_at
    from entries
    window
        lead_order as (partition by lead_id order by changed_at, type_order, source_id),
        lead_history as (
            partition by lead_id order by changed_at, type_order, source_id
            rows between unbounded preceding and current row
        )

),

scored as {{ evaluated_once() }} (

    select
        history.*,
        inputs.scoring_model_id,
        inputs.created_at,
        inputs.has_mandatory_fields,
        inputs.warm_threshold,
        inputs.mql_threshold,
        inputs.hot_threshold,
        cast(history.fit_sum as {{ type_double() }}) as fit_points_after,
        cast(history.fit_sum - cast(history.fit_delta as {{ exact_points }}) as {{ type_double() }})
            as fit_points_before,
        {{ intent_score_at(
            'history.base_sum', 'history.velocity_windows_open', 'history.last_event_at', 'history.changed_at'
        ) | indent(8) }} as intent_score_after,
        -- the score just before the change: the change before's (the last event before an event
        -- is the one before it in ledger order: previous_event_at, score_ledger_entries())
        {{ intent_score_at(
            'history.base_sum - cast(history.base_delta as ' ~ exact_points ~ ')',
            'history.velocity_windows_open - history.velocity_delta',
            "case when history.change_type = 'intent' then history.previous_event_at else history.last_event_at end",
            'history.previous_changed_at'
        ) | indent(8) }} as intent_score_before,
        inputs.max_score
    from history
    inner join inputs on history.lead_id = inputs.lead_id

),

totals as (

    select
        *,
        least(max_score, greatest(0, fit_points_after + intent_score_after)) as score_after,
        case
            when previous_changed_at is not null
                then least(max_score, greatest(0, fit_points_before + intent_score_before))
        end as score_before
    from scored

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
    next_changed_at is null as is_latest_change
from totals
