-- One row per territory and local date: when business hours open and close in UTC (daylight
-- saving included, through the territory's IANA time zone), how many business seconds the day
-- has (0 on weekends and holidays) and how many came before it. Business time between two
-- instants is then a difference of two lookups (macros: business_seconds_at). Territory '*'
-- (UTC, default hours) serves leads without a territory.
{%- set as_of_day = modules.datetime.datetime.strptime(as_of_literal()[:10], '%Y-%m-%d') %}
{%- set days_back = modules.datetime.timedelta(days=var('business_calendar_days_back')) %}
{%- set first_day = (as_of_day - days_back).strftime('%Y-%m-%d') %}
{%- set last_day = (as_of_day + modules.datetime.timedelta(days=90)).strftime('%Y-%m-%d') %}
with

days as (

    {{ dbt.date_spine('day', "cast('" ~ first_day ~ "' as date)", "cast('" ~ last_day ~ "' as date)") }}

),

territories as (

    select
        territory_id,
        time_zone
    from {{ ref('stg_crm__territories') }}

    union all

    select
        '*' as territory_id,
        'UTC' as time_zone

),

hours as (

    select * from {{ ref('int_business_hours') }}

),

holidays as (

    select * from {{ ref('holidays') }}

),

territory_days as (

    select
        territories.territory_id,
        territories.time_zone,
        cast(days.date_day as date) as local_date,
        {{ iso_weekday('cast(days.date_day as date)') }} as weekday
    from territories
    cross join days

),

day_hours as (

    -- a territory's own rows replace the '*' defaults entirely
    select
        territory_days.*,
        coalesce(own.opens_minute, fallback.opens_minute) as opens_minute,
        coalesce(own.closes_minute, fallback.closes_minute) as closes_minute,
        holidays.holiday_name
    from territory_days
    left join hours as own
        on
            territory_days.territory_id = own.territory_id
            and territory_days.weekday = own.weekday
    left join hours as fallback
        on
            fallback.territory_id = '*'
            and territory_days.weekday = fallback.weekday
            and territory_days.territory_id not in (select h.territory_id from hours as h)
    left join holidays
        on
            territory_days.territory_id = holidays.territory_id
            and territory_days.local_date = holidays.holiday_date

),

intervals as (

    select
        territory_id,
        time_zone,
        local_date,
        weekday,
        holiday_name,
        case when opens_minute is not null and holiday_name is null then 1 else 0 end as is_business_day,
        {%- set local_midnight = 'cast(local_date as timestamp)' %}
        {{ local_to_utc(dbt.dateadd('minute', 'coalesce(opens_minute, 0)', local_midnight), 'time_zone') }}
            as opens_at_utc,
        {{ local_to_utc(dbt.dateadd('minute', 'coalesce(closes_minute, 0)', local_midnight), 'time_zone') }}
            as closes_at_utc
    from day_hours

),

sized as (

    select
        territory_id,
        time_zone,
        local_date,
        weekday,
        holiday_name,
        is_business_day = 1 as is_business_day,
        opens_at_utc,
        case when is_business_day = 1 then closes_at_utc else opens_at_utc end as closes_at_utc,
        case
            when is_business_day = 1 then {{ dbt.datediff('opens_at_utc', 'closes_at_utc', 'second') }}
            else 0
        end as business_seconds
    from intervals

)

select
    *,
    cast(
        sum(business_seconds) over (
            partition by territory_id order by local_date rows between unbounded preceding and current row
        ) - business_seconds as bigint
    ) as business_seconds_before
from sized
