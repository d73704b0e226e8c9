-- Every SLA clock in lead_sla is consistent: due_at and stopped_at are not before started_at and
-- stopped_at is not after as_of; the status follows from stopped_at, due_at and as_of; elapsed
-- minutes are >= 0 (null only out_of_calendar), never more than the wall-clock minutes, equal to
-- the minutes between started_at and stopped_at for stopped clock-time SLAs (rounded to 0.1),
-- and on the right side of the target for the status. Returns the inconsistent instances.
with

sla as (

    select
        *,
        coalesce(stopped_at, {{ as_of() }}) as measured_until
    from {{ ref('lead_sla') }}

),

checked as (

    select
        sla_instance_id,
        sla_id,
        time_basis,
        target_minutes,
        started_at,
        due_at,
        stopped_at,
        status,
        elapsed_business_minutes,
        case
            when due_at is null then 'out_of_calendar'
            when stopped_at is not null and stopped_at <= due_at then 'met'
            when stopped_at is not null then 'breached'
            when {{ as_of() }} < due_at then 'open'
            else 'open_breached'
        end as expected_status,
        {{ dbt.datediff('started_at', 'measured_until', 'second') }}
        / 60.0 as wall_clock_minutes,
        {{ dbt.dateadd('minute', 'target_minutes', 'started_at') }} as clock_due_at
    from sla

)

select *
from checked
where
    status != expected_status
    or due_at < started_at
    or stopped_at < started_at
    or stopped_at > {{ as_of() }}
    or elapsed_business_minutes < 0
    or (status != 'out_of_calendar' and elapsed_business_minutes is null)
    -- business time is a part of wall-clock time
    or elapsed_business_minutes > wall_clock_minutes + 0.051
    -- clock time: due after target_minutes, elapsed = the minutes between start and stop
    or (time_basis = 'clock' and due_at != clock_due_at)
    or (
        time_basis = 'clock'
        and stopped_at is not null
        and abs(elapsed_business_minutes - wall_clock_minutes) > 0.051
    )
    -- met / open clocks are within their target; breached ones reached it
    or (status in ('met', 'open') and elapsed_business_minutes > target_minutes + 0.051)
    or (status in ('breached', 'open_breached') and elapsed_business_minutes < target_minutes - 0.051)
