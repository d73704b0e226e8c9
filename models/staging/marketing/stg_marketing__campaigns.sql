select
    campaign_id,
    campaign_name,
    lead_source,
    channel,
    started_at,
    ended_at
from {{ ref('base_marketing__campaigns') }}
where quarantine_reason is null
