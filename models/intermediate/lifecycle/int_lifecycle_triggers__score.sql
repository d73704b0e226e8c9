-- Lifecycle triggers of the score: the band the lifecycle sees (nurture, warm, or MQL with the
-- mandatory fields present) at the lead's creation, then at every later instant it changes.
-- One trigger per band change: band_nurture, band_warm, score_mql. These are the warehouse's own
-- derivation of MQL; int_lifecycle_triggers decides (seeds/lifecycle/stage_sources.csv) whether
-- the lifecycle follows them or the CRM's record.
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

-- score band as the lifecycle sees it: at creation, then at every later instant it changes
ledger_ranked as (

    select
        lead_id,
        changed_at,
        created_at,
        score_after,
        change_sequence,
        case when changed_at <= created_at then 'before' else 'after' end as phase,
        row_number() over (
            partition by lead_id, case when changed_at <= created_at then created_at else changed_at end
            order by change_sequence desc
        ) as instant_rank
    from ledger

),

score_at_creation as (

    select
        inputs.lead_id,
        inputs.created_at as changed_at,
        coalesce(ledger_ranked.score_after, 0) as score_after,
        0 as change_sequence
    from inputs
    left join ledger_ranked
        on
            inputs.lead_id = ledger_ranked.lead_id
            and ledger_ranked.phase = 'before'
            and ledger_ranked.instant_rank = 1

),

score_after_creation as (

    select
        lead_id,
        changed_at,
        score_after,
        change_sequence
    from ledger_ranked
    where phase = 'after' and instant_rank = 1

),

score_path as (

    select
        scores.lead_id,
        scores.changed_at,
        scores.change_sequence,
        case
            when inputs.has_mandatory_fields and scores.score_after >= inputs.mql_threshold then 'score_mql'
            when scores.score_after >= inputs.warm_threshold then 'band_warm'
            else 'band_nurture'
        end as trigger_name
    from (
        select * from score_at_creation
        union all
        select * from score_after_creation
    ) as scores
    inner join inputs on scores.lead_id = inputs.lead_id

),

score_path_changes as (

    select
        *,
        lag(trigger_name) over (partition by lead_id order by changed_at) as previous_trigger_name
    from score_path

)

select
    lead_id,
    changed_at as trigger_at,
    trigger_name,
    cast(change_sequence as {{ dbt.type_string() }}) as source_id,
    cast(null as {{ dbt.type_string() }}) as reason_code
from score_path_changes
where previous_trigger_name is null or previous_trigger_name != trigger_name
