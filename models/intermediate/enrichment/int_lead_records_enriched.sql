-- What a valid CRM lead record's title and email say about the person, one row per record
-- (stg_crm__leads): the email domain and email type (seeds/enrichment/email_domain_rules.csv: of
-- the matching rules, the lowest type_precedence wins), and the seniority, buying role and job
-- function of the first matching title rule (seeds/enrichment/title_*_rules.csv, lowest
-- priority). int_lead_records_resolved joins these to the record and its person. The rules are
-- matched once per distinct title and domain, not per record: a million records share far fewer
-- titles and domains, and each match is a LIKE per rule. Incremental by lead: a run enriches
-- again the records of the persons int_crm_changed_leads lists (a changed record changes its
-- person's fingerprint; a rule change recomputes every person).
{{ config_incremental_by_lead('int_crm_changed_leads') }}
with

records as (

    select
        identity.lead_id,
        leads.source_lead_id,
        leads.email,
        leads.title
    from {{ ref('stg_crm__leads') }} as leads
    inner join {{ ref('int_lead_identity') }} as identity on leads.source_lead_id = identity.source_lead_id
    where {{ only_changed_leads('identity.lead_id', changes='int_crm_changed_leads') }}

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

normalized as (

    select
        records.lead_id,
        records.source_lead_id,
        records.email,
        {{ dbt.split_part('records.email', "'@'", 2) }} as email_domain,
        -- words only, padded: the rule '% cto %' matches the word CTO, not "director"
        {{ dbt.concat(["' '", "trim(" ~ regex_replace_all("lower(records.title)", "[^a-z0-9]+", " ") ~ ")", "' '"]) }}
            as title_norm
    from records

),

titles as (

    select distinct title_norm
    from normalized

),

domains as (

    select distinct email_domain
    from normalized

),

seniority_matches as (

    select
        titles.title_norm,
        seniority_rules.seniority,
        seniority_rules.buying_role,
        row_number() over (
            partition by titles.title_norm order by seniority_rules.priority
        ) as match_rank
    from titles
    inner join seniority_rules on titles.title_norm like seniority_rules.title_pattern

),

function_matches as (

    select
        titles.title_norm,
        function_rules.job_function,
        row_number() over (
            partition by titles.title_norm order by function_rules.priority
        ) as match_rank
    from titles
    inner join function_rules on titles.title_norm like function_rules.title_pattern

),

email_type_matches as (

    -- several patterns may match one domain: the lowest type_precedence of the seed wins
    select
        domains.email_domain,
        domain_rules.email_type,
        row_number() over (
            partition by domains.email_domain order by domain_rules.type_precedence, domain_rules.email_type
        ) as match_rank
    from domains
    inner join domain_rules on domains.email_domain like domain_rules.domain_pattern

)

select
    normalized.lead_id,
    normalized.source_lead_id,
    normalized.email_domain,
    coalesce(email_type_matches.email_type, case when normalized.email is null then 'unknown' else 'business' end)
        as email_type,
    coalesce(seniority_matches.seniority, 'unknown') as seniority,
    coalesce(function_matches.job_function, 'unknown') as job_function,
    coalesce(seniority_matches.buying_role, 'unknown') as buying_role
from normalized
left join seniority_matches
    on normalized.title_norm = seniority_matches.title_norm and seniority_matches.match_rank = 1
left join function_matches
    on normalized.title_norm = function_matches.title_norm and function_matches.match_rank = 1
left join email_type_matches
    on normalized.email_domain = email_type_matches.email_domain and email_type_matches.match_rank = 1
