-- The leads (persons) whose CRM records an incremental run resolves again (int_lead_identity,
-- int_lead_records_resolved, int_leads_resolved, int_lead_scoring_inputs), one row per lead (and
-- per lead gone since the last run), and why (macros/incremental_by_lead.sql):
--   inputs: the person's records (int_lead_record_keys: every column of each record, its person
--           and the account columns scoring reads) differ from the last run's, through one
--           fingerprint per lead;
--   new:    a person the last build did not have;
--   gone:   a person the last build had that no record belongs to now (its rows are deleted);
--   full:   first build, --full-refresh, as_of back before the last build, or an enrichment rule,
--           a segment, a scoring model or a lead source default changed: every lead.
-- Only touched persons are fingerprinted again, in the contract shape: those of a record staged
-- again (base_crm__restaged_leads: delivered, removed, due, picklist), of a record whose owner
-- assignment as_of reached or whose account changed, or merged into such a record (its person
-- follows that record); both the person the last build gave the record and its person now. A
-- whole file delivered again touches its records, but only a changed record changes a person.
-- Every other person keeps the last run's fingerprint. A connector shape, whose records carry no
-- batch id, fingerprints every person (changed_leads_by_fingerprint).
{{ config_change_model() }}
{%- set rules = [
    ref('title_seniority_rules'), ref('title_function_rules'), ref('email_domain_rules'),
    ref('segments'), ref('scoring_models'), ref('lead_source_defaults')
] -%}
{%- set previous = load_relation(this) if reads_last_build() else none -%}
{%- set last_as_of = last_build_as_of(previous) -%}
{%- set compared = last_as_of is not none -%}
{%- set last_run = last_as_of if compared else as_of() -%}
{#- the contract shape fingerprints again only the persons a run touched; a first build, a full
    refresh and a connector shape (no batch ids, no stored identity to compare with) every person -#}
{%- set stored_identity = previous_build_of('int_lead_identity') if compared else none -%}
{%- set touched_only = stored_identity is not none -%}
{%- set stored_columns = {
    'source_lead_id': 'string', 'lead_id': 'string', 'account_id': 'string', 'account_fingerprint': 'string'
} %}
with

stored as (

    -- each record's person and account as the last build resolved them
    {{ stored_rows(stored_identity, stored_columns) }}

),

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

changed_records as (

    -- records staged again, and records whose owner assignment as_of reached since the last build
    select restage_key as source_lead_id
    from {{ ref('base_crm__restaged_leads') }}
    where restage_key != ''

    union

    select source_lead_id
    from {{ ref('base_crm__leads') }}
    where
        quarantine_reason is null
        and owner_assigned_at > {{ last_run }}
        and owner_assigned_at <= {{ as_of() }}

    union

    -- records whose account's firmographics (as scoring reads them) changed
    select stored.source_lead_id
    from stored
    left join accounts on stored.account_id = accounts.account_id
    where stored.account_fingerprint != {{ account_fingerprint('accounts') }}

),

touched_records as (

    -- with the records merged into a changed record: their person follows that record
    select source_lead_id from changed_records

    union

    select records.source_lead_id
    from {{ ref('stg_crm__leads') }} as records
    inner join changed_records on records.merged_into_lead_id = changed_records.source_lead_id

),

persons_now as (

    select keys.lead_id
    from {{ ref('int_lead_record_keys') }} as keys
    inner join touched_records on keys.source_lead_id = touched_records.source_lead_id

),

persons_then as (

    select stored.lead_id
    from stored
    inner join touched_records on stored.source_lead_id = touched_records.source_lead_id

),

touched_persons as (

    select lead_id from persons_now
    union
    select lead_id from persons_then
    union
    -- a first build, a full refresh or a connector shape: every person
    select distinct lead_id from {{ ref('int_lead_record_keys') }}
    where {{ 'false' if touched_only else 'true' }}

),

-- read where only touched persons are fingerprinted (unused otherwise)
touched_person_records as (  -- noqa: ST03

    -- every record of a touched person now: its touched records and the records it kept
    select source_lead_id from touched_records

    union

    select stored.source_lead_id
    from stored
    inner join touched_persons on stored.lead_id = touched_persons.lead_id

),

record_keys as (

    select * from {{ ref('int_lead_record_keys') }}

),

record_rows as (

    -- a touched person's records now, every column (a first build or a full refresh: everyone's)
    select
        record_keys.lead_id,
        {{ row_fingerprint(ref('int_lead_record_keys'), 'record_keys') }} as row_hash
    from record_keys
    {%- if touched_only %}
    inner join touched_person_records on record_keys.source_lead_id = touched_person_records.source_lead_id
    {%- endif %}

),

fingerprints as (

    select
        lead_id,
        {{ rows_fingerprint('row_hash') }} as inputs_fingerprint
    from record_rows
    group by lead_id

),

previous_run as (

    {{ last_run_fingerprints(previous if compared else none) | indent(4) }}

),

rules_now as (

    {{ rules_fingerprint(rules) | indent(4) }}

),

rules_then as (

    select max(rules_fingerprint) as rules_fingerprint
    from previous_run

),

compared as (

    -- an untouched person keeps the last run's fingerprint (its records did not change)
    select
        coalesce(fingerprints.lead_id, previous_run.lead_id) as lead_id,
        case
            when touched_persons.lead_id is not null or previous_run.lead_id is null
                then fingerprints.inputs_fingerprint
            else previous_run.inputs_fingerprint
        end as inputs_fingerprint,
        rules_now.rules_fingerprint,
        case
            when
                {{ 'false' if compared else 'true' }}
                or {{ last_run }} > {{ as_of() }}
                or coalesce(rules_then.rules_fingerprint, '') != rules_now.rules_fingerprint
                then 'full'
            when previous_run.lead_id is null then 'new'
            when touched_persons.lead_id is null then null
            when fingerprints.lead_id is null then 'gone'
            when fingerprints.inputs_fingerprint != previous_run.inputs_fingerprint then 'inputs'
        end as change_reason
    from fingerprints
    full outer join previous_run on fingerprints.lead_id = previous_run.lead_id
    left join touched_persons on coalesce(fingerprints.lead_id, previous_run.lead_id) = touched_persons.lead_id
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
