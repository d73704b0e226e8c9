"""The input contract: the raw tables a CRM + marketing-automation export provides.

Each table arrives in the landing folder as ``<table>.parquet``, ``<table>.csv`` or a folder
``<table>/`` of Parquet/CSV parts (what an EL tool writes in chunks). Columns are matched by
name (case-insensitive); extra columns are ignored; a missing column, or a column whose type
cannot hold the contract type, fails ingest with the file and column named.

Logical types: ``string``, ``integer``, ``decimal``, ``boolean``, ``timestamp`` (UTC,
ISO-8601), ``date``. Values that do not parse row by row are not errors of the file: staging
quarantines those rows with a reason.

Minimal input: only ``leads`` is a required table, and within each table only the ids and the
timestamp that places a row in time are required columns. A real export rarely has emails,
titles, amounts or behavioural events; everything else is optional (an absent optional table
lands as an empty raw table, an absent optional column as nulls) and the build reports what
was absent in its data-quality summary.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    required: bool = False  # True: the file must have the column; False: absent → nulls


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    primary_key: str
    columns: tuple[Column, ...]
    required: bool = False  # True: the landing folder must hold the table; False: absent → empty

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


C = Column


def R(name: str, type_: str, description: str) -> Column:  # noqa: N802 (reads like C)
    """A required column."""
    return Column(name, type_, description, required=True)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "leads",
            "One row per lead/person record as the CRM or marketing-automation tool holds it. "
            "The same person may appear several times (re-submissions, imports); identity "
            "resolution merges them on the normalized email.",
            "lead_id",
            (
                R("lead_id", "string", "Source-system id of the lead record."),
                C("email", "string", "Email address as entered."),
                C("first_name", "string", "First name."),
                C("last_name", "string", "Last name."),
                C("title", "string", "Job title as entered."),
                C("account_id", "string", "Account (company) the lead belongs to; may be null."),
                C("company_name", "string", "Company name as entered on the form."),
                C("country", "string", "ISO-3166 alpha-2 country of the person."),
                C(
                    "lead_source",
                    "string",
                    "How the record was created: web_form, trial_signup, webinar, paid_search, "
                    "paid_social, content_syndication, list_import, outbound_prospecting, referral, event.",
                ),
                C("channel", "string", "Marketing channel: organic, paid, outbound, partner, event."),
                C("motion", "string", "inbound or outbound."),
                C("campaign_id", "string", "Campaign that created the record; may be null."),
                R("created_at", "timestamp", "When the record was created (UTC)."),
                C("has_marketing_consent", "boolean", "Consent to marketing communication."),
                C("owner_rep_id", "string", "Rep the CRM assigned the lead to (routing)."),
                C("owner_assigned_at", "timestamp", "When the CRM assigned the owner (UTC)."),
                C(
                    "merged_into_lead_id",
                    "string",
                    "The record this one was converted or merged into (Salesforce lead → contact "
                    "conversion, HubSpot merge): identity treats both as one person.",
                ),
                C(
                    "updated_at",
                    "timestamp",
                    "Last modified (UTC). When an id is delivered twice, the latest version is kept.",
                ),
            ),
            required=True,
        ),
        Table(
            "accounts",
            "One row per account (company) with firmographics.",
            "account_id",
            (
                R("account_id", "string", "Source-system id of the account."),
                C("domain", "string", "Web domain, e.g. acme.com."),
                C("account_name", "string", "Company name."),
                C("industry", "string", "Industry label, e.g. software, financial_services."),
                C("employee_count", "integer", "Number of employees."),
                C("annual_revenue", "decimal", "Annual revenue in USD."),
                C("country", "string", "ISO-3166 alpha-2 headquarters country."),
                C("region", "string", "Sales region: north_america, emea, apac, latam."),
                C("tech_stack", "string", "Technologies in use, separated by ';'."),
                C("updated_at", "timestamp", "Last modified (UTC); the latest version of an id wins."),
            ),
        ),
        Table(
            "marketing_events",
            "One row per tracked marketing or product interaction of a lead.",
            "event_id",
            (
                R("event_id", "string", "Source-system id of the event."),
                R("lead_id", "string", "Lead the event belongs to (a leads.lead_id)."),
                R(
                    "event_type",
                    "string",
                    "page_view, form_submit, content_download, webinar_registered, webinar_attended, "
                    "email_open, email_click, email_reply, demo_request, product_signup, product_usage.",
                ),
                C("page_url", "string", "URL path for page views, e.g. /pricing."),
                C("asset_name", "string", "Content asset, email or webinar name."),
                C("campaign_id", "string", "Campaign the interaction belongs to."),
                R("occurred_at", "timestamp", "When it happened (UTC)."),
            ),
        ),
        Table(
            "sales_activities",
            "One row per SDR/AE activity on a lead: touches, accept/reject decisions with "
            "reason codes, and discovery checklist answers (one row per answered item).",
            "activity_id",
            (
                R("activity_id", "string", "Source-system id of the activity."),
                R("lead_id", "string", "Lead the activity is about."),
                C("rep_id", "string", "Rep who did it."),
                R(
                    "activity_type",
                    "string",
                    "call, email, meeting, accept, reject, disqualify, discovery_answer, next_step_scheduled.",
                ),
                C("reason_code", "string", "Reason code for reject/disqualify."),
                C("note", "string", "Free-text note."),
                C(
                    "checklist_item",
                    "string",
                    "For discovery_answer: budget, authority, need, timeline, challenges, money, "
                    "prioritization, metrics, economic_buyer, decision_criteria, decision_process, "
                    "identify_pain, champion.",
                ),
                C("is_confirmed", "boolean", "For discovery_answer: the item is confirmed."),
                R("occurred_at", "timestamp", "When it happened (UTC)."),
            ),
        ),
        Table(
            "opportunities",
            "One row per sales opportunity created from a lead.",
            "opportunity_id",
            (
                R("opportunity_id", "string", "Source-system id of the opportunity."),
                R("lead_id", "string", "Lead the opportunity was converted from."),
                C("account_id", "string", "Account of the opportunity."),
                C("owner_rep_id", "string", "AE who owns it."),
                C("created_at", "timestamp", "When it was created (UTC)."),
                R("stage", "string", "discovery, proposal, negotiation, closed_won, closed_lost."),
                C("amount", "decimal", "Annual contract value in USD."),
                C("close_date", "date", "Expected or actual close date."),
                C("closed_at", "timestamp", "When it was closed; null while open."),
                C("lost_reason", "string", "Reason code when closed_lost."),
                C("updated_at", "timestamp", "Last modified (UTC); the latest version of an id wins."),
            ),
        ),
        Table(
            "lifecycle_events",
            "One row per lifecycle stage the CRM recorded for a lead (HubSpot's lifecycle-stage "
            "dates, Salesforce lead status history and conversion, or any CRM's own marking). "
            "The state machine takes them as triggers beside the warehouse's own score, as "
            "seeds/lifecycle/stage_sources.csv decides per stage.",
            "lifecycle_event_id",
            (
                R("lifecycle_event_id", "string", "Id of the recorded change (any stable id)."),
                R("lead_id", "string", "Lead the stage was recorded for (a leads.lead_id)."),
                R(
                    "stage",
                    "string",
                    "Stage as the CRM spells it (mapped through seeds/reference/picklist_mappings.csv): "
                    "mql, sal, sql, opportunity, won, lost, recycled, disqualified.",
                ),
                R("occurred_at", "timestamp", "When the CRM recorded the stage (UTC)."),
                C("source_system", "string", "CRM that recorded it, e.g. hubspot, salesforce."),
            ),
        ),
        Table(
            "reps",
            "Sales reps (SDRs, AEs, managers).",
            "rep_id",
            (
                R("rep_id", "string", "Rep id."),
                C("rep_name", "string", "Full name."),
                C("role", "string", "sdr, ae or manager."),
                C("team_id", "string", "Team the rep belongs to."),
                C("is_active", "boolean", "Still employed and taking leads."),
            ),
        ),
        Table(
            "teams",
            "Sales teams, each covering one territory and segment.",
            "team_id",
            (
                R("team_id", "string", "Team id."),
                C("team_name", "string", "Team name."),
                C("territory_id", "string", "Territory the team covers."),
                C("segment", "string", "smb, mid_market or enterprise."),
            ),
        ),
        Table(
            "territories",
            "Sales territories with the time zone their business hours run in.",
            "territory_id",
            (
                R("territory_id", "string", "Territory id."),
                C("territory_name", "string", "Name."),
                C("region", "string", "north_america, emea, apac, latam."),
                C("time_zone", "string", "IANA time zone, e.g. America/New_York."),
            ),
        ),
        Table(
            "campaigns",
            "Marketing campaigns.",
            "campaign_id",
            (
                R("campaign_id", "string", "Campaign id."),
                C("campaign_name", "string", "Name."),
                C("lead_source", "string", "Lead source the campaign feeds."),
                C("channel", "string", "Channel."),
                C("started_at", "timestamp", "Start."),
                C("ended_at", "timestamp", "End; null while running."),
            ),
        ),
        Table(
            "marketing_spend",
            "Marketing spend per month and lead source (for CAC and payback).",
            "spend_id",
            (
                R("spend_id", "string", "Row id."),
                R("spend_month", "date", "First day of the month."),
                C("lead_source", "string", "Lead source the money was spent on."),
                C("channel", "string", "Channel."),
                R("amount", "decimal", "Spend in USD."),
            ),
        ),
        Table(
            "sales_targets",
            "Monthly targets per team (for pipeline coverage).",
            "target_id",
            (
                R("target_id", "string", "Row id."),
                R("target_month", "date", "First day of the month."),
                R("team_id", "string", "Team."),
                C("bookings_target", "decimal", "Closed-won ACV target in USD."),
                C("pipeline_target", "decimal", "New pipeline target in USD."),
            ),
        ),
    )
}
