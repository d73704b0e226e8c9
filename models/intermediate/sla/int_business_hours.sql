-- Working hours per territory and ISO weekday (seeds/calendar/business_hours.csv; '*' is the
-- default for territories without rows of their own). One interval per day: a second row for
-- the same territory and weekday (overlapping hours) or an interval that closes before it
-- opens fails the build naming the row.
{{ assert_valid_config('business_hours', "territory_id || ' weekday ' || cast(weekday as " ~ dbt.type_string() ~ ")", [
    ("weekday not between 1 and 7 or weekday is null", "weekday must be 1 (Monday) to 7 (Sunday)"),
    ("opens_at not like '__:__' or closes_at not like '__:__'",
        "opens_at / closes_at must be HH:MM"),
    ("opens_at >= closes_at", "closes_at must be after opens_at"),
    ("(territory_id, weekday) in (select territory_id, weekday from " ~ ref('business_hours')
        ~ " group by territory_id, weekday having count(*) > 1)",
        "more than one interval for the same territory and weekday (overlapping hours)"),
]) }}

select
    territory_id,
    weekday,
    opens_at,
    closes_at,
    {{ minutes_of_day('opens_at') }} as opens_minute,
    {{ minutes_of_day('closes_at') }} as closes_minute
from {{ ref('business_hours') }}
