-- One row per SLA instance (int_sla_clock_spans: when its clock started and stopped), measured:
-- business-time policies count only the working hours of the lead's territory
-- (int_business_calendar), clock-time policies every second; open clocks up to as_of.
-- Incremental by lead, as int_sla_clock_spans.
{{ config_incremental_by_lead(['int_sla_changed_leads', 'int_scoring_changed_leads']) }}
with

clocked as (

    select * from {{ ref('int_sla_clock_spans') }}
    where {{ only_changed_leads(changes=['int_sla_changed_leads', 'int_scoring_changed_leads']) }}

),

calendar as (

    select * from {{ ref('int_business_calendar') }}

),

reps as (

    select * from {{ ref('stg_crm__reps') }}

),

business_positions as (

    select
        clocked.lead_id,
        clocked.sla_id,
        clocked.started_at,
        {{ business_seconds_at('clocked.started_at', 'start_day') }} as started_business_second,
        {{ business_seconds_at('clocked.measured_until', 'until_day') }} as until_business_second,
        start_day.local_date as start_local_date
    from clocked
    inner join calendar as start_day
        on
            clocked.territory_id = start_day.territory_id
            and start_day.local_date = cast({{ utc_to_local('clocked.started_at', 'clocked.time_zone') }} as date)
    inner join calendar as until_day
        on
            clocked.territory_id = until_day.territory_id
            and until_day.local_date = cast({{ utc_to_local('clocked.measured_until', 'clocked.time_zone') }} as date)
    where clocked.time_basis = 'business'

),

business_due as (

    -- the business day on which the target runs out (searched within 60 days of the start)
    select
        business_positions.lead_id,
        business_positions.sla_id,
        business_positions.started_at,
        {{ dbt.dateadd(
            'second',
            'business_positions.started_business_second + clocked.target_minutes * 60 - due_day.business_seconds_before',
            'due_day.opens_at_utc') }} as due_at
    from business_positions
    inner join clocked
        on
            business_positions.lead_id = clocked.lead_id
            and business_positions.sla_id = clocked.sla_id
            and business_positions.started_at = clocked.started_at
    inner join calendar as due_day
        on
            clocked.territory_id = due_day.territory_id
            and due_day.local_date >= business_positions.start_local_date
            and due_day.local_date <= {{ dbt.dateadd('day', 60, 'business_positions.start_local_date') }}
            and due_day.business_seconds > 0
            and due_day.business_seconds_before
            < business_positions.started_business_second + clocked.target_minutes * 60
            and due_day.business_seconds_before + due_day.business_seconds
            >= business_positions.started_business_second + clocked.target_minutes * 60

),

measured as (

    select
        clocked.*,
        case
            when clocked.time_basis = 'clock'
                then {{ dbt.dateadd('second', 'clocked.target_minutes * 60', 'clocked.started_at') }}
            else business_due.due_at
        end as due_at,
        case
            when clocked.time_basis = 'clock'
                then {{ dbt.datediff('clocked.started_at', 'clocked.measured_until', 'second') }}
            else business_positions.until_business_second - business_positions.started_business_second
        end as elapsed_seconds
    from clocked
    left join business_positions
        on
            clocked.lead_id = business_positions.lead_id
            and clocked.sla_id = business_positions.sla_id
            and clocked.started_at = business_positions.started_at
    left join business_due
        on
            clocked.lead_id = business_due.lead_id
            and clocked.sla_id = business_due.sla_id
            and clocked.started_at = business_due.started_at

)

select
    {{ surrogate_key(['measured.lead_id', 'measured.sla_id', 'measured.started_at']) }} as sla_instance_id,
    measured.lead_id,
    measured.sla_id,
    measured.sla_name,
    measured.owner_role,
    measured.time_basis,
    measured.target_minutes,
    measured.band_at_start,
    measured.started_at,
    measured.due_at,
    measured.stopped_at,
    case
        -- a start older than the business calendar reaches (var business_calendar_days_back)
        when measured.due_at is null then 'out_of_calendar'
        when measured.stopped_at is not null and measured.stopped_at <= measured.due_at then 'met'
        when measured.stopped_at is not null then 'breached'
        when {{ as_of() }} < measured.due_at then 'open'
        else 'open_breached'
    end as status,
    measured.elapsed_seconds / 60.0 as elapsed_minutes,
    -- the rep who stopped the clock (else the lead owner) and that rep's team
    coalesce(measured.stopped_by_rep_id, measured.owner_rep_id) as owner_rep_id,
    coalesce(stopper.team_id, measured.team_id) as team_id,
    measured.territory_id,
    measured.time_zone
from measured
left join reps as stopper on measured.stopped_by_rep_id = stopper.rep_id
