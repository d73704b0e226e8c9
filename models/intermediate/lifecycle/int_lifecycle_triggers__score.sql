-- Lifecycle triggers of the score: the band the lifecycle sees (nurture, warm, or MQL with the
-- mandatory fields present) at the lead's creation, then at every later instant it changes.
-- One trigger per band change: band_nurture, band_warm, score_mql. These are the warehouse's own
-- derivation of MQL; int_lifecycle_triggers decides (seeds/lifecycle/stage_sources.csv) whether
-- the lifecycle follows them or the CRM's record.
-- Changes at or before creation only set the score at creation. After it, an instant's band is
-- its last change's score_after and the band before it its first change's score_before (the
-- ledger marks both), so no pass over the whole ledger is needed: most instants hold one change
-- and keep their band.
{{ config_incremental_by_lead() }}
with

inputs as (

    select * from {{ ref('int_lead_scoring_inputs') }}
    where {{ only_changed_leads() }}

),

ledger as (

    select * from {{ ref('int_score_ledger') }}
    where {{ only_changed_leads() }}

),

last_change_by_creation as (

    select
        lead_id,
        score_after,
        row_number() over (partition by lead_id order by change_sequence desc) as recency
    from ledger
    where changed_at <= created_at and is_last_at_instant

),

score_at_creation as (

    select
        inputs.lead_id,
        inputs.created_at as changed_at,
        0 as change_sequence,
        cast(null as {{ type_double() }}) as score_before,
        coalesce(last_change_by_creation.score_after, 0) as score_after
    from inputs
    left join last_change_by_creation
        on
            inputs.lead_id = last_change_by_creation.lead_id
            and last_change_by_creation.recency = 1

),

one_change_instants as (

    select
        lead_id,
        changed_at,
        change_sequence,
        score_before,
        score_after
    from ledger
    where changed_at > created_at and is_first_at_instant and is_last_at_instant

),

-- instants with several changes: their first and last change, in ledger order
multi_change_bounds as (

    select
        lead_id,
        changed_at,
        change_sequence,
        is_last_at_instant,
        lag(score_before) over (partition by lead_id order by change_sequence) as first_score_before,
        score_after
    from ledger
    where changed_at > created_at and is_first_at_instant != is_last_at_instant

),

multi_change_instants as (

    select
        lead_id,
        changed_at,
        change_sequence,
        first_score_before as score_before,
        score_after
    from multi_change_bounds
    where is_last_at_instant

),

score_path as (

    select
        scores.lead_id,
        scores.changed_at,
        scores.change_sequence,
        {{ lifecycle_band('scores.score_before') }} as band_before,
        {{ lifecycle_band('scores.score_after') }} as trigger_name
    from (
        select * from score_at_creation
        union all
        select * from one_change_instants
        union all
        select * from multi_change_instants
    ) as scores
    inner join inputs on scores.lead_id = inputs.lead_id

)

select
    lead_id,
    changed_at as trigger_at,
    trigger_name,
    cast(change_sequence as {{ dbt.type_string() }}) as source_id,
    cast(null as {{ dbt.type_string() }}) as reason_code
from score_path
-- the creation instant always (its score_before is null), later ones when the band changes
where band_before is null or band_before != trigger_name
