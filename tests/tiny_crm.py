"""A tiny hand-made CRM export whose every score and stage is computed by hand in the tests.

Jane (two records, merged) is an ICP-perfect lead who converts and wins; Bob is a free-mail
student; Carl is rejected for timing and recycled; broken rows exercise the quarantine.
"""

from __future__ import annotations

from datetime import datetime as dt

AS_OF = "2026-11-01 00:00:00"


def tiny_crm_rows() -> dict[str, list[dict]]:
    return {
        "territories": [
            {"territory_id": "na_east", "territory_name": "NA East", "region": "north_america", "time_zone": "America/New_York"}
        ],
        "teams": [{"team_id": "t1", "team_name": "NA East MM", "territory_id": "na_east", "segment": "mid_market"}],
        "reps": [
            {"rep_id": "r1", "rep_name": "Sam SDR", "role": "sdr", "team_id": "t1", "is_active": True},
            {"rep_id": "r2", "rep_name": "Ann AE", "role": "ae", "team_id": "t1", "is_active": True},
        ],
        "accounts": [
            {"account_id": "a1", "domain": "acme.com", "account_name": "Acme", "industry": "software", "employee_count": 500,
             "annual_revenue": 5e7, "country": "US", "region": "north_america", "tech_stack": "Salesforce; Slack"},
            {"account_id": "a2", "domain": "tiny.io", "account_name": "Tiny", "industry": "agriculture",
             "employee_count": 12, "country": "BR", "region": "latam"},
            {"account_id": "a3", "domain": "globex.com", "account_name": "Globex", "industry": "manufacturing",
             "employee_count": "3,000", "country": "DE", "region": "emea"},
            {"account_id": "a4", "domain": "bad.com", "account_name": "Bad", "employee_count": "lots", "region": "emea"},
        ],
        "leads": [
            {"lead_id": "L1", "email": " Jane.Doe@Acme.com ", "first_name": "Jane", "last_name": "Doe",
             "title": "Director of Marketing", "account_id": "a1", "company_name": "Acme", "country": "US",
             "lead_source": "web_form", "channel": "organic", "motion": "inbound", "created_at": dt(2026, 9, 1, 10),
             "has_marketing_consent": True},
            {"lead_id": "L1b", "email": "jane.doe@acme.com", "title": "VP Marketing", "account_id": "a1",
             "company_name": "Acme", "country": "US", "lead_source": "Webinar", "channel": "event", "motion": "inbound",
             "created_at": dt(2026, 9, 20, 10), "has_marketing_consent": True},
            {"lead_id": "L2", "email": "bob@gmail.com", "title": "Student", "company_name": "Tiny", "country": "BR",
             "lead_source": "paid_search", "channel": "paid", "motion": "inbound", "created_at": dt(2026, 10, 1)},
            {"lead_id": "L4", "email": "carl@globex.com", "title": "Head of Sales Operations", "account_id": "a3",
             "company_name": "Globex", "country": "DE", "lead_source": "outbound_prospecting", "channel": "outbound",
             "motion": "outbound", "created_at": "2026-06-01T08:00:00+02:00"},
            {"lead_id": "L3", "email": "not-an-email", "title": "x", "company_name": "y", "lead_source": "web_form",
             "channel": "organic", "motion": "inbound", "created_at": dt(2026, 10, 1)},
            {"lead_id": None, "email": "a@b.com", "lead_source": "web_form", "channel": "organic", "motion": "inbound",
             "created_at": dt(2026, 10, 1)},
            {"lead_id": "L5", "email": "eve@future.com", "lead_source": "web_form", "channel": "organic",
             "motion": "inbound", "created_at": dt(2027, 1, 1)},
            {"lead_id": "L6", "email": "tom@x.com", "lead_source": "telepathy", "channel": "organic",
             "motion": "inbound", "created_at": dt(2026, 10, 1)},
            {"lead_id": "L7", "email": "ann@y.com", "lead_source": "web_form", "channel": "organic",
             "motion": "inbound", "created_at": "31/02/2026"},
            {"lead_id": "L2", "email": "bob@gmail.com", "lead_source": "paid_search", "channel": "paid",
             "motion": "inbound", "created_at": dt(2026, 10, 1)},
        ],
        "marketing_events": [
            {"event_id": "e1", "lead_id": "L1", "event_type": "page_view", "page_url": "/pricing", "occurred_at": dt(2026, 9, 2, 9)},
            {"event_id": "e2", "lead_id": "L1", "event_type": "page_view", "page_url": "/Pricing/enterprise", "occurred_at": dt(2026, 9, 2, 10)},
            {"event_id": "e3", "lead_id": "L1b", "event_type": "content_download", "asset_name": "Case-Study-Acme.pdf",
             "occurred_at": dt(2026, 9, 3, 9)},
            {"event_id": "e4", "lead_id": "L1", "event_type": "Demo Request", "occurred_at": dt(2026, 9, 4, 9)},
            {"event_id": "e5", "lead_id": "L9", "event_type": "demo_request", "occurred_at": dt(2026, 9, 4, 9)},
            {"event_id": "e6", "lead_id": "L2", "event_type": "hologram", "occurred_at": dt(2026, 9, 4, 9)},
            {"event_id": "e7", "lead_id": "L4", "event_type": "email_reply", "occurred_at": dt(2026, 6, 2, 9)},
            {"event_id": "e8", "lead_id": "L4", "event_type": "page_view", "page_url": "/blog/x", "occurred_at": dt(2026, 6, 2, 10)},
            {"event_id": "e8", "lead_id": "L4", "event_type": "page_view", "page_url": "/blog/x", "occurred_at": dt(2026, 6, 2, 10)},
            {"event_id": "e9", "lead_id": "L3", "event_type": "page_view", "page_url": "/", "occurred_at": dt(2026, 10, 2)},
            {"event_id": "e10", "lead_id": "L1", "event_type": "page_view", "page_url": "/", "occurred_at": dt(2026, 12, 2)},
        ],
        "sales_activities": [
            {"activity_id": "s1", "lead_id": "L1", "rep_id": "r1", "activity_type": "accept", "occurred_at": dt(2026, 9, 5, 9)},
            *[
                {"activity_id": f"d{i}", "lead_id": "L1", "rep_id": "r1", "activity_type": "discovery_answer",
                 "checklist_item": item, "is_confirmed": True, "occurred_at": dt(2026, 9, 8, 9 + i)}
                for i, item in enumerate(["challenges", "authority", "money", "prioritization"])
            ],
            {"activity_id": "s2", "lead_id": "L4", "rep_id": "r1", "activity_type": "accept", "occurred_at": dt(2026, 6, 3, 9)},
            {"activity_id": "s3", "lead_id": "L4", "rep_id": "r1", "activity_type": "reject", "reason_code": "timing",
             "note": "next budget cycle", "occurred_at": dt(2026, 6, 10, 9)},
            {"activity_id": "s4", "lead_id": "L4", "rep_id": "r1", "activity_type": "reject", "occurred_at": dt(2026, 6, 10, 9)},
        ],
        "opportunities": [
            {"opportunity_id": "o1", "lead_id": "L1", "owner_rep_id": "r2", "created_at": dt(2026, 9, 10), "stage": "closed_won",
             "amount": 42000, "close_date": "2026-10-15", "closed_at": dt(2026, 10, 15)}
        ],
    }
