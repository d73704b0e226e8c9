-- The leads whose lifecycle an incremental run recomputes (the trigger families,
-- int_lifecycle_triggers, the state machine, stage dates and stage history;
-- macros/incremental_by_lead.sql), one row per lead, and why:
--   new:      it did not exist at the last run;
--   gone:     it existed at the last run and no longer does (its rows are deleted);
--   inputs:   what its triggers are made of changed: its CRM records, their accounts or its
--             creation (int_crm_changed_leads), its score history or marketing events
--             (int_scoring_changed_leads), its sales activities (int_sales_activity_changed_leads;
--             a connector shape, whose activities are mapped in full, fingerprints them here), its
--             deals (int_opportunity_changed_leads) or its CRM lifecycle records (fingerprinted here);
--   schedule: a trigger the last build stored dated after its as_of (a recycle date) is reached;
--   full:     first build, --full-refresh, as_of back before the last build, or a lifecycle rule
--             changed (transitions, stages, trigger order, stage sources, re-qualification rules,
--             segments, reason codes, checklists, nurture tracks, stage age buckets): every lead.
-- It runs before the trigger families, from the change models of their inputs, so that the
-- families too are computed for the changed leads only.
{{ config_change_model() }}
{%- set previous = load_relation(this) if reads_last_build() else none -%}
{%- set last_as_of = last_build_as_of(previous) -%}
{%- set compared = last_as_of is not none -%}
{%- set last_run = last_as_of if compared else as_of() -%}
{%- set upstream = [
    'int_crm_changed_leads', 'int_scoring_changed_leads', 'int_sales_activity_changed_leads',
    'int_opportunity_changed_leads'
] -%}
{%- set stored = {'lead_id': 'string', 'trigger_at': 'timestamp'} -%}
{%- set fingerprinted = [ref('int_lifecycle_events_resolved')]
    + ([] if is_incremental_by_key() else [ref('int_sales_activities_resolved')]) -%}
{%- set rules = [
    ref('lifecycle_transitions'), ref('lifecycle_stages'), ref('lifecycle_trigger_order'),
    ref('int_lifecycle_stage_sources'), ref('requalification_triggers'), ref('segments'),
    ref('reason_codes'), ref('qualification_checklists'), ref('nurture_tracks'), ref('stage_age_buckets')
] %}
with

leads as (

    select lead_id from {{ ref('int_lead_scoring_inputs') }}

),

upstream_changes as (

    {{ changed_lead_ids(upstream) | indent(4) }}

),

input_rows as (

    -- the inputs no change model names: the CRM's lifecycle records (few), and in a connector
    -- shape the sales activities
    {{ lead_row_hashes(fingerprinted) | indent(4) }}

),

fingerprints as (

    select
        lead_id,
        {{ rows_fingerprint('row_hash') }} as inputs_fingerprint
    from input_rows
    group by lead_id

),

rules_now as (

    {{ rules_fingerprint(rules) | indent(4) }}

),

stored_triggers as (

    -- the triggers of the families whose facts can be dated after as_of, as the last build stored
    -- them (the score's follow int_scoring_changed_leads)
    select
        sales.lead_id,
        sales.trigger_at
    from ({{ stored_rows(last_build_of('int_lifecycle_triggers__sales') if compared else none, stored) }}) as sales

    union all

    select
        requalification.lead_id,
        requalification.trigger_at
    from ({{ stored_rows(
        last_build_of('int_lifecycle_triggers__requalification') if compared else none, stored
    ) }}) as requalification

    union all

    select
        crm_recorded.lead_id,
        crm_recorded.trigger_at
    from ({{ stored_rows(
        last_build_of('int_lifecycle_triggers__crm_recorded') if compared else none, stored
    ) }}) as crm_recorded

),

scheduled as (

    -- the leads with a stored trigger dated after the last build's as_of that as_of has reached
    select distinct lead_id
    from stored_triggers
    where trigger_at > {{ last_run }} and trigger_at <= {{ as_of() }}

),

previous_run as (

    {{ last_run_fingerprints(previous if compared else none) | indent(4) }}

),

rules_then as (

    select max(rules_fingerprint) as rules_fingerprint
    from previous_run

),

compared as (

    select
        coalesce(leads.lead_id, previous_run.lead_id) as lead_id,
        fingerprints.inputs_fingerprint,
        rules_now.rules_fingerprint,
        case
            when
                {{ 'false' if compared else 'true' }}
                or {{ last_run }} > {{ as_of() }}
                or coalesce(rules_then.rules_fingerprint, '') != rules_now.rules_fingerprint
                then 'full'
            when leads.lead_id is null then 'gone'
            when previous_run.lead_id is null then 'new'
            when
                coalesce(fingerprints.inputs_fingerprint, '') != coalesce(previous_run.inputs_fingerprint, '')
                or upstream_changes.lead_id is not null
                then 'inputs'
            when scheduled.lead_id is not null then 'schedule'
        end as change_reason
    from leads
    left join fingerprints on leads.lead_id = fingerprints.lead_id
    full outer join previous_run on leads.lead_id = previous_run.lead_id
    left join upstream_changes on coalesce(leads.lead_id, previous_run.lead_id) = upstream_changes.lead_id
    left join scheduled on leads.lead_id = scheduled.lead_id
    cross join rules_now
    cross join rules_then

)

select
    lead_id,
    inputs_fingerprint,
    rules_fingerprint,
    {{ as_of() }} as computed_as_of,
    change_reason,
    change_reason is not null as is_changed
from compared
where {{ changed_rows() }}
