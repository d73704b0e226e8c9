-- Valid opportunities as they stood at as_of: a close recorded after as_of has not
-- happened yet from the build's point of view.
with

base as (

    select * from {{ ref('base_crm__opportunities') }}
    where quarantine_reason is null

)

select
    opportunity_id,
    source_lead_id,
    account_id,
    owner_rep_id,
    created_at,
    is_created_at_inferred,
    stage,
    stage_raw,
    amount,
    close_date,
    case when closed_at <= {{ as_of() }} and stage in ('closed_won', 'closed_lost') then closed_at end as closed_at,
    case
        when closed_at <= {{ as_of() }} and stage = 'closed_won' then 'won'
        when closed_at <= {{ as_of() }} and stage = 'closed_lost' then 'lost'
        else 'open'
    end as outcome,
    case when closed_at <= {{ as_of() }} and stage = 'closed_lost' then lost_reason end as lost_reason
from base
