"""The synthetic CRM in the shape a Fivetran connector writes it: Salesforce or HubSpot.

``generate_shape(out, leads, seed, shape)`` generates the same CRM as ``generate`` (same seed, same
people, same ids) and, for ``salesforce`` / ``hubspot``, converts its contract rows into the tables
the Fivetran connector would hold (``<out>/<connector_table>.parquet``, column names as Fivetran
writes them), plus the contract files of what the connector schema cannot express
(``<out>/<table>.parquet``: web and product events, teams, territories, spend, targets, …).
The dbt adapter models (models/staging/salesforce, models/staging/hubspot) map them back onto the
contract; tests/test_source_shapes.py proves the public marts come out identical.

What a connector cannot carry is not written:

* rows with a null or repeated primary key (a connector table has one row per id): the first
  delivery of an id is kept. ``shape="contract", connector_parity=True`` writes the contract
  landing with the same rows dropped, so all three shapes describe one CRM;
* a timestamp that does not parse ('yesterday') becomes null in the typed connector column
  (staging quarantines the row as unparseable either way).

The CRM records one lifecycle stage of its own: when a lead record gets its first opportunity,
the CRM records the ``opportunity`` stage (Salesforce converts the lead: ``leadConverted`` in
lead_history, a contact, ConvertedOpportunityId; HubSpot sets the contact's
``hs_lifecyclestage_opportunity_date``). In the contract shape that is ``lifecycle_events``,
written with ``connector_parity=True``.

Custom fields: a CRM holds the contract's channel, motion, account region, tech stack, loss
reason and the SDR's decisions in custom fields; the names written here are the adapter models'
defaults (README: "Salesforce (Fivetran) schema", "HubSpot (Fivetran) schema").
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from pathlib import Path

import duckdb

from leadwarehouse.contract import TABLES

from .core import DEFAULT_AS_OF, generate

SHAPES = ("contract", "salesforce", "hubspot")

# Contract tables each connector shape takes from contract files beside the connector schema.
CONTRACT_LEFTOVERS = {
    "salesforce": ("marketing_events", "teams", "territories", "marketing_spend", "sales_targets"),
    "hubspot": ("marketing_events", "teams", "territories", "campaigns", "marketing_spend", "sales_targets"),
}
# Marketing event types HubSpot's schema carries (email events, form submissions, replies);
# hubspot_as_contract__marketing_events takes every other type from the contract file.
HUBSPOT_EVENT_TYPES = (
    "email_open",
    "email_click",
    "email_reply",
    "form_submit",
    "demo_request",
    "content_download",
    "webinar_registered",
    "product_signup",
)

# ---- spellings: canonical contract value -> how the CRM spells it --------------------------
SF_LEAD_SOURCE = {
    "web_form": "Web",
    "trial_signup": "Free Trial",
    "webinar": "Webinar",
    "paid_search": "Google AdWords",
    "paid_social": "LinkedIn Ads",
    "content_syndication": "Content Syndication",
    "list_import": "Purchased List",
    "outbound_prospecting": "Prospecting",
    "referral": "Employee Referral",
    "event": "Trade Show",
}
SF_OPPORTUNITY_STAGE = {
    "discovery": "Qualification",
    "proposal": "Proposal/Price Quote",
    "negotiation": "Negotiation/Review",
    "closed_won": "Closed Won",
    "closed_lost": "Closed Lost",
}
SF_TASK_TYPE = {
    "call": "Call",
    "email": "Email",
    "accept": "SDR Accepted",
    "reject": "SDR Rejected",
    "disqualify": "Disqualified",
    "discovery_answer": "Discovery",
    "next_step_scheduled": "Next Step",
}
SF_TASK_SUBTYPE = {"call": "Call", "email": "Email"}
SF_ROLE = {"sdr": "Sales Development Representative", "ae": "Account Executive", "manager": "Sales Manager"}
SF_LIFECYCLE_STATUS = {
    "lead": "Open - Not Contacted",
    "mql": "Marketing Qualified",
    "sal": "Working - Contacted",
    "sql": "Qualified",
    "recycled": "Nurture",
    "disqualified": "Unqualified",
}
SF_UNASSIGNED_QUEUE = "00G000000000001AAA"

# HubSpot's original source (hs_analytics_source) per lead source; a source HubSpot has no value
# for also gets the portal's own dropdown property lead_source, which the adapter prefers.
HS_ANALYTICS_SOURCE = {
    "web_form": "DIRECT_TRAFFIC",
    "trial_signup": "DIRECT_TRAFFIC",
    "webinar": "OTHER_CAMPAIGNS",
    "paid_search": "PAID_SEARCH",
    "paid_social": "PAID_SOCIAL",
    "content_syndication": "OTHER_CAMPAIGNS",
    "list_import": "OFFLINE",
    "outbound_prospecting": "OFFLINE",
    "referral": "REFERRALS",
    "event": "OFFLINE",
}
HS_SOURCE_ONLY = ("paid_search", "paid_social", "referral")  # no lead_source property needed
HS_DEAL_STAGE = {  # canonical -> (stage id, label) of HubSpot's default sales pipeline
    "discovery": ("appointmentscheduled", "Appointment Scheduled"),
    "proposal": ("presentationscheduled", "Presentation Scheduled"),
    "negotiation": ("contractsent", "Contract Sent"),
    "closed_won": ("closedwon", "Closed Won"),
    "closed_lost": ("closedlost", "Closed Lost"),
}
HS_FORM = {  # event type -> (form guid, form name)
    "form_submit": ("f0000000-0000-4000-8000-000000000001", "Contact Us"),
    "demo_request": ("f0000000-0000-4000-8000-000000000002", "Demo Request"),
    "content_download": ("f0000000-0000-4000-8000-000000000003", "Content Download"),
    "webinar_registered": ("f0000000-0000-4000-8000-000000000004", "Webinar Registration"),
    "product_signup": ("f0000000-0000-4000-8000-000000000005", "Free Trial Signup"),
}
HS_NOTE_TYPE = {
    "accept": "Accepted",
    "reject": "Rejected",
    "disqualify": "Disqualified",
    "discovery_answer": "Discovery",
    "next_step_scheduled": "Next Step",
}
HS_ROLE = SF_ROLE
HS_LIFECYCLE_STAGES = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
)
HS_LIFECYCLE_OF = {"lead": "lead", "mql": "marketingqualifiedlead", "sql": "salesqualifiedlead"}
HS_LIFECYCLE_OF |= {"opportunity": "opportunity", "won": "customer", "other": "other"}
HS_PORTAL_ID = 4711


def _q(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _case(expr: str, mapping: dict[str, str], default: str | None = None) -> str:
    """SQL case mapping canonical values to a spelling; unlisted values pass through."""
    whens = " ".join(f"when {_q(k)} then {_q(v)}" for k, v in mapping.items())
    return f"case {expr} {whens} else {default or expr} end"


def _ts(expr: str) -> str:
    """Contract timestamp text -> typed UTC timestamp (null where it does not parse)."""
    return f"cast(try_cast(nullif(trim({expr}), '') as timestamptz) at time zone 'UTC' as timestamp)"


def _date(expr: str) -> str:
    return f"try_cast(nullif(trim({expr}), '') as date)"


def _table_files(landing: Path, table: str) -> list[Path]:
    single = landing / f"{table}.parquet"
    if single.is_file():
        return [single]
    return sorted((landing / table).glob("*.parquet")) if (landing / table).is_dir() else []


# ---- the contract CRM as a connector delivers it -------------------------------------------


def load_contract(con: duckdb.DuckDBPyConnection, landing: Path) -> None:
    """Views k_<table>: the contract rows a connector can hold (non-null id, first delivery of
    each id, in file order, with their position _pos) and k_lifecycle_events (conversions)."""
    for name, table in TABLES.items():
        files = _table_files(landing, name)
        key = table.primary_key
        if files:
            reader = (
                "read_parquet([" + ", ".join(_q(f.resolve()) for f in files) + "], union_by_name = true, "
                "filename = true, file_row_number = true)"
            )
            con.execute(
                f"create or replace table c_{name} as select * exclude (filename, file_row_number), "
                f"row_number() over (order by filename, file_row_number) as _pos from {reader}"
            )
        else:
            cols = ", ".join(f"cast(null as varchar) as {c}" for c in table.column_names)
            con.execute(f"create or replace table c_{name} as select {cols}, 0::bigint as _pos limit 0")
        con.execute(
            f"create or replace view k_{name} as select * from c_{name} "
            f"where {key} is not null qualify row_number() over (partition by {key} order by _pos) = 1"
        )
    # the conversion of a lead record: its earliest opportunity (unparseable creation times last)
    con.execute(
        f"""
        create or replace view conversions as
        select
            o.lead_id,
            o.opportunity_id,
            o.created_at as converted_at_text,
            {_ts("o.created_at")} as converted_at
        from k_opportunities as o
        inner join k_leads as l on o.lead_id = l.lead_id
        qualify row_number() over (partition by o.lead_id order by {_ts("o.created_at")} nulls last, o._pos) = 1
        """
    )
    recorded = "k_lifecycle_events" if _table_files(landing, "lifecycle_events") else None
    extra = (
        f"union all select lifecycle_event_id, lead_id, stage, occurred_at, source_system, _pos from {recorded}"
        if recorded
        else ""
    )
    con.execute(
        f"""
        create or replace view crm_stages as
        select
            lead_id || ':opportunity' as lifecycle_event_id,
            lead_id,
            'opportunity' as stage,
            converted_at_text as occurred_at,
            'crm' as source_system,
            -1 as _pos
        from conversions
        where converted_at is not null
        {extra}
        """
    )


def _copy(con: duckdb.DuckDBPyConnection, sql: str, path: Path) -> int:
    tmp = path.with_name(path.name + ".tmp")
    con.execute(f"copy ({sql}) to {_q(tmp)} (format parquet, compression zstd)")
    tmp.replace(path)
    return con.execute(f"select count(*) from read_parquet({_q(path)})").fetchone()[0]


def _contract_columns(name: str) -> str:
    return ", ".join(TABLES[name].column_names)


def write_contract(con: duckdb.DuckDBPyConnection, out: Path, names: tuple[str, ...] | None = None) -> dict:
    """The contract files of the kept rows (file order), `names` only when given."""
    counts = {}
    for name in names or tuple(TABLES):
        if name == "lifecycle_events":
            sql = f"select {_contract_columns(name)} from crm_stages order by _pos, lead_id"
        else:
            sql = f"select {_contract_columns(name)} from k_{name} order by _pos"
        counts[name] = _copy(con, sql, out / f"{name}.parquet")
    return counts


# ---- Salesforce ----------------------------------------------------------------------------


def _salesforce_sql(synced: str) -> dict[str, str]:
    """Connector table -> select statement over the k_ views."""
    ls = _case("l.lead_source", SF_LEAD_SOURCE)
    converted = "cv.lead_id is not null"
    return {
        "lead": f"""
            select
                l.lead_id as id,
                false as is_deleted,
                {_ts("l.created_at")} as created_date,
                coalesce({_ts("l.updated_at")}, {_ts("l.created_at")}) as last_modified_date,
                l.email,
                l.first_name,
                l.last_name,
                trim(concat_ws(' ', l.first_name, l.last_name)) as name,
                l.title,
                l.company_name as company,
                l.country as country_code,
                {ls} as lead_source,
                case when {converted} then 'Closed - Converted' else 'Open - Not Contacted' end as status,
                coalesce(l.owner_rep_id, {_q(SF_UNASSIGNED_QUEUE)}) as owner_id,
                {converted} as is_converted,
                cast(cv.converted_at as date) as converted_date,
                case when {converted} then '003' || substr(l.lead_id, 4) end as converted_contact_id,
                case when {converted} then l.account_id end as converted_account_id,
                cv.opportunity_id as converted_opportunity_id,
                not l.has_marketing_consent as has_opted_out_of_email,
                l.account_id as account__c,
                l.channel as channel__c,
                l.motion as motion__c,
                {synced} as _fivetran_synced
            from k_leads as l
            left join conversions as cv on l.lead_id = cv.lead_id
            order by l._pos""",
        "contact": f"""
            select
                '003' || substr(l.lead_id, 4) as id,
                false as is_deleted,
                cv.converted_at as created_date,
                cv.converted_at as last_modified_date,
                l.email,
                l.first_name,
                l.last_name,
                trim(concat_ws(' ', l.first_name, l.last_name)) as name,
                l.title,
                l.account_id,
                {ls} as lead_source,
                o.owner_rep_id as owner_id,
                not l.has_marketing_consent as has_opted_out_of_email,
                l.country as mailing_country_code,
                l.channel as channel__c,
                l.motion as motion__c,
                {synced} as _fivetran_synced
            from conversions as cv
            inner join k_leads as l on cv.lead_id = l.lead_id
            inner join k_opportunities as o on cv.opportunity_id = o.opportunity_id
            order by l._pos""",
        "lead_history": f"""
            select * exclude (_pos) from (
                select
                    '017' || substr(l.lead_id, 4) || 'OWN' as id,
                    l.lead_id,
                    false as is_deleted,
                    'Owner' as field,
                    {_q(SF_UNASSIGNED_QUEUE)} as old_value,
                    l.owner_rep_id as new_value,
                    {_ts("l.owner_assigned_at")} as created_date,
                    l._pos,
                    {synced} as _fivetran_synced
                from k_leads as l
                where l.owner_rep_id is not null and {_ts("l.owner_assigned_at")} is not null
                union all
                select
                    s.lifecycle_event_id as id,
                    s.lead_id,
                    false as is_deleted,
                    case when s.stage = 'opportunity' and cv.lead_id is not null then 'leadConverted' else 'Status' end
                        as field,
                    cast(null as varchar) as old_value,
                    case
                        when s.stage = 'opportunity' and cv.lead_id is not null then null
                        else {_case("s.stage", SF_LIFECYCLE_STATUS)}
                    end as new_value,
                    {_ts("s.occurred_at")} as created_date,
                    l._pos,
                    {synced} as _fivetran_synced
                from crm_stages as s
                inner join k_leads as l on s.lead_id = l.lead_id
                left join conversions as cv on s.lead_id = cv.lead_id and s.occurred_at = cv.converted_at_text
            )
            order by _pos, field, id""",
        "campaign_member": f"""
            select
                '00v' || substr(l.lead_id, 4) as id,
                false as is_deleted,
                l.campaign_id,
                l.lead_id,
                cast(null as varchar) as contact_id,
                'Responded' as status,
                true as has_responded,
                {_ts("l.created_at")} as created_date,
                {synced} as _fivetran_synced
            from k_leads as l
            where l.campaign_id is not null
            order by l._pos""",
        "account": f"""
            select
                a.account_id as id,
                false as is_deleted,
                a.account_name as name,
                case when a.domain is not null then 'https://www.' || a.domain end as website,
                a.industry,
                cast(a.employee_count as bigint) as number_of_employees,
                a.annual_revenue,
                a.country as billing_country_code,
                coalesce({_ts("a.updated_at")}, timestamp '2024-01-01 00:00:00') as last_modified_date,
                a.region as region__c,
                a.tech_stack as tech_stack__c,
                {synced} as _fivetran_synced
            from k_accounts as a
            order by a._pos""",
        "opportunity": f"""
            select
                o.opportunity_id as id,
                false as is_deleted,
                'Opportunity ' || o.opportunity_id as name,
                o.account_id,
                o.owner_rep_id as owner_id,
                {_ts("o.created_at")} as created_date,
                coalesce({_ts("o.updated_at")}, {_ts("o.closed_at")}, {_ts("o.created_at")}) as last_modified_date,
                {_case("o.stage", SF_OPPORTUNITY_STAGE)} as stage_name,
                o.amount,
                {_date("o.close_date")} as close_date,
                o.closed_at is not null as is_closed,
                o.closed_at is not null and o.stage = 'closed_won' as is_won,
                o.lost_reason as loss_reason__c,
                {synced} as _fivetran_synced
            from k_opportunities as o
            order by o._pos""",
        "opportunity_field_history": f"""
            select
                'OFH' || o.opportunity_id as id,
                o.opportunity_id,
                false as is_deleted,
                'StageName' as field,
                cast(null as varchar) as old_value,
                {_case("o.stage", SF_OPPORTUNITY_STAGE)} as new_value,
                {_ts("o.closed_at")} as created_date,
                {synced} as _fivetran_synced
            from k_opportunities as o
            where {_ts("o.closed_at")} is not null
            order by o._pos""",
        "opportunity_contact_role": f"""
            select
                '00K' || o.opportunity_id as id,
                false as is_deleted,
                o.opportunity_id,
                coalesce('003' || substr(cv.lead_id, 4), o.lead_id) as contact_id,
                true as is_primary,
                'Decision Maker' as role,
                {synced} as _fivetran_synced
            from k_opportunities as o
            left join conversions as cv on o.lead_id = cv.lead_id
            where cv.opportunity_id is distinct from o.opportunity_id
            order by o._pos""",
        "task": f"""
            select
                a.activity_id as id,
                false as is_deleted,
                a.lead_id as who_id,
                a.rep_id as owner_id,
                {_case("a.activity_type", SF_TASK_TYPE)} as type,
                {_case("a.activity_type", SF_TASK_SUBTYPE, "'Task'")} as task_subtype,
                {_case("a.activity_type", SF_TASK_TYPE)} as subject,
                a.note as description,
                'Completed' as status,
                {_ts("a.occurred_at")} as created_date,
                {_ts("a.occurred_at")} as completed_date_time,
                cast({_ts("a.occurred_at")} as date) as activity_date,
                a.reason_code as reason_code__c,
                a.checklist_item as checklist_item__c,
                a.is_confirmed as is_confirmed__c,
                {synced} as _fivetran_synced
            from k_sales_activities as a
            where a.activity_type is distinct from 'meeting'
            order by a._pos""",
        "event": f"""
            select
                a.activity_id as id,
                false as is_deleted,
                a.lead_id as who_id,
                a.rep_id as owner_id,
                'Meeting' as type,
                'Meeting' as subject,
                a.note as description,
                {_ts("a.occurred_at")} as created_date,
                {_ts("a.occurred_at")} as start_date_time,
                {_ts("a.occurred_at")} + interval 30 minute as end_date_time,
                {synced} as _fivetran_synced
            from k_sales_activities as a
            where a.activity_type = 'meeting'
            order by a._pos""",
        "campaign": f"""
            select
                c.campaign_id as id,
                false as is_deleted,
                c.campaign_name as name,
                {_case("c.lead_source", SF_LEAD_SOURCE)} as type,
                case when c.ended_at is null then 'In Progress' else 'Completed' end as status,
                {_date("c.started_at")} as start_date,
                {_date("c.ended_at")} as end_date,
                c.ended_at is null as is_active,
                c.channel as channel__c,
                {synced} as _fivetran_synced
            from k_campaigns as c
            order by c._pos""",
        "user": f"""
            select
                r.rep_id as id,
                r.rep_name as name,
                split_part(r.rep_name, ' ', 1) as first_name,
                nullif(substr(r.rep_name, length(split_part(r.rep_name, ' ', 1)) + 2), '') as last_name,
                lower(replace(r.rep_name, ' ', '.')) || '@example.com' as email,
                r.is_active,
                '00E' || coalesce(r.role, 'none') as user_role_id,
                r.team_id as team_id__c,
                false as _fivetran_deleted,
                {synced} as _fivetran_synced
            from k_reps as r
            order by r._pos""",
        "user_role": f"""
            select distinct on (r.role)
                '00E' || coalesce(r.role, 'none') as id,
                {_case("r.role", SF_ROLE)} as name,
                false as _fivetran_deleted,
                {synced} as _fivetran_synced
            from k_reps as r
            where r.role is not null
            order by r.role""",
    }


# ---- HubSpot -------------------------------------------------------------------------------


def _hubspot_sql(synced: str) -> dict[str, str]:
    events = "k_marketing_events"
    stage_dates = ",\n".join(
        f"""max(case when s.stage = {_q(canon)} then {_ts("s.occurred_at")} end)
                    as property_hs_lifecyclestage_{hs}_date"""
        for canon, hs in HS_LIFECYCLE_OF.items()
    )
    missing_dates = ",\n".join(
        f"cast(null as timestamp) as property_hs_lifecyclestage_{hs}_date"
        for hs in HS_LIFECYCLE_STAGES
        if hs not in HS_LIFECYCLE_OF.values()
    )
    date_cols = ", ".join(f"d.property_hs_lifecyclestage_{hs}_date" for hs in HS_LIFECYCLE_OF.values())
    stage_case = _case("o.stage", {k: v[0] for k, v in HS_DEAL_STAGE.items()})
    form_case = _case("e.event_type", {k: v[0] for k, v in HS_FORM.items()})
    with_lead = """
        select a.*, 'CALL' as hs_type from k_sales_activities as a where a.activity_type = 'call'
        union all select a.*, 'EMAIL' from k_sales_activities as a where a.activity_type = 'email'
        union all select a.*, 'MEETING' from k_sales_activities as a where a.activity_type = 'meeting'
        union all select a.*, 'NOTE' from k_sales_activities as a
            where a.activity_type is null or a.activity_type not in ('call', 'email', 'meeting')"""
    replies = f"select * from {events} where event_type = 'email_reply'"
    return {
        "contact": f"""
            with dates as (
                select s.lead_id, {stage_dates}
                from crm_stages as s
                group by s.lead_id
            )
            select
                l.lead_id as id,
                false as _fivetran_deleted,
                l.email as property_email,
                l.first_name as property_firstname,
                l.last_name as property_lastname,
                l.title as property_jobtitle,
                l.company_name as property_company,
                l.country as property_country,
                l.account_id as property_associatedcompanyid,
                {_case("l.lead_source", HS_ANALYTICS_SOURCE)} as property_hs_analytics_source,
                case when l.lead_source not in ({", ".join(_q(s) for s in HS_SOURCE_ONLY)})
                    then l.lead_source end as property_lead_source,
                l.channel as property_lead_channel,
                l.motion as property_lead_motion,
                l.campaign_id as property_hs_analytics_first_touch_converting_campaign,
                {_ts("l.created_at")} as property_createdate,
                coalesce({_ts("l.updated_at")}, {_ts("l.created_at")}) as property_lastmodifieddate,
                not l.has_marketing_consent as property_hs_email_optout,
                l.owner_rep_id as property_hubspot_owner_id,
                {_ts("l.owner_assigned_at")} as property_hubspot_owner_assigneddate,
                {date_cols},
                {missing_dates},
                cast(null as varchar) as property_hs_calculated_merged_vids,
                {synced} as _fivetran_synced
            from k_leads as l
            left join dates as d on l.lead_id = d.lead_id
            order by l._pos""",
        "company": f"""
            select
                a.account_id as id,
                false as is_deleted,
                a.account_name as property_name,
                a.domain as property_domain,
                a.industry as property_industry,
                cast(a.employee_count as bigint) as property_numberofemployees,
                a.annual_revenue as property_annualrevenue,
                a.country as property_country,
                a.region as property_region,
                a.tech_stack as property_web_technologies,
                {_ts("a.updated_at")} as property_hs_lastmodifieddate,
                {synced} as _fivetran_synced
            from k_accounts as a
            order by a._pos""",
        "deal": f"""
            select
                o.opportunity_id as deal_id,
                false as is_deleted,
                'default' as deal_pipeline_id,
                {stage_case} as deal_pipeline_stage_id,
                o.owner_rep_id as owner_id,
                {HS_PORTAL_ID} as portal_id,
                'Deal ' || o.opportunity_id as property_dealname,
                o.amount as property_amount,
                coalesce({_ts("o.closed_at")}, cast({_date("o.close_date")} as timestamp)) as property_closedate,
                o.closed_at is not null as property_hs_is_closed,
                {_ts("o.created_at")} as property_createdate,
                o.lost_reason as property_closed_lost_reason,
                coalesce({_ts("o.updated_at")}, {_ts("o.closed_at")}, {_ts("o.created_at")})
                    as property_hs_lastmodifieddate,
                {synced} as _fivetran_synced
            from k_opportunities as o
            order by o._pos""",
        "deal_pipeline_stage": f"""
            select
                false as _fivetran_deleted,
                true as active,
                stage_id,
                label,
                'default' as pipeline_id,
                is_closed,
                closed_won,
                display_order,
                {synced} as _fivetran_synced
            from (
                select * from (values {
            ", ".join(
                f"({_q(sid)}, {_q(label)}, {str(k.startswith('closed')).lower()}, "
                f"{str(k == 'closed_won').lower()}, {i})"
                for i, (k, (sid, label)) in enumerate(HS_DEAL_STAGE.items())
            )
        }) as v(stage_id, label, is_closed, closed_won, display_order)
                union all
                select distinct stage, stage, false, false, 100
                from k_opportunities
                where stage not in ({", ".join(_q(k) for k in HS_DEAL_STAGE)})
            )
            order by display_order, stage_id""",
        "deal_contact": f"""
            select o.opportunity_id as deal_id, o.lead_id as contact_id, 3 as type_id,
                'HUBSPOT_DEFINED' as category, {synced} as _fivetran_synced
            from k_opportunities as o
            where o.lead_id is not null
            order by o._pos""",
        "deal_company": f"""
            select o.opportunity_id as deal_id, o.account_id as company_id, 5 as type_id,
                'HUBSPOT_DEFINED' as category, {synced} as _fivetran_synced
            from k_opportunities as o
            where o.account_id is not null
            order by o._pos""",
        "owner": f"""
            select
                r.rep_id as owner_id,
                split_part(r.rep_name, ' ', 1) as first_name,
                nullif(substr(r.rep_name, length(split_part(r.rep_name, ' ', 1)) + 2), '') as last_name,
                lower(replace(r.rep_name, ' ', '.')) || '@example.com' as email,
                'PERSON' as type,
                r.is_active,
                'U' || r.rep_id as active_user_id,
                {HS_PORTAL_ID} as portal_id,
                {synced} as _fivetran_synced
            from k_reps as r
            order by r._pos""",
        "users": f"""
            select 'U' || r.rep_id as id, 'R-' || r.role as role_id, r.team_id as primary_team_id,
                lower(replace(r.rep_name, ' ', '.')) || '@example.com' as email, {synced} as _fivetran_synced
            from k_reps as r
            order by r._pos""",
        "role": f"""
            select distinct 'R-' || r.role as id, {_case("r.role", HS_ROLE)} as name, {synced} as _fivetran_synced
            from k_reps as r
            where r.role is not null
            order by id""",
        "engagement": f"""
            select * exclude (_pos) from (
                select a.activity_id as id, a.hs_type as type, {HS_PORTAL_ID} as portal_id, a._pos,
                    {synced} as _fivetran_synced
                from ({with_lead}) as a
                union all
                select e.event_id, 'INCOMING_EMAIL', {HS_PORTAL_ID}, 1000000000 + e._pos, {synced}
                from ({replies}) as e
            )
            order by _pos""",
        "engagement_contact": f"""
            select * exclude (_pos) from (
                select a.activity_id as engagement_id, a.lead_id as contact_id, a._pos,
                    {synced} as _fivetran_synced
                from k_sales_activities as a
                where a.lead_id is not null
                union all
                select e.event_id, e.lead_id, 1000000000 + e._pos, {synced}
                from ({replies}) as e
            )
            order by _pos""",
        "engagement_call": f"""
            select a.activity_id as engagement_id, false as _fivetran_deleted, 'CALL' as type,
                {_ts("a.occurred_at")} as property_hs_timestamp, {_ts("a.occurred_at")} as property_hs_createdate,
                a.rep_id as property_hubspot_owner_id, a.note as property_hs_call_body,
                {synced} as _fivetran_synced
            from k_sales_activities as a
            where a.activity_type = 'call'
            order by a._pos""",
        "engagement_email": f"""
            select * exclude (_pos) from (
                select a.activity_id as engagement_id, false as _fivetran_deleted, 'EMAIL' as type,
                    'EMAIL' as property_hs_email_direction,
                    {_ts("a.occurred_at")} as property_hs_timestamp, {_ts("a.occurred_at")} as property_hs_createdate,
                    a.rep_id as property_hubspot_owner_id, cast(null as varchar) as property_hs_email_subject,
                    a.note as property_hs_email_text, a._pos, {synced} as _fivetran_synced
                from k_sales_activities as a
                where a.activity_type = 'email'
                union all
                select e.event_id, false, 'INCOMING_EMAIL', 'INCOMING_EMAIL',
                    {_ts("e.occurred_at")}, {_ts("e.occurred_at")}, null, e.asset_name, null,
                    1000000000 + e._pos, {synced}
                from ({replies}) as e
            )
            order by _pos""",
        "engagement_meeting": f"""
            select a.activity_id as engagement_id, false as _fivetran_deleted, 'MEETING' as type,
                {_ts("a.occurred_at")} as property_hs_timestamp, {_ts("a.occurred_at")} as property_hs_createdate,
                a.rep_id as property_hubspot_owner_id, 'Meeting' as property_hs_meeting_title,
                a.note as property_hs_meeting_body, {synced} as _fivetran_synced
            from k_sales_activities as a
            where a.activity_type = 'meeting'
            order by a._pos""",
        "engagement_note": f"""
            select a.activity_id as engagement_id, false as _fivetran_deleted, 'NOTE' as type,
                {_ts("a.occurred_at")} as property_hs_timestamp, {_ts("a.occurred_at")} as property_hs_createdate,
                a.rep_id as property_hubspot_owner_id, a.note as property_hs_note_body,
                {_case("a.activity_type", HS_NOTE_TYPE)} as property_sales_activity_type,
                a.reason_code as property_reason_code, a.checklist_item as property_checklist_item,
                a.is_confirmed as property_is_confirmed, {synced} as _fivetran_synced
            from k_sales_activities as a
            where a.activity_type is null or a.activity_type not in ('call', 'email', 'meeting')
            order by a._pos""",
        "email_campaign": f"""
            select 'EC-' || md5(asset_name)[1:12] as id, asset_name as name, 'BATCH_EMAIL' as type,
                {synced} as _fivetran_synced
            from (select distinct asset_name from {events}
                  where event_type in ('email_open', 'email_click') and asset_name is not null)
            order by id""",
        "email_event": f"""
            select
                e.event_id as id,
                case e.event_type when 'email_open' then 'OPEN' else 'CLICK' end as type,
                {_ts("e.occurred_at")} as created,
                coalesce(l.email, e.lead_id || '@unknown-contact.invalid') as recipient,
                'EC-' || md5(e.asset_name)[1:12] as email_campaign_id,
                false as filtered_event,
                {HS_PORTAL_ID} as portal_id,
                {synced} as _fivetran_synced
            from {events} as e
            left join k_leads as l on e.lead_id = l.lead_id
            where e.event_type in ('email_open', 'email_click')
            order by e._pos""",
        "contact_form_submission": f"""
            select
                e.event_id as conversion_id,
                e.lead_id as contact_id,
                {form_case} as form_id,
                {_ts("e.occurred_at")} as timestamp,
                e.page_url,
                e.asset_name as title,
                {HS_PORTAL_ID} as portal_id,
                {synced} as _fivetran_synced
            from {events} as e
            where e.event_type in ({", ".join(_q(t) for t in HS_FORM)})
            order by e._pos""",
        "form": f"""
            select guid, name, 'HUBSPOT' as form_type, false as _fivetran_deleted, {synced} as _fivetran_synced
            from (values {", ".join(f"({_q(g)}, {_q(n)})" for g, n in HS_FORM.values())}) as v(guid, name)
            order by guid""",
    }


# ---- driver --------------------------------------------------------------------------------


def convert_landing(
    contract_dir: Path | str, out_dir: Path | str, shape: str, as_of: str = DEFAULT_AS_OF
) -> dict:
    """Writes the CRM of the contract landing `contract_dir` (Parquet) in `shape` into `out_dir`.
    Returns {file name: rows}. shape 'contract' writes the contract landing as a connector would
    deliver it (see the module docstring)."""
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {', '.join(SHAPES)}, got {shape!r}")
    contract_dir, out = Path(contract_dir), Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    synced = f"cast({_q(as_of.replace('Z', ''))} as timestamp)"
    con = duckdb.connect()
    try:
        con.execute("set preserve_insertion_order = true")
        load_contract(con, contract_dir)
        if shape == "contract":
            return {f"{n}.parquet": c for n, c in write_contract(con, out).items()}
        counts: dict[str, int] = {}
        statements = _salesforce_sql(synced) if shape == "salesforce" else _hubspot_sql(synced)
        for table, sql in statements.items():
            counts[f"{table}.parquet"] = _copy(con, sql, out / f"{table}.parquet")
        for name in CONTRACT_LEFTOVERS[shape]:
            where = ""
            if shape == "hubspot" and name == "marketing_events":
                types = ", ".join(_q(t) for t in HUBSPOT_EVENT_TYPES)
                where = f"where event_type is null or event_type not in ({types})"
            sql = f"select {_contract_columns(name)} from k_{name} {where} order by _pos"
            counts[f"{name}.parquet"] = _copy(con, sql, out / f"{name}.parquet")
        return counts
    finally:
        con.close()


def _clear(out: Path) -> None:
    """Remove what an earlier run of any shape wrote (only files a generator run writes)."""
    if not out.is_dir():
        return
    known = set(TABLES) | set(_salesforce_sql("null")) | set(_hubspot_sql("null"))
    for name in known:
        (out / f"{name}.parquet").unlink(missing_ok=True)
        (out / f"{name}.csv").unlink(missing_ok=True)
        if (out / name).is_dir():
            shutil.rmtree(out / name)
    (out / "_manifest.json").unlink(missing_ok=True)


def generate_shape(
    out_dir: str | Path,
    leads: int,
    seed: int = 42,
    shape: str = "contract",
    fmt: str = "parquet",
    as_of: str | dt.datetime = DEFAULT_AS_OF,
    chunk_size: int = 50_000,
    connector_parity: bool = False,
    progress: bool = False,
) -> dict:
    """The synthetic CRM of `generate` in `shape`. 'contract' without connector_parity is exactly
    `generate`; connector shapes (and connector_parity) write Parquet. Returns the manifest."""
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {', '.join(SHAPES)}, got {shape!r}")
    out = Path(out_dir)
    if shape == "contract" and not connector_parity:
        return generate(out, leads, seed=seed, fmt=fmt, as_of=as_of, chunk_size=chunk_size, progress=progress)
    if fmt != "parquet":
        raise ValueError(f"the {shape} shape is written as Parquet only (--format parquet)")
    as_of_text = as_of if isinstance(as_of, str) else as_of.isoformat()
    _clear(out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="contract-", dir=out) as tmp:
        manifest = generate(
            tmp, leads, seed=seed, fmt="parquet", as_of=as_of, chunk_size=chunk_size, progress=progress
        )
        counts = convert_landing(tmp, out, shape, as_of=manifest["as_of"])
    manifest = dict(manifest, shape=shape, connector_parity=connector_parity, as_of_requested=as_of_text)
    manifest["files"] = counts
    manifest["contract_row_counts"] = manifest.pop("row_counts")
    Path(out, "_manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest
