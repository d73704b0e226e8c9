-- The marketing events an incremental build recomputes in int_marketing_events_enriched and
-- int_marketing_events_resolved, one row per event id and why; every other event keeps the rows
-- the last build stored. An event is recomputed when
--   staged: base_marketing__restaged_events staged it again (new, changed, removed, due, …);
--   signal: its kind (event_type, page_url, asset_name) maps to another signal now (a
--           seeds/scoring/signal_map.csv change);
--   person: its CRM record belongs to another person now (a merge, a changed email), or to none.
-- With the person each event belonged to at the last build (previous_lead_id): scoring recomputes
-- the leads of changed events, before and after (int_scoring_changed_leads). Empty in a full build.
{%- set previous = previous_build_of('int_marketing_events_resolved') %}
{#- read as a subquery wherever it is used: a CTE read several times would be materialized (23M
    events at 1M leads); each reader below keeps a few of them (a semi-join) or their kinds -#}
{%- set stored -%}
    ({{ stored_rows(previous, {
        'event_id': 'string', 'source_lead_id': 'string', 'lead_id': 'string', 'event_type': 'string',
        'page_url': 'string', 'asset_name': 'string', 'signal': 'string'
    }) }})
{%- endset %}
with

restaged as (

    select restage_key
    from {{ ref('base_marketing__restaged_events') }}
    where restage_key != ''

),

changed_persons as (

    -- an event's person can only change where int_crm_changed_leads recomputes the person its
    -- record belonged to: a record that moves to another person (or to none) changes that
    -- person's rows, so only the events of these persons are looked up
    {{ changed_lead_ids('int_crm_changed_leads') | indent(4) }}

),

remapped_kinds as (

    -- the kinds of stored event whose signal differs from the one int_marketing_event_signals
    -- gives now (compared per kind: a few thousand, not per event)
    select
        stored_kinds.event_type,
        stored_kinds.page_url,
        stored_kinds.asset_name
    from (
        select distinct
            stored.event_type,
            stored.page_url,
            stored.asset_name,
            stored.signal
        from {{ stored }} as stored
    ) as stored_kinds
    left join {{ ref('int_marketing_event_signals') }} as signals
        on {{ same_event_kind('stored_kinds', 'signals') }}
    where coalesce(stored_kinds.signal, '') != coalesce(signals.signal, '')

),

reasons as (

    select
        stored.event_id as restage_key,
        stored.lead_id as previous_lead_id,
        'person' as restage_reason
    from {{ stored }} as stored
    inner join changed_persons on stored.lead_id = changed_persons.lead_id
    left join {{ ref('int_lead_identity') }} as identity on stored.source_lead_id = identity.source_lead_id
    where stored.lead_id != coalesce(identity.lead_id, '')

    union all

    select
        stored.event_id as restage_key,
        stored.lead_id as previous_lead_id,
        'signal' as restage_reason
    from {{ stored }} as stored
    inner join remapped_kinds on {{ same_event_kind('stored', 'remapped_kinds') }}

    union all

    -- every restaged event, with its person at the last build when it was stored
    select
        restaged.restage_key,
        stored.lead_id as previous_lead_id,
        'staged' as restage_reason
    from restaged
    left join {{ stored }} as stored on restaged.restage_key = stored.event_id

)

{{ one_row_per_key('reasons', previous, carry=['previous_lead_id']) }}
