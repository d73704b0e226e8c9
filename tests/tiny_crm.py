"""A tiny hand-made CRM export whose every score and stage is computed by hand in the tests.

Jane (two records, merged) is an ICP-perfect lead who converts and wins; Bob is a free-mail
student; Carl is rejected for timing, recycled, and re-qualifies on three nurture email opens;
broken rows exercise the quarantine. The SLA leads (S1–S5) become MQLs at chosen instants to
put the SLA clocks on a weekend + holiday, across a daylight-saving change, overnight, in
another time zone, and on the faster hot-lead SLA; S3 reaches SQL without the SAL handshake.
"""

from __future__ import annotations

from datetime import datetime as dt
from datetime import timedelta

AS_OF = "2026-11-01 00:00:00"


# (lead, email, territory rep, created, MQL event type, MQL instant, minutes to assignment, first call)
SLA_LEADS = [
    (
        "S1",
        "wendy@acme.com",
        "r1",
        dt(2026, 10, 7, 12),
        "pricing",
        dt(2026, 10, 9, 20),
        3,
        dt(2026, 10, 13, 14),
    ),
    ("S2", "dan@acme.com", "r1", dt(2026, 3, 4, 12), "pricing", dt(2026, 3, 6, 21), 10, dt(2026, 3, 9, 14)),
    (
        "S3",
        "olga@acme.com",
        "r1",
        dt(2026, 10, 11, 12),
        "pricing",
        dt(2026, 10, 13, 23, 30),
        3,
        dt(2026, 10, 14, 13, 30),
    ),
    (
        "S4",
        "emil@hoffmann.de",
        "r3",
        dt(2026, 10, 12, 12),
        "pricing",
        dt(2026, 10, 14, 6),
        3,
        dt(2026, 10, 14, 8),
    ),
    (
        "S5",
        "hana@acme.com",
        "r1",
        dt(2026, 10, 13, 12),
        "demo",
        dt(2026, 10, 15, 14),
        3,
        dt(2026, 10, 15, 17, 30),
    ),
]


def _sla_rows() -> dict[str, list[dict]]:
    leads, events, activities = [], [], []
    for lead_id, email, rep, created, kind, mql_at, assign_minutes, call_at in SLA_LEADS:
        german = email.endswith(".de")
        leads.append(
            {
                "lead_id": lead_id,
                "email": email,
                "title": "Director of Marketing",
                "account_id": "a5" if german else "a1",
                "company_name": "Hoffmann" if german else "Acme",
                "country": "DE" if german else "US",
                "lead_source": "web_form",
                "channel": "organic",
                "motion": "inbound",
                "created_at": created,
                "owner_rep_id": rep,
                "owner_assigned_at": mql_at + timedelta(minutes=assign_minutes),
            }
        )
        if kind == "pricing":  # fit 55 + 15 = 70: MQL band
            events.append(
                {
                    "event_id": f"{lead_id}-e",
                    "lead_id": lead_id,
                    "event_type": "page_view",
                    "page_url": "/pricing",
                    "occurred_at": mql_at,
                }
            )
        else:  # fit 55 + 25 = 80: hot
            events.append(
                {
                    "event_id": f"{lead_id}-e",
                    "lead_id": lead_id,
                    "event_type": "demo_request",
                    "occurred_at": mql_at,
                }
            )
        activities.append(
            {
                "activity_id": f"{lead_id}-call",
                "lead_id": lead_id,
                "rep_id": rep,
                "activity_type": "call",
                "occurred_at": call_at,
            }
        )
    # S3 completes CHAMP discovery without ever being accepted: MQL → SQL directly
    activities += [
        {
            "activity_id": f"S3-d{i}",
            "lead_id": "S3",
            "rep_id": "r1",
            "activity_type": "discovery_answer",
            "checklist_item": item,
            "is_confirmed": True,
            "occurred_at": dt(2026, 10, 20, 15),
        }
        for i, item in enumerate(["challenges", "authority", "money", "prioritization"])
    ]
    # three nurture email opens within 10 days re-qualify recycled Carl (opens score nothing)
    events += [
        {
            "event_id": f"o{day}",
            "lead_id": "L4",
            "event_type": "email_open",
            "asset_name": "nurture-3",
            "occurred_at": dt(2026, 9, day, 9),
        }
        for day in (15, 18, 22)
    ]
    return {
        "leads": leads,
        "marketing_events": events,
        "sales_activities": activities,
        "territories": [
            {"territory_id": "emea", "territory_name": "EMEA", "region": "emea", "time_zone": "Europe/Berlin"}
        ],
        "teams": [{"team_id": "t2", "team_name": "EMEA MM", "territory_id": "emea", "segment": "mid_market"}],
        "accounts": [
            {
                "account_id": "a5",
                "domain": "hoffmann.de",
                "account_name": "Hoffmann",
                "industry": "software",
                "employee_count": 800,
                "country": "DE",
                "region": "emea",
                "tech_stack": "HubSpot",
            }
        ],
    }


def tiny_crm_rows() -> dict[str, list[dict]]:
    rows = _base_rows()
    for table, extra in _sla_rows().items():
        rows[table] += extra
    return rows


def tiny_crm_with_a_new_lead() -> dict[str, list[dict]]:
    """The tiny CRM a delivery later: one more lead (L99, a copy of a gmail lead with its own
    email), so a rebuild has one lead more in marts.leads and the export."""
    rows = tiny_crm_rows()
    template = next(r for r in rows["leads"] if "gmail" in str(r.get("email")))
    rows["leads"].append({**template, "lead_id": "L99", "email": "dora.new@gmail.com"})
    return rows


def _base_rows() -> dict[str, list[dict]]:
    return {
        "territories": [
            {
                "territory_id": "na_east",
                "territory_name": "NA East",
                "region": "north_america",
                "time_zone": "America/New_York",
            }
        ],
        "teams": [
            {"team_id": "t1", "team_name": "NA East MM", "territory_id": "na_east", "segment": "mid_market"}
        ],
        "reps": [
            {"rep_id": "r1", "rep_name": "Sam SDR", "role": "sdr", "team_id": "t1", "is_active": True},
            {"rep_id": "r2", "rep_name": "Ann AE", "role": "ae", "team_id": "t1", "is_active": True},
            {"rep_id": "r3", "rep_name": "Lena SDR", "role": "sdr", "team_id": "t2", "is_active": True},
        ],
        "accounts": [
            {
                "account_id": "a1",
                "domain": "acme.com",
                "account_name": "Acme",
                "industry": "software",
                "employee_count": 500,
                "annual_revenue": 5e7,
                "country": "US",
                "region": "north_america",
                "tech_stack": "Salesforce; Slack",
            },
            {
                "account_id": "a2",
                "domain": "tiny.io",
                "account_name": "Tiny",
                "industry": "agriculture",
                "employee_count": 12,
                "country": "BR",
                "region": "latam",
            },
            {
                "account_id": "a3",
                "domain": "globex.com",
                "account_name": "Globex",
                "industry": "manufacturing",
                "employee_count": "3,000",
                "country": "DE",
                "region": "emea",
            },
            {
                "account_id": "a4",
                "domain": "bad.com",
                "account_name": "Bad",
                "employee_count": "lots",
                "region": "emea",
            },
        ],
        "leads": [
            {
                "lead_id": "L1",
                "email": " Jane.Doe@Acme.com ",
                "first_name": "Jane",
                "last_name": "Doe",
                "title": "Director of Marketing",
                "account_id": "a1",
                "company_name": "Acme",
                "country": "US",
                "lead_source": "web_form",
                "channel": "organic",
                "motion": "inbound",
                "created_at": dt(2026, 9, 1, 10),
                "has_marketing_consent": True,
            },
            {
                "lead_id": "L1b",
                "email": "jane.doe@acme.com",
                "title": "VP Marketing",
                "account_id": "a1",
                "company_name": "Acme",
                "country": "US",
                "lead_source": "Webinar",
                "channel": "event",
                "motion": "inbound",
                "created_at": dt(2026, 9, 20, 10),
                "has_marketing_consent": True,
            },
            {
                "lead_id": "L2",
                "email": "bob@gmail.com",
                "title": "Student",
                "company_name": "Tiny",
                "country": "BR",
                "lead_source": "paid_search",
                "channel": "paid",
                "motion": "inbound",
                "created_at": dt(2026, 10, 1),
                # the CRM's latest version of L2: it wins over the older copy below
                "updated_at": dt(2026, 10, 2),
            },
            {
                "lead_id": "L4",
                "email": "carl@globex.com",
                "title": "Head of Sales Operations",
                "account_id": "a3",
                "company_name": "Globex",
                "country": "DE",
                "lead_source": "outbound_prospecting",
                "channel": "outbound",
                "motion": "outbound",
                "created_at": "2026-06-01T08:00:00+02:00",
            },
            {
                "lead_id": "L3",
                "email": "not-an-email",
                "title": "x",
                "company_name": "y",
                "lead_source": "web_form",
                "channel": "organic",
                "motion": "inbound",
                "created_at": dt(2026, 10, 1),
            },
            {
                "lead_id": None,
                "email": "a@b.com",
                "lead_source": "web_form",
                "channel": "organic",
                "motion": "inbound",
                "created_at": dt(2026, 10, 1),
            },
            {
                "lead_id": "L5",
                "email": "eve@future.com",
                "lead_source": "web_form",
                "channel": "organic",
                "motion": "inbound",
                "created_at": dt(2027, 1, 1),
            },
            {
                "lead_id": "L6",
                "email": "tom@x.com",
                "lead_source": "telepathy",
                "channel": "organic",
                "motion": "inbound",
                "created_at": dt(2026, 10, 1),
            },
            {
                "lead_id": "L7",
                "email": "ann@y.com",
                "lead_source": "web_form",
                "channel": "organic",
                "motion": "inbound",
                "created_at": "31/02/2026",
            },
            {
                "lead_id": "L2",
                "email": "bob@gmail.com",
                "lead_source": "paid_search",
                "channel": "paid",
                "motion": "inbound",
                "created_at": dt(2026, 10, 1),
                "updated_at": dt(2026, 10, 1, 12),
            },
        ],
        "marketing_events": [
            {
                "event_id": "e1",
                "lead_id": "L1",
                "event_type": "page_view",
                "page_url": "/pricing",
                "occurred_at": dt(2026, 9, 2, 9),
            },
            {
                "event_id": "e2",
                "lead_id": "L1",
                "event_type": "page_view",
                "page_url": "/Pricing/enterprise",
                "occurred_at": dt(2026, 9, 2, 10),
            },
            {
                "event_id": "e3",
                "lead_id": "L1b",
                "event_type": "content_download",
                "asset_name": "Case-Study-Acme.pdf",
                "occurred_at": dt(2026, 9, 3, 9),
            },
            {
                "event_id": "e4",
                "lead_id": "L1",
                "event_type": "Demo Request",
                "occurred_at": dt(2026, 9, 4, 9),
            },
            {
                "event_id": "e5",
                "lead_id": "L9",
                "event_type": "demo_request",
                "occurred_at": dt(2026, 9, 4, 9),
            },
            {"event_id": "e6", "lead_id": "L2", "event_type": "hologram", "occurred_at": dt(2026, 9, 4, 9)},
            {
                "event_id": "e7",
                "lead_id": "L4",
                "event_type": "email_reply",
                "occurred_at": dt(2026, 6, 2, 9),
            },
            {
                "event_id": "e8",
                "lead_id": "L4",
                "event_type": "page_view",
                "page_url": "/blog/x",
                "occurred_at": dt(2026, 6, 2, 10),
            },
            {
                "event_id": "e8",
                "lead_id": "L4",
                "event_type": "page_view",
                "page_url": "/blog/x",
                "occurred_at": dt(2026, 6, 2, 10),
            },
            {
                "event_id": "e9",
                "lead_id": "L3",
                "event_type": "page_view",
                "page_url": "/",
                "occurred_at": dt(2026, 10, 2),
            },
            {
                "event_id": "e10",
                "lead_id": "L1",
                "event_type": "page_view",
                "page_url": "/",
                "occurred_at": dt(2026, 12, 2),
            },
        ],
        "sales_activities": [
            {
                "activity_id": "s1",
                "lead_id": "L1",
                "rep_id": "r1",
                "activity_type": "accept",
                "occurred_at": dt(2026, 9, 5, 9),
            },
            *[
                {
                    "activity_id": f"d{i}",
                    "lead_id": "L1",
                    "rep_id": "r1",
                    "activity_type": "discovery_answer",
                    "checklist_item": item,
                    "is_confirmed": True,
                    "occurred_at": dt(2026, 9, 8, 9 + i),
                }
                for i, item in enumerate(["challenges", "authority", "money", "prioritization"])
            ],
            {
                "activity_id": "s2",
                "lead_id": "L4",
                "rep_id": "r1",
                "activity_type": "accept",
                "occurred_at": dt(2026, 6, 3, 9),
            },
            {
                "activity_id": "s3",
                "lead_id": "L4",
                "rep_id": "r1",
                "activity_type": "reject",
                "reason_code": "timing",
                "note": "next budget cycle",
                "occurred_at": dt(2026, 6, 10, 9),
            },
            {
                "activity_id": "s4",
                "lead_id": "L4",
                "rep_id": "r1",
                "activity_type": "reject",
                "occurred_at": dt(2026, 6, 10, 9),
            },
        ],
        "opportunities": [
            {
                "opportunity_id": "o1",
                "lead_id": "L1",
                "owner_rep_id": "r2",
                "created_at": dt(2026, 9, 10),
                "stage": "closed_won",
                "amount": 42000,
                "close_date": "2026-10-15",
                "closed_at": dt(2026, 10, 15),
            }
        ],
    }
