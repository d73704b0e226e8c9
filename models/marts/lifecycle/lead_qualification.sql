-- Qualification progress per lead: how complete the discovery checklist of its framework
-- (BANT / CHAMP / MEDDIC by segment) is, which stage gates it has passed (ICP check,
-- discovery 1, discovery 2, validation, commit: seeds/kpi/stage_gates.csv) and the gate an
-- open lead is stuck at. Incremental by lead: a lead whose inputs, fit, stages or checklist
-- changed is computed again.
{%- set changes = ['int_scoring_changed_leads', 'int_lifecycle_changed_leads', 'int_qualification_changed_leads'] %}
{{ config_incremental_by_lead(changes) }}
with

leads as (

    select * from {{ ref('int_lead_scoring_inputs') }}
    where {{ only_changed_leads(changes=changes) }}

),

fit as (

    select * from {{ ref('int_lead_fit_scores') }}
    where {{ only_changed_leads(changes=changes) }}

),

stages as (

    select
        lead_id,
        max(case when is_current then stage end) as current_stage,
        min(case when stage = 'opportunity' then entered_at end) as opportunity_at
    from {{ ref('lead_stage_history') }}
    where {{ only_changed_leads(changes=changes) }}
    group by lead_id

),

checklists as (

    select * from {{ ref('qualification_checklists') }}
    where is_required

),

gates as (

    select * from {{ ref('stage_gates') }}

),

confirmations as (

    select * from {{ ref('int_lead_checklist_confirmations') }}
    where {{ only_changed_leads(changes=changes) }}

),

checklist_progress as (

    select
        leads.lead_id,
        count(*) as items_required,
        count(confirmations.checklist_item) as items_confirmed,
        {{ dbt.listagg(
            "case when confirmations.checklist_item is null then checklists.checklist_item end",
            "', '", "order by checklists.checklist_item") }} as missing_items
    from leads
    inner join checklists on leads.qualification_framework = checklists.framework
    left join confirmations
        on
            leads.lead_id = confirmations.lead_id
            and checklists.checklist_item = confirmations.checklist_item
    group by leads.lead_id

),

gate_status as (

    select
        leads.lead_id,
        gates.gate_order,
        gates.gate_id,
        gates.gate_name,
        case
            when gates.gate_id = 'icp_check' then fit.icp_match_pct >= leads.icp_tier_a_min_pct
            when gates.gate_id = 'commit' then stages.opportunity_at is not null
            else count(gates.checklist_item) = count(confirmations.checklist_item)
        end as is_passed
    from leads
    inner join fit on leads.lead_id = fit.lead_id
    inner join stages on leads.lead_id = stages.lead_id
    inner join gates on gates.framework in (leads.qualification_framework, '*')
    left join confirmations
        on
            leads.lead_id = confirmations.lead_id
            and gates.checklist_item = confirmations.checklist_item
    group by
        leads.lead_id, gates.gate_order, gates.gate_id, gates.gate_name, fit.icp_match_pct,
        leads.icp_tier_a_min_pct, stages.opportunity_at

),

first_open_gate as (

    select
        lead_id,
        min(case when not is_passed then gate_order end) as stuck_gate_order,
        sum(case when is_passed then 1 else 0 end) as gates_passed
    from gate_status
    group by lead_id

)

select
    leads.lead_id,
    leads.segment,
    leads.qualification_framework,
    cast(checklist_progress.items_required as integer) as checklist_items_required,
    cast(checklist_progress.items_confirmed as integer) as checklist_items_confirmed,
    cast(
        {{ round_to("100.0 * checklist_progress.items_confirmed / checklist_progress.items_required", 1) }}
        as decimal(5, 1)
    ) as checklist_completeness_pct,
    checklist_progress.missing_items as missing_checklist_items,
    cast(first_open_gate.gates_passed as integer) as gates_passed,
    stuck.gate_id as stuck_at_gate,
    stuck.gate_name as stuck_at_gate_name,
    stages.current_stage,
    stages.current_stage not in ('won', 'lost', 'disqualified') as is_open
from leads
inner join stages on leads.lead_id = stages.lead_id
inner join first_open_gate on leads.lead_id = first_open_gate.lead_id
left join checklist_progress on leads.lead_id = checklist_progress.lead_id
left join gate_status as stuck
    on
        first_open_gate.lead_id = stuck.lead_id
        and first_open_gate.stuck_gate_order = stuck.gate_order
