-- Every time a lead was recycled: why (reason code and its nurture track and cadence), the
-- segment tag, the recycle date (back to nurture) and whether and how it re-qualified.
-- Incremental by lead, with the lifecycle: int_lifecycle_changed_leads names every lead whose
-- stage history or CRM records (its segment tag) changed; a change to the reason codes or nurture
-- tracks makes it name every lead.
{%- set changes = 'int_lifecycle_changed_leads' %}
{{ config_incremental_by_lead(changes) }}
with

history as (

    select * from {{ ref('lead_stage_history') }}
    where {{ only_changed_leads(changes=changes) }}

),

leads as (

    select * from {{ ref('int_lead_scoring_inputs') }}
    where {{ only_changed_leads(changes=changes) }}

),

reason_codes as (

    select * from {{ ref('reason_codes') }}

),

tracks as (

    select * from {{ ref('nurture_tracks') }}

),

recycles as (

    select * from history
    where stage = 'recycled'

),

next_steps as (

    -- the first return to nurture and the first re-qualification after each recycle
    select
        recycles.stage_history_id,
        min(case when later.stage = 'nurture' then later.entered_at end) as returned_to_nurture_at,
        min(case when later.stage = 'mql' then later.entered_at end) as requalified_at
    from recycles
    left join history as later
        on
            recycles.lead_id = later.lead_id
            and later.stage_sequence > recycles.stage_sequence
    group by recycles.stage_history_id

),

requalification as (

    select
        next_steps.stage_history_id,
        later.entered_by as requalified_by,
        later.reason_code as requalification_trigger
    from next_steps
    inner join recycles on next_steps.stage_history_id = recycles.stage_history_id
    inner join history as later
        on
            recycles.lead_id = later.lead_id
            and later.stage = 'mql'
            and later.entered_at = next_steps.requalified_at

)

select
    recycles.stage_history_id as recycle_id,
    recycles.lead_id,
    recycles.entered_at as recycled_at,
    recycles.from_stage as recycled_from_stage,
    recycles.reason_code,
    reason_codes.label as reason_label,
    leads.segment as segment_tag,
    {{ dbt.dateadd('day', 'coalesce(reason_codes.recycle_after_days, ' ~ var('default_recycle_after_days') ~ ')',
        'recycles.entered_at') }} as recycle_date,
    reason_codes.nurture_track,
    tracks.track_name as nurture_track_name,
    tracks.cadence_days as nurture_cadence_days,
    next_steps.returned_to_nurture_at,
    next_steps.requalified_at,
    requalification.requalified_by,
    requalification.requalification_trigger
from recycles
inner join leads on recycles.lead_id = leads.lead_id
inner join next_steps on recycles.stage_history_id = next_steps.stage_history_id
left join reason_codes on recycles.reason_code = reason_codes.reason_code
left join tracks on reason_codes.nurture_track = tracks.nurture_track
left join requalification on recycles.stage_history_id = requalification.stage_history_id
