-- The leads whose score history an incremental run recomputes (macros/incremental_by_lead.sql),
-- one row per lead, and why. A lead is changed when
--   new:        it did not exist at the last run;
--   inputs:     a scoring input of it differs from the last run (any column of its scoring inputs
--               or fit rule matches, its model's intent rules: a merged record, a changed rule or
--               threshold; in a connector shape also the id, signal or time of an event it can
--               count);
--   events:     an event of it, now or at the last run, was recomputed (int_marketing_events_changed:
--               a late, corrected, removed or due event, another signal, another person); the
--               contract shape only, where the event models are incremental;
--   schedule:   a change that needs no new data has come since the last run's as_of (an event's
--               expiry after the lookback window, which also ends velocity windows, or the next
--               decay step), as the last run scheduled it (int_lead_next_scheduled_change);
--   gone:       it existed at the last run and no longer does (its rows are deleted);
--   full:       there is no last run to compare with (first build, --full-refresh) or as_of went
--               back before it: every lead.
-- The last run is this table and int_lead_next_scheduled_change as it left them (read before
-- they are replaced): this model runs before the events are counted, so that counting too is
-- incremental by lead.
{{ config_change_model() }}
{%- set previous = none -%}
{%- set previous_schedule = last_build_of('int_lead_next_scheduled_change') -%}
{%- if reads_last_build() -%}
    {%- set previous = load_relation(this) -%}
{%- endif -%}
{%- set last_as_of = last_build_as_of(previous if previous_schedule is not none else none) -%}
{%- set compared = last_as_of is not none -%}
{#- the contract shape names the leads of changed events (cheap); a connector shape, whose event
    models are rebuilt in full, fingerprints every countable event of every lead -#}
{%- set events_from_change_model = is_incremental_by_key() -%}
{#- the last run's as_of: an as_of before it recomputes every lead -#}
{%- set last_run = last_as_of if compared else as_of() %}
with

inputs as (

    select * from {{ ref('int_lead_scoring_inputs') }}

),

changed_events as (

    select
        restage_key as event_id,
        previous_lead_id
    from {{ ref('int_marketing_events_changed') }}

),

event_changed_leads as (

    -- the persons of the events the event models recomputed, now and at the last run (none in a
    -- connector shape, whose event models are rebuilt in full)
    select resolved.lead_id
    from {{ ref('int_marketing_events_resolved') }} as resolved
    inner join changed_events on resolved.event_id = changed_events.event_id

    union

    select previous_lead_id as lead_id
    from changed_events
    where previous_lead_id is not null

),

countable_events as (

    -- what int_intent_events_counted reads of an event: the columns it counts by (fingerprinted
    -- in a connector shape only)
    select
        lead_id,
        event_id,
        signal,
        occurred_at
    from {{ ref('int_marketing_events_resolved') }}
    where signal is not null and occurred_at <= {{ as_of() }}

),

event_rows as (

    select
        lead_id,
        {{ values_fingerprint(['event_id', 'signal', 'occurred_at']) }} as row_hash
    from countable_events

),

-- read in a connector shape only (unused in the contract shape)
event_fingerprints as (  -- noqa: ST03

    select
        lead_id,
        {{ rows_fingerprint('row_hash') }} as events_fingerprint
    from event_rows
    group by lead_id

),

fit_matches as (

    select * from {{ ref('int_lead_fit_rule_matches') }}

),

intent_rules as (

    select * from {{ ref('scoring_intent_rules') }}

),

rule_rows as (

    select
        model_id,
        {{ row_fingerprint(ref('scoring_intent_rules'), 'intent_rules') }} as row_hash
    from intent_rules

),

rule_fingerprints as (

    select
        model_id,
        {{ rows_fingerprint('row_hash') }} as rules_fingerprint
    from rule_rows
    group by model_id

),

input_rows as (

    -- a lead's scoring inputs row with its model's intent rules (and its countable events)
    select
        inputs.lead_id,
        {{ row_fingerprint(ref('int_lead_scoring_inputs'), 'inputs',
            also=['rule_fingerprints.rules_fingerprint']
            + ([] if events_from_change_model else ['event_fingerprints.events_fingerprint'])) }} as row_hash
    from inputs
    left join rule_fingerprints on inputs.scoring_model_id = rule_fingerprints.model_id
    {% if not events_from_change_model -%}
    left join event_fingerprints on inputs.lead_id = event_fingerprints.lead_id
    {%- endif %}

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

scheduled as (

    -- each lead's next change without new data, as the last run scheduled it (a lead whose counted
    -- events did not change since has the same schedule now)
    select
        stored.lead_id,
        stored.next_change_at
    from ({{ stored_rows(previous_schedule if compared else none,
        {'lead_id': 'string', 'next_change_at': 'timestamp'}) }}) as stored

),

current_leads as (

    select
        fingerprints.lead_id,
        fingerprints.inputs_fingerprint,
        scheduled.next_change_at
    from fingerprints
    left join scheduled on fingerprints.lead_id = scheduled.lead_id

),

no_previous_run as (

    -- what a first build or a full refresh compares with: nothing (the columns of this model)
    select
        lead_id,
        inputs_fingerprint,
        next_change_at,
        {{ as_of() }} as computed_as_of,
        'full' as change_reason
    from current_leads
    where 1 = 0

),

previous_run as (

    -- the last build's leads, without those it already reported gone
    select
        lead_id,
        inputs_fingerprint
    from {{ previous if compared else 'no_previous_run' }}
    where coalesce(change_reason, '') != 'gone'

),

compared as (

    select
        coalesce(current_leads.lead_id, previous_run.lead_id) as lead_id,
        current_leads.inputs_fingerprint,
        current_leads.next_change_at,
        case
            when {{ 'false' if compared else 'true' }} or {{ last_run }} > {{ as_of() }} then 'full'
            when current_leads.lead_id is null then 'gone'
            when previous_run.lead_id is null then 'new'
            when current_leads.inputs_fingerprint != previous_run.inputs_fingerprint then 'inputs'
            when event_changed_leads.lead_id is not null then 'events'
            when current_leads.next_change_at <= {{ as_of() }} then 'schedule'
        end as change_reason
    from current_leads
    full outer join previous_run on current_leads.lead_id = previous_run.lead_id
    left join event_changed_leads on coalesce(current_leads.lead_id, previous_run.lead_id) = event_changed_leads.lead_id

)

select
    lead_id,
    inputs_fingerprint,
    next_change_at,
    {{ as_of() }} as computed_as_of,
    change_reason,
    change_reason is not null as is_changed
from compared
where {{ changed_rows() }}
