-- One lead's story in time order: every score change (the ledger) and every stage it entered,
-- with the rule, event or trigger behind each. Compile it for the lead an SDR or RevOps asks
-- about, then run the SQL in any DuckDB client against the published warehouse:
--   dbt compile --select lead_timeline --vars '{timeline_email: jane@acme.com}'
with

the_lead as (

    select lead_id
    from {{ ref('leads') }}
    where email = lower('{{ var("timeline_email", "") }}')

),

score_changes as (

    select
        changes.lead_id,
        changes.changed_at as happened_at,
        'score' as kind,
        changes.change_sequence as sequence_in_kind,
        changes.change_type as what,
        changes.signal as detail,
        changes.points,
        changes.score_after,
        changes.band_after as band_or_stage
    from {{ ref('lead_score_changes') }} as changes
    inner join the_lead on changes.lead_id = the_lead.lead_id

),

stage_entries as (

    select
        history.lead_id,
        history.entered_at as happened_at,
        'stage' as kind,
        history.stage_sequence as sequence_in_kind,
        history.entered_by as what,
        history.reason_code as detail,
        cast(null as decimal(9, 1)) as points,
        cast(null as decimal(9, 1)) as score_after,
        history.stage as band_or_stage
    from {{ ref('lead_stage_history') }} as history
    inner join the_lead on history.lead_id = the_lead.lead_id

)

select * from score_changes
union all
select * from stage_entries
order by happened_at, kind, sequence_in_kind
