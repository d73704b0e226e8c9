"""The input contract: the raw tables a CRM + marketing-automation export provides.

Each table arrives in the landing folder as ``<table>.parquet``, ``<table>.csv`` or a folder
``<table>/`` of Parquet/CSV parts (what an EL tool writes in chunks). Columns are matched by
name (case-insensitive); extra columns are ignored; a missing column, or a column whose type
cannot hold the contract type, fails ingest with the file and column named.

Logical types: ``string``, ``integer``, ``decimal``, ``boolean``, ``timestamp`` (UTC,
ISO-8601), ``date``. Values that do not parse row by row are not errors of the file: staging
quarantines those rows with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    required: bool = True  # False: the column may be absent from the file (filled with nulls)


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    primary_key: str
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


C = Column

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
                C("lead_id", "string", "Source-system id of the lead record."),
                C("email", "string", "Email address as entered."),
                C("first_name", "string", "First name.", required=False),
                C("last_name", "string", "Last name.", required=False),
                C("title", "string", "Job title as entered."),
                C("account_id", "string", "Account (company) the lead belongs to; may be null."),
                C("company_name", "string", "Company name as entered on the form."),
                C("country", "string", "ISO-3166 alpha-2 country of the person.", required=False),
                C(
                    "lead_source",
                    "string",
                    "How the record was created: web_form, trial_signup, webinar, paid_search, "
                    "paid_social, content_syndication, list_import, outbound_prospecting, referral, event.",
                ),
                C("channel", "string", "Marketing channel: organic, paid, outbound, partner, event."),
                C("motion", "string", "inbound or outbound."),
                C("campaign_id", "string", "Campaign that created the record; may be null."),
                C("created_at", "timestamp", "When the record was created (UTC)."),
                C("has_marketing_consent", "boolean", "Consent to marketing communication."),
                C("owner_rep_id", "string", "Rep the CRM assigned the lead to (routing).", required=False),
                C("owner_assigned_at", "timestamp", "When the CRM assigned the owner (UTC).", required=False),
            ),
        ),
        Table(
            "accounts",
            "One row per account (company) with firmographics.",
            "account_id",
            (
                C("account_id", "string", "Source-system id of the account."),
                C("domain", "string", "Web domain, e.g. acme.com."),
                C("account_name", "string", "Company name."),
                C("industry", "string", "Industry label, e.g. software, financial_services."),
                C("employee_count", "integer", "Number of employees."),
                C("annual_revenue", "decimal", "Annual revenue in USD.", required=False),
                C("country", "string", "ISO-3166 alpha-2 headquarters country."),
                C("region", "string", "Sales region: north_america, emea, apac, latam."),
                C("tech_stack", "string", "Technologies in use, separated by ';'.", required=False),
            ),
        ),
        Table(
            "marketing_events",
            "One row per tracked marketing or product interaction of a lead.",
            "event_id",
            (
                C("event_id", "string", "Source-system id of the event."),
                C("lead_id", "string", "Lead the event belongs to (a leads.lead_id)."),
                C(
                    "event_type",
                    "string",
                    "page_view, form_submit, content_download, webinar_registered, webinar_attended, "
                    "email_open, email_click, email_reply, demo_request, product_signup, product_usage.",
                ),
                C("page_url", "string", "URL path for page views, e.g. /pricing.", required=False),
                C("asset_name", "string", "Content asset, email or webinar name.", required=False),
                C("campaign_id", "string", "Campaign the interaction belongs to.", required=False),
                C("occurred_at", "timestamp", "When it happened (UTC)."),
            ),
        ),
        Table(
            "sales_activities",
            "One row per SDR/AE activity on a lead: touches, accept/reject decisions with "
            "reason codes, and discovery checklist answers (one row per answered item).",
            "activity_id",
            (
                C("activity_id", "string", "Source-system id of the activity."),
                C("lead_id", "string", "Lead the activity is about."),
                C("rep_id", "string", "Rep who did it."),
                C(
                    "activity_type",
                    "string",
                    "call, email, meeting, accept, reject, disqualify, discovery_answer, next_step_scheduled.",
                ),
                C("reason_code", "string", "Reason code for reject/disqualify.", required=False),
                C("note", "string", "Free-text note.", required=False),
                C(
                    "checklist_item",
                    "string",
                    "For discovery_answer: budget, authority, need, timeline, challenges, money, "
                    "prioritization, metrics, economic_buyer, decision_criteria, decision_process, "
                    "identify_pain, champion.",
                    required=False,
                ),
                C("is_confirmed", "boolean", "For discovery_answer: the item is confirmed.", required=False),
                C("occurred_at", "timestamp", "When it happened (UTC)."),
            ),
        ),
        Table(
            "opportunities",
            "One row per sales opportunity created from a lead.",
            "opportunity_id",
            (
                C("opportunity_id", "string", "Source-system id of the opportunity."),
                C("lead_id", "string", "Lead the opportunity was converted from."),
                C("account_id", "string", "Account of the opportunity.", required=False),
                C("owner_rep_id", "string", "AE who owns it."),
                C("created_at", "timestamp", "When it was created (UTC)."),
                C("stage", "string", "discovery, proposal, negotiation, closed_won, closed_lost."),
                C("amount", "decimal", "Annual contract value in USD."),
                C("close_date", "date", "Expected or actual close date."),
                C("closed_at", "timestamp", "When it was closed; null while open.", required=False),
                C("lost_reason", "string", "Reason code when closed_lost.", required=False),
            ),
        ),
        Table(
            "reps",
            "Sales reps (SDRs, AEs, managers).",
            "rep_id",
            (
                C("rep_id", "string", "Rep id."),
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
                C("team_id", "string", "Team id."),
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
                C("territory_id", "string", "Territory id."),
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
                C("campaign_id", "string", "Campaign id."),
                C("campaign_name", "string", "Name."),
                C("lead_source", "string", "Lead source the campaign feeds."),
                C("channel", "string", "Channel."),
                C("started_at", "timestamp", "Start."),
                C("ended_at", "timestamp", "End; null while running.", required=False),
            ),
        ),
        Table(
            "marketing_spend",
            "Marketing spend per month and lead source (for CAC and payback).",
            "spend_id",
            (
                C("spend_id", "string", "Row id."),
                C("spend_month", "date", "First day of the month."),
                C("lead_source", "string", "Lead source the money was spent on."),
                C("channel", "string", "Channel."),
                C("amount", "decimal", "Spend in USD."),
            ),
        ),
        Table(
            "sales_targets",
            "Monthly targets per team (for pipeline coverage).",
            "target_id",
            (
                C("target_id", "string", "Row id."),
                C("target_month", "date", "First day of the month."),
                C("team_id", "string", "Team."),
                C("bookings_target", "decimal", "Closed-won ACV target in USD."),
                C("pipeline_target", "decimal", "New pipeline target in USD."),
            ),
        ),
    )
}
