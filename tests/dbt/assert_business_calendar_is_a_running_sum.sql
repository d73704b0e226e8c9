-- int_business_calendar has one row per territory and consecutive local date, and
-- business_seconds_before is the running sum without gaps: 0 on a territory's first day, then
-- the previous day's business_seconds_before + business_seconds. A day has business seconds
-- exactly when its weekday has hours (the territory's own business_hours rows, else the `*`
-- defaults) and it is not one of the territory's holidays. Returns the offending days.
with

calendar as (

    select * from {{ ref('int_business_calendar') }}

),

hours as (

    select * from {{ ref('business_hours') }}

),

holidays as (

    select * from {{ ref('holidays') }}

),

own_hours_territories as (

    select distinct territory_id
    from hours

),

ordered as (

    select
        territory_id,
        local_date,
        business_seconds,
        business_seconds_before,
        row_number() over (partition by territory_id order by local_date) as day_number,
        lag(local_date) over (partition by territory_id order by local_date) as previous_date,
        lag(business_seconds) over (partition by territory_id order by local_date) as previous_seconds,
        lag(business_seconds_before) over (partition by territory_id order by local_date) as previous_before
    from calendar

),

running_sum_breaks as (

    select
        territory_id,
        local_date,
        'running sum broken or a day missing' as problem
    from ordered
    where
        (day_number = 1 and business_seconds_before != 0)
        or (
            day_number > 1
            and (
                business_seconds_before != previous_before + previous_seconds
                or local_date != cast({{ dbt.dateadd('day', 1, 'previous_date') }} as date)
            )
        )

),

expected_days as (

    select
        calendar.territory_id,
        calendar.local_date,
        calendar.business_seconds,
        holidays.holiday_date is not null as is_holiday,
        case
            when own_hours_territories.territory_id is not null then own.weekday is not null
            else fallback.weekday is not null
        end as has_hours
    from calendar
    left join own_hours_territories on calendar.territory_id = own_hours_territories.territory_id
    left join hours as own
        on
            calendar.territory_id = own.territory_id
            and {{ iso_weekday('calendar.local_date') }} = own.weekday
    left join hours as fallback
        on
            fallback.territory_id = '*'
            and {{ iso_weekday('calendar.local_date') }} = fallback.weekday
    left join holidays
        on
            calendar.territory_id = holidays.territory_id
            and calendar.local_date = holidays.holiday_date

),

business_time_breaks as (

    select
        territory_id,
        local_date,
        case
            when business_seconds > 0 and is_holiday then 'business time on a holiday'
            when business_seconds > 0 then 'business time on a day without hours'
            else 'no business time on a working day'
        end as problem
    from expected_days
    where (business_seconds > 0) != (has_hours and not is_holiday)

)

select * from running_sum_breaks
union all
select * from business_time_breaks
