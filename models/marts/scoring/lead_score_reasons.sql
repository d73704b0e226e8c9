-- Why each lead scores what it scores now: every contributing rule or signal with its points,
-- ranked by weight. Points add up to fit + negative + intent (before clamping to 0–max).
{{ config_incremental_by_lead() }}
with

contributions as (

    select * from {{ ref('int_lead_score_contributions') }}
    where {{ only_changed_leads() }}

)

select
    {{ surrogate_key(['lead_id', 'dimension', 'reason_key']) }} as score_reason_id,
    lead_id,
    cast(row_number() over (
        partition by lead_id order by abs(points) desc, dimension, reason_key asc
    ) as integer) as reason_rank,
    dimension,
    reason_key,
    label,
    cast(event_count as integer) as event_count,
    cast({{ round_to("points", 1) }} as decimal(9, 1)) as points
from contributions
