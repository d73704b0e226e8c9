-- The stage-age buckets (seeds/lifecycle/stage_age_buckets.csv) cover every age once: the first
-- starts at 0 days, each next one where the previous ends, and only the last is open-ended.
-- Returns the buckets that break this.
with

buckets as (

    select
        *,
        lag(max_days) over (order by bucket_order) as previous_max_days,
        row_number() over (order by bucket_order) as position,
        count(*) over () as bucket_count
    from {{ ref('stage_age_buckets') }}

)

select *
from buckets
where
    (position = 1 and min_days != 0)
    or (position > 1 and (previous_max_days is null or min_days != previous_max_days))
    or ((max_days is null) != (position = bucket_count))
