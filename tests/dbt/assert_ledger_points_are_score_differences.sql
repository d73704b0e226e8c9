-- In lead_score_changes, points is score_after minus the previous row's score_after (0 before the
-- first row), within rounding: both are rounded to 1 decimal separately, so allow 0.1.
with

changes as (

    select
        lead_id,
        change_sequence,
        points,
        score_after,
        coalesce(
            lag(score_after) over (partition by lead_id order by change_sequence), 0
        ) as previous_score_after
    from {{ ref('lead_score_changes') }}

)

select *
from changes
where abs(points - (score_after - previous_score_after)) > 0.1 + 0.0001
