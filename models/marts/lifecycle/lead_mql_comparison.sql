-- What an analyst reads before letting the score drive routing: per lead, when the CRM marked
-- it MQL (its first crm_mql record) and when the score first crossed the MQL threshold (with
-- the mandatory fields present), the score at the CRM's MQL instant and its band, whether the
-- two agree, how far apart they are, and which of them the lifecycle followed
-- (seeds/lifecycle/stage_sources.csv).
-- Incremental by lead, as marts.leads: a lead whose score or lifecycle was recomputed is
-- compared again (a CRM record dated after the last run's as_of is a lifecycle `schedule` change).
{%- set changes = ['int_scoring_changed_leads', 'int_lifecycle_changed_leads'] %}
{{ config_incremental_by_lead(changes) }}
with

leads as (

    select * from {{ ref('leads') }}
    where {{ only_changed_leads(changes=changes) }}

),

inputs as (

    select
        lead_id,
        warm_threshold,
        mql_threshold,
        hot_threshold
    from {{ ref('int_lead_scoring_inputs') }}
    where {{ only_changed_leads(changes=changes) }}

),

crm_records as (

    select * from {{ ref('int_lifecycle_triggers__crm_recorded') }}
    where {{ only_changed_leads(changes=changes) }}

),

ledger as (

    select
        lead_id,
        changed_at,
        change_sequence,
        score_after
    from {{ ref('int_score_ledger') }}
    where {{ only_changed_leads(changes=changes) }}

),

history as (

    select * from {{ ref('lead_stage_history') }}
    where {{ only_changed_leads(changes=changes) }}

),

crm_mql as (

    select
        lead_id,
        min(trigger_at) as crm_mql_at
    from crm_records
    where trigger_name = 'crm_mql' and trigger_at <= {{ as_of() }}
    group by lead_id

),

ledger_until_crm_mql as (

    -- the score at the CRM's MQL instant: the last ledger change at or before it
    select
        crm_mql.lead_id,
        ledger.score_after,
        row_number() over (partition by crm_mql.lead_id order by ledger.change_sequence desc) as recency
    from crm_mql
    inner join ledger
        on
            crm_mql.lead_id = ledger.lead_id
            and ledger.changed_at <= crm_mql.crm_mql_at

),

score_at_crm_mql as (

    select
        lead_id,
        score_after
    from ledger_until_crm_mql
    where recency = 1

),

first_mql_entry as (

    select
        lead_id,
        entered_by,
        row_number() over (partition by lead_id order by stage_sequence) as entry_order
    from history
    where stage = 'mql'

),

compared as (

    select
        leads.lead_id,
        leads.created_at,
        leads.lead_source,
        leads.scoring_model_id,
        leads.has_mandatory_fields,
        crm_mql.crm_mql_at,
        leads.first_mql_crossing_at as score_mql_at,
        case when crm_mql.crm_mql_at is not null then coalesce(score_at_crm_mql.score_after, 0) end
            as score_at_crm_mql,
        inputs.warm_threshold,
        inputs.mql_threshold,
        inputs.hot_threshold,
        leads.mql_at as lifecycle_mql_at,
        first_mql_entry.entered_by as lifecycle_mql_entered_by
    from leads
    inner join inputs on leads.lead_id = inputs.lead_id
    left join crm_mql on leads.lead_id = crm_mql.lead_id
    left join score_at_crm_mql on leads.lead_id = score_at_crm_mql.lead_id
    left join first_mql_entry on leads.lead_id = first_mql_entry.lead_id and first_mql_entry.entry_order = 1

)

select
    lead_id,
    created_at,
    lead_source,
    scoring_model_id,
    crm_mql_at,
    score_mql_at,
    cast({{ round_to("score_at_crm_mql", 1) }} as decimal(9, 1)) as score_at_crm_mql,
    case when score_at_crm_mql is not null then {{ score_band('score_at_crm_mql') }} end as band_at_crm_mql,
    has_mandatory_fields,
    case
        when crm_mql_at is not null and score_mql_at is not null then 'both'
        when crm_mql_at is not null then 'crm_only'
        when score_mql_at is not null then 'score_only'
        else 'neither'
    end as agreement,
    {{ dbt.datediff('crm_mql_at', 'score_mql_at', 'second') }} / 3600.0 as hours_score_after_crm,  -- noqa: LT05
    lifecycle_mql_at,
    lifecycle_mql_entered_by
from compared
