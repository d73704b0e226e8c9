-- One row per lead with its stage entries (the lifecycle's transitions, which
-- marts.lead_stage_history lists): the first entry into each stage, whether a funnel stage's
-- first entry was a fact dated before the lead's creation (applied at the creation:
-- is_<stage>_out_of_order), the current stage, and the first time an SDR rejected or
-- disqualified the lead after it became an MQL. marts.leads and the KPI facts both read it.
{{ config_incremental_by_lead('int_lifecycle_changed_leads') }}
{%- set funnel_stages = ['mql', 'sal', 'sql', 'opportunity', 'won', 'lost'] %}
{%- set stages = funnel_stages + ['recycled', 'disqualified'] %}
with

transitions as (

    select * from {{ ref('int_lifecycle_state_machine') }}
    where is_transition and {{ only_changed_leads(changes='int_lifecycle_changed_leads') }}

),

stage_entries as (

    select
        lead_id,
        stage,
        trigger_at as entered_at,
        is_out_of_order,
        row_number() over (partition by lead_id, stage order by trigger_sequence) as entry_order,
        -- the last transition is the stage the lead is in (lead_stage_history.is_current)
        row_number() over (partition by lead_id order by trigger_sequence desc) as recency
    from transitions

),

first_rejection as (

    -- the first time an SDR rejected or disqualified the lead after it became an MQL
    select
        lead_id,
        trigger_at as rejected_at,
        reason_code as reject_reason,
        row_number() over (partition by lead_id order by trigger_sequence) as rejection_order
    from transitions
    where stage in ('recycled', 'disqualified') and from_stage in ('mql', 'sal', 'sql')

),

stage_dates as (

    select
        lead_id,
        {%- for stage in stages %}
            min(case when stage = '{{ stage }}' then entered_at end) as {{ stage }}_at,
        {%- endfor %}
        max(case when recency = 1 then stage end) as current_stage,
        max(case when recency = 1 then entered_at end) as stage_entered_at,
        {%- for stage in funnel_stages %}
            max(case when stage = '{{ stage }}' and entry_order = 1 and is_out_of_order then 1 else 0 end) = 1
                as is_{{ stage }}_out_of_order,
        {%- endfor %}
        -- closed_at is won_at when the lead was won, else lost_at
        case
            when max(case when stage = 'won' then 1 else 0 end) = 1
                then max(case when stage = 'won' and entry_order = 1 and is_out_of_order then 1 else 0 end) = 1
            else max(case when stage = 'lost' and entry_order = 1 and is_out_of_order then 1 else 0 end) = 1
        end as is_closed_out_of_order
    from stage_entries
    group by lead_id

)

select
    stage_dates.lead_id,
    {%- for stage in stages %}
        stage_dates.{{ stage }}_at,
    {%- endfor %}
    stage_dates.current_stage,
    stage_dates.stage_entered_at,
    {%- for stage in funnel_stages %}
        stage_dates.is_{{ stage }}_out_of_order,
    {%- endfor %}
    stage_dates.is_closed_out_of_order,
    first_rejection.rejected_at,
    first_rejection.reject_reason
from stage_dates
left join first_rejection on stage_dates.lead_id = first_rejection.lead_id and first_rejection.rejection_order = 1
