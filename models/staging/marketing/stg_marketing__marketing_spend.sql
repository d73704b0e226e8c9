select
    spend_id,
    spend_month,
    lead_source,
    channel,
    amount
from {{ ref('base_marketing__marketing_spend') }}
where quarantine_reason is null
