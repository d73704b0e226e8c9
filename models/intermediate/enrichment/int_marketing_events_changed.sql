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
with

restaged as (

    select
        restage_key,
        'staged' as restage_reason
    from {{ ref('base_marketing__restaged_events') }}
    where restage_key != ''

),

signals as (

    select * from {{ ref('int_marketing_event_signals') }}

),

identity as (

    select
        source_lead_id,
        lead_id
    from {{ ref('int_lead_identity') }}

),

stored as (

    {{ stored_rows(previous, {
        'event_id': 'string', 'source_lead_id': 'string', 'lead_id': 'string', 'event_type': 'string',
        'page_url': 'string', 'asset_name': 'string', 'signal': 'string'
    }) }}

),

stored_reasons as (

    -- one pass over the stored events (a second would materialize them); when several reasons
    -- hold, the first by name
    select
        stored.event_id as restage_key,
        stored.lead_id as previous_lead_id,
        case
            when stored.lead_id != coalesce(identity.lead_id, '') then 'person'
            when coalesce(stored.signal, '') != coalesce(signals.signal, '') then 'signal'
            when restaged.restage_key is not null then 'staged'
        end as restage_reason
    from stored
    left join restaged on stored.event_id = restaged.restage_key
    left join identity on stored.source_lead_id = identity.source_lead_id
    left join signals on {{ same_event_kind('stored', 'signals') }}

),

reasons as (

    select * from stored_reasons
    where restage_reason is not null

    union all

    -- every restaged event (one the last build did not store has no row above)
    select
        restage_key,
        cast(null as {{ dbt.type_string() }}) as previous_lead_id,
        restage_reason
    from restaged

)

{{ one_row_per_key('reasons', previous, carry=['previous_lead_id']) }}
