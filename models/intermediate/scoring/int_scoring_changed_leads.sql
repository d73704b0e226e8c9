-- The leads whose score history an incremental run recomputes (macros/incremental_by_lead.sql),
-- one row per lead, and why. A lead is changed when
--   new:        it did not exist at the last run;
--   inputs:     a scoring input of it differs from the last run (any column of its scoring inputs,
--               counted events or fit rule matches: a late or corrected event, a merged record, a
--               changed rule or threshold);
--   schedule:   a change the last run scheduled for it has come (next_change_at <= as_of: an
--               event's expiry after the lookback window, which also ends velocity windows, or
--               the next decay step);
--   gone:       it existed at the last run and no longer does (its rows are deleted);
--   full:       there is no last run to compare with (first build, --full-refresh) or as_of went
--               back before it: every lead.
-- The last run is this table as it was left (read before it is replaced).
{%- set previous = none -%}
{%- if execute and not should_full_refresh() -%}
    {%- set previous = load_relation(this) -%}
{%- endif %}
with

inputs as (

    select * from {{ ref('int_lead_scoring_inputs') }}

),

counted as (

    select * from {{ ref('int_intent_events_counted') }}

),

fit_matches as (

    select * from {{ ref('int_lead_fit_rule_matches') }}

),

input_rows as (

    select
        inputs.lead_id,
        {{ row_fingerprint(ref('int_lead_scoring_inputs'), 'inputs') }} as row_hash
    from inputs

    union all

    select
        counted.lead_id,
        {{ row_fingerprint(ref('int_intent_events_counted'), 'counted') }} as row_hash
    from counted

    union all

    select
        fit_matches.lead_id,
        {{ row_fingerprint(ref('int_lead_fit_rule_matches'), 'fit_matches') }} as row_hash
    from fit_matches

),

fingerprints as (

    select
        lead_id,
        {{ rows_fingerprint('row_hash') }} as inputs_fingerprint
    from input_rows
    group by lead_id

),

event_clock as (

    -- the next expiry still to come, and the last counted event (decay runs from it)
    select
        counted.lead_id,
        inputs.lookback_days,
        inputs.decay_period_days,
        min(
            case
                when {{ dbt.dateadd('day', 'inputs.lookback_days', 'counted.occurred_at') }} > {{ as_of() }}
                    then {{ dbt.dateadd('day', 'inputs.lookback_days', 'counted.occurred_at') }}
            end
        ) as next_expiry_at,
        max(counted.occurred_at) as last_event_at
    from counted
    inner join inputs on counted.lead_id = inputs.lead_id
    where counted.is_counted
    group by counted.lead_id, inputs.lookback_days, inputs.decay_period_days

),

decay_clock as (

    -- decay step k falls at last_event_at + k * P days while k * P < lookback; the next one after
    -- as_of is k = floor((as_of - last_event_at) / P) + 1
    select
        *,
        floor(
            {{ dbt.datediff('last_event_at', as_of(), 'second') }}
            / (decay_period_days * 86400.0)
        ) + 1 as next_step
    from event_clock

),

schedule as (

    select
        lead_id,
        next_expiry_at,
        case
            when next_step * decay_period_days < lookback_days
                then {{ dbt.dateadd('day', 'cast(next_step * decay_period_days as integer)', 'last_event_at') }}
        end as next_decay_at
    from decay_clock

),

current_leads as (

    select
        fingerprints.lead_id,
        fingerprints.inputs_fingerprint,
        case
            when schedule.next_decay_at is null then schedule.next_expiry_at
            when schedule.next_expiry_at is null then schedule.next_decay_at
            when schedule.next_decay_at < schedule.next_expiry_at then schedule.next_decay_at
            else schedule.next_expiry_at
        end as next_change_at
    from fingerprints
    left join schedule on fingerprints.lead_id = schedule.lead_id

),

no_previous_run as (

    -- what a first build or a full refresh compares with: nothing (the columns of this model)
    select
        lead_id,
        inputs_fingerprint,
        next_change_at,
        {{ as_of() }} as scored_as_of,
        'full' as change_reason
    from current_leads
    where 1 = 0

),

previous_run as (

    -- the last build's leads, without those it already reported gone
    select
        lead_id,
        inputs_fingerprint,
        next_change_at,
        scored_as_of
    from {{ previous if previous is not none else 'no_previous_run' }}
    where coalesce(change_reason, '') != 'gone'

),

as_of_went_back as (

    select count(*) > 0 as is_earlier
    from previous_run
    where scored_as_of > {{ as_of() }}

),

compared as (

    select
        coalesce(current_leads.lead_id, previous_run.lead_id) as lead_id,
        current_leads.inputs_fingerprint,
        current_leads.next_change_at,
        case
            when {{ 'false' if previous is not none else 'true' }} or as_of_went_back.is_earlier then 'full'
            when current_leads.lead_id is null then 'gone'
            when previous_run.lead_id is null then 'new'
            when current_leads.inputs_fingerprint != previous_run.inputs_fingerprint then 'inputs'
            when previous_run.next_change_at <= {{ as_of() }} then 'schedule'
        end as change_reason
    from current_leads
    full outer join previous_run on current_leads.lead_id = previous_run.lead_id
    cross join as_of_went_back

)

select
    lead_id,
    inputs_fingerprint,
    next_change_at,
    {{ as_of() }} as scored_as_of,
    change_reason,
    change_reason is not null as is_changed
from compared
