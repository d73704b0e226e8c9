-- One row per lead with everything the KPI ladder slices and counts: the slice dimensions
-- and the first time each funnel milestone happened.
with

leads as (

    select * from {{ ref('leads') }}

),

routing as (

    select * from {{ ref('int_lead_routing') }}

),

history as (

    select * from {{ ref('lead_stage_history') }}

),

identity as (

    select * from {{ ref('int_lead_identity') }}

),

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

first_rejection as (

    -- the first time an SDR rejected or disqualified the lead after it became an MQL
    select
        lead_id,
        entered_at as rejected_at,
        reason_code as reject_reason,
        row_number() over (partition by lead_id order by stage_sequence) as rejection_order
    from history
    where stage in ('recycled', 'disqualified') and from_stage in ('mql', 'sal', 'sql')

),

won_amounts as (

    select
        identity.lead_id,
        sum(opportunities.amount) as won_amount
    from opportunities
    inner join identity on opportunities.source_lead_id = identity.source_lead_id
    where opportunities.outcome = 'won'
    group by identity.lead_id

)

select
    leads.lead_id,
    leads.created_at,
    leads.lead_source,
    leads.channel,
    leads.segment,
    leads.fit_tier,
    leads.motion,
    coalesce(routing.team_id, 'unassigned') as team,
    coalesce(routing.owner_rep_id, 'unassigned') as rep,
    leads.peak_band,
    leads.fit_tier = 'A' as is_icp_match,
    leads.mql_at,
    leads.sal_at,
    leads.sql_at,
    leads.opportunity_at,
    leads.won_at,
    leads.lost_at,
    coalesce(leads.won_at, leads.lost_at) as closed_at,
    first_rejection.rejected_at,
    first_rejection.reject_reason,
    leads.score_at_mql_crossing,
    won_amounts.won_amount,
    case
        when leads.mql_at is not null and leads.sql_at is not null
            then {{ dbt.datediff('leads.mql_at', 'leads.sql_at', 'second') }} / 86400.0  -- noqa: LT05
    end as days_mql_to_sql,
    case
        when leads.sql_at is not null and coalesce(leads.won_at, leads.lost_at) is not null
            then {{ dbt.datediff('leads.sql_at', 'coalesce(leads.won_at, leads.lost_at)', 'second') }} / 86400.0  -- noqa: LT05
    end as days_sql_to_close
from leads
left join routing on leads.lead_id = routing.lead_id
left join first_rejection on leads.lead_id = first_rejection.lead_id and first_rejection.rejection_order = 1
left join won_amounts on leads.lead_id = won_amounts.lead_id
