-- leads.total_score is the score_after of the lead's last lead_score_changes row (highest
-- change_sequence); a lead without ledger rows scores 0. Returns the leads where it is not.
with

leads as (

    select
        lead_id,
        total_score
    from {{ ref('leads') }}

),

changes as (

    select * from {{ ref('lead_score_changes') }}

),

last_change as (

    select
        lead_id,
        score_after
    from (
        select
            lead_id,
            score_after,
            row_number() over (partition by lead_id order by change_sequence desc) as recency
        from changes
    ) as ranked
    where recency = 1

)

select
    leads.lead_id,
    leads.total_score,
    last_change.score_after as last_score_after
from leads
left join last_change on leads.lead_id = last_change.lead_id
where leads.total_score != coalesce(last_change.score_after, 0)
