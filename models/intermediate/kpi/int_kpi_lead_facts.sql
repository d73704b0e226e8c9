-- One row per lead with everything the KPI ladder slices and counts: the slice dimensions,
-- the first time each funnel milestone happened, and the days between milestones. A stage first
-- entered by a fact dated before the lead's creation (applied at the creation, flagged
-- is_<stage>_out_of_order) still counts as reached but bounds no duration: a negative duration
-- is not a duration.
{%- set stages = ['mql', 'sal', 'sql', 'opportunity', 'won', 'lost'] %}
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

first_entries as (

    select
        lead_id,
        stage,
        is_out_of_order,
        row_number() over (partition by lead_id, stage order by stage_sequence) as entry_order
    from history
    where stage in ('{{ stages | join("', '") }}')

),

out_of_order_entries as (

    select
        lead_id,
        {%- for stage in stages %}
            max(case when stage = '{{ stage }}' and is_out_of_order then 1 else 0 end) = 1
                as is_{{ stage }}_out_of_order,
        {%- endfor %}
        -- closed_at is won_at when the lead was won, else lost_at
        case
            when max(case when stage = 'won' then 1 else 0 end) = 1
                then max(case when stage = 'won' and is_out_of_order then 1 else 0 end) = 1
            else max(case when stage = 'lost' and is_out_of_order then 1 else 0 end) = 1
        end as is_closed_out_of_order
    from first_entries
    where entry_order = 1
    group by lead_id

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
    {%- for stage in stages %}
        coalesce(out_of_order_entries.is_{{ stage }}_out_of_order, false) as is_{{ stage }}_out_of_order,
    {%- endfor %}
    coalesce(out_of_order_entries.is_closed_out_of_order, false) as is_closed_out_of_order,
    {%- for stage in ['mql', 'sal', 'sql', 'opportunity', 'won'] %}
        case
            when not coalesce(out_of_order_entries.is_{{ stage }}_out_of_order, false)
                then {{ dbt.datediff('leads.created_at', 'leads.' ~ stage ~ '_at', 'second') }} / 86400.0  -- noqa: LT05
        end as days_created_to_{{ stage }},
    {%- endfor %}
    case
        when
            leads.mql_at is not null and leads.sql_at is not null
            and not coalesce(out_of_order_entries.is_mql_out_of_order, false)
            and not coalesce(out_of_order_entries.is_sql_out_of_order, false)
            then {{ dbt.datediff('leads.mql_at', 'leads.sql_at', 'second') }} / 86400.0  -- noqa: LT05
    end as days_mql_to_sql,
    case
        when
            leads.sql_at is not null and coalesce(leads.won_at, leads.lost_at) is not null
            and not coalesce(out_of_order_entries.is_sql_out_of_order, false)
            and not coalesce(out_of_order_entries.is_closed_out_of_order, false)
            then {{ dbt.datediff('leads.sql_at', 'coalesce(leads.won_at, leads.lost_at)', 'second') }} / 86400.0  -- noqa: LT05
    end as days_sql_to_close
from leads
left join routing on leads.lead_id = routing.lead_id
left join first_rejection on leads.lead_id = first_rejection.lead_id and first_rejection.rejection_order = 1
left join won_amounts on leads.lead_id = won_amounts.lead_id
left join out_of_order_entries on leads.lead_id = out_of_order_entries.lead_id
