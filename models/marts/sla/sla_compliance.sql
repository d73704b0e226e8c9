-- SLA compliance by week the clock started, SLA, team, rep, lead source and band. Compliance
-- = met / (met + breached + open_breached): clocks still running inside their target are not
-- judged yet. Aggregate the counts (not the rates) to roll up.
with

instances as (

    select * from {{ ref('lead_sla') }}

)

select
    {{ surrogate_key(['week_start', 'sla_id', 'team_id', 'owner_rep_id', 'lead_source', 'band']) }}
        as sla_compliance_id,
    week_start,
    sla_id,
    sla_name,
    team_id,
    team_name,
    owner_rep_id,
    owner_name,
    lead_source,
    band,
    instances,
    met,
    breached,
    open_within_target,
    open_breached,
    case
        when met + breached + open_breached > 0 then cast(met as {{ type_double() }}) / (met + breached + open_breached)
    end as compliance_rate,
    median_elapsed_business_minutes
from (
    select
        cast({{ dbt.date_trunc('week', 'started_at') }} as date) as week_start,
        sla_id,
        sla_name,
        team_id,
        team_name,
        owner_rep_id,
        owner_name,
        lead_source,
        band,
        cast(count(*) as bigint) as instances,
        cast(sum(case when status = 'met' then 1 else 0 end) as bigint) as met,
        cast(sum(case when status = 'breached' then 1 else 0 end) as bigint) as breached,
        cast(sum(case when status = 'open' then 1 else 0 end) as bigint) as open_within_target,
        cast(sum(case when status = 'open_breached' then 1 else 0 end) as bigint) as open_breached,
        cast({{ percentile('elapsed_business_minutes', 0.5) }} as decimal(12, 1)) as median_elapsed_business_minutes
    from instances
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9
) as weekly
