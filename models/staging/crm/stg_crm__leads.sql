-- Valid lead records, one per source record, with the email, title and email-domain
-- normalizations scoring needs. A missing channel or motion is implied by the lead source
-- (seeds/reference/lead_source_defaults.csv). Identity resolution (one lead per person) happens in
-- int_lead_identity; rows that failed validation are in quarantined_rows.
with

base as (

    select * from {{ ref('base_crm__leads') }}
    where quarantine_reason is null

),

seniority_rules as (

    select * from {{ ref('title_seniority_rules') }}

),

function_rules as (

    select * from {{ ref('title_function_rules') }}

),

domain_rules as (

    select * from {{ ref('email_domain_rules') }}

),

source_defaults as (

    select * from {{ ref('lead_source_defaults') }}

),

records as (

    select
        base.source_lead_id,
        base.email,
        {{ dbt.split_part('base.email', "'@'", 2) }} as email_domain,
        base.first_name,
        base.last_name,
        base.title,
        -- words only, padded: the rule '% cto %' matches the word CTO, not "director"
        {{ dbt.concat(["' '", "trim(" ~ regex_replace_all("lower(base.title)", "[^a-z0-9]+", " ") ~ ")", "' '"]) }}
            as title_norm,
        base.account_id,
        base.company_name,
        base.country,
        base.lead_source,
        base.lead_source_raw,
        case
            when base.channel is null or base.channel = 'unknown' then coalesce(source_defaults.channel, 'unknown')
            else base.channel
        end as channel,
        base.channel_raw,
        case
            when base.motion in ('inbound', 'outbound') then base.motion
            else coalesce(source_defaults.motion, 'inbound')
        end as motion,
        base.motion_raw,
        base.campaign_id,
        base.created_at,
        coalesce(base.has_marketing_consent, false) as has_marketing_consent,
        -- an assignment after as_of has not happened yet
        case
            when base.owner_assigned_at is null or base.owner_assigned_at <= {{ as_of() }} then base.owner_rep_id
        end as owner_rep_id_as_of,
        case when base.owner_assigned_at <= {{ as_of() }} then base.owner_assigned_at end as owner_assigned_at,
        base.merged_into_lead_id
    from base
    left join source_defaults on base.lead_source = source_defaults.lead_source

),

seniority_matches as (

    select
        records.source_lead_id,
        seniority_rules.seniority,
        seniority_rules.buying_role,
        row_number() over (
            partition by records.source_lead_id order by seniority_rules.priority
        ) as match_rank
    from records
    inner join seniority_rules on records.title_norm like seniority_rules.title_pattern

),

function_matches as (

    select
        records.source_lead_id,
        function_rules.job_function,
        row_number() over (
            partition by records.source_lead_id order by function_rules.priority
        ) as match_rank
    from records
    inner join function_rules on records.title_norm like function_rules.title_pattern

),

email_type_matches as (

    -- several patterns may match one domain: the lowest type_precedence of the seed wins
    select
        records.source_lead_id,
        domain_rules.email_type,
        row_number() over (
            partition by records.source_lead_id order by domain_rules.type_precedence, domain_rules.email_type
        ) as match_rank
    from records
    inner join domain_rules on records.email_domain like domain_rules.domain_pattern

)

select
    records.source_lead_id,
    records.email,
    records.email_domain,
    coalesce(email_type_matches.email_type, case when records.email is null then 'unknown' else 'business' end)
        as email_type,
    records.first_name,
    records.last_name,
    records.title,
    coalesce(seniority_matches.seniority, 'unknown') as seniority,
    coalesce(function_matches.job_function, 'unknown') as job_function,
    coalesce(seniority_matches.buying_role, 'unknown') as buying_role,
    records.account_id,
    records.company_name,
    records.country,
    records.lead_source,
    records.lead_source_raw,
    records.channel,
    records.channel_raw,
    records.motion,
    records.motion_raw,
    records.campaign_id,
    records.created_at,
    records.has_marketing_consent,
    records.owner_rep_id_as_of as owner_rep_id,
    records.owner_assigned_at,
    records.merged_into_lead_id
from records
left join seniority_matches
    on records.source_lead_id = seniority_matches.source_lead_id and seniority_matches.match_rank = 1
left join function_matches
    on records.source_lead_id = function_matches.source_lead_id and function_matches.match_rank = 1
left join email_type_matches
    on records.source_lead_id = email_type_matches.source_lead_id and email_type_matches.match_rank = 1
