"""A hand-made export shaped like a real one: leads the CRM had already marked MQL, with won deals.

Twelve leads with only an id, a first-contact date (created_at) and a lead source in the CRM's
own spelling; one lifecycle record of stage MQL per lead (in three spellings), plus a `subscriber`
record (the CRM's "lead" stage, which makes no trigger); six won deals with only a stage and a
close instant (no amount, no created_at). No emails, events or activities: every lead scores 0.

L08's deal was won on Apr 20, twelve days before its lead's first contact (May 2): an
out-of-order fact. Every figure the tests assert is computed by hand in tests/test_crm_marked_export.py.
"""

from __future__ import annotations

from datetime import datetime as dt

AS_OF = "2026-11-01 00:00:00"

# (lead id, lead source as the CRM spells it, created_at, CRM MQL instant, MQL spelling)
LEADS = [
    ("L01", "Organic Search", dt(2026, 3, 2, 9), dt(2026, 3, 3, 9), "MQL"),
    ("L02", "organic search", dt(2026, 3, 5, 14), dt(2026, 3, 5, 14), "marketingqualifiedlead"),
    ("L03", "Organic Search", dt(2026, 3, 20, 10), dt(2026, 3, 27, 10), "MQL"),
    ("L04", "Organic Search", dt(2026, 4, 1, 8), dt(2026, 4, 2, 20), "Marketing Qualified Lead"),
    ("L05", "direct_traffic", dt(2026, 3, 10, 12), dt(2026, 3, 12, 12), "MQL"),
    ("L06", "Direct Traffic", dt(2026, 4, 15, 16), dt(2026, 4, 16, 16), "mql"),
    ("L07", "email", dt(2026, 3, 12, 9, 30), dt(2026, 3, 15, 9, 30), "MQL"),
    ("L08", "Email", dt(2026, 5, 2, 11), dt(2026, 5, 2, 11), "MQL"),
    ("L09", "email", dt(2026, 5, 20, 13), dt(2026, 5, 24, 13), "marketingqualifiedlead"),
    ("L10", "unknown", dt(2026, 6, 1, 10), dt(2026, 6, 6, 10), "MQL"),
    ("L11", "", dt(2026, 6, 3, 15), dt(2026, 6, 4, 15), "MQL"),
    ("L12", None, dt(2026, 6, 10, 9), dt(2026, 6, 12, 9), "MQL"),
]

# lead source after the picklist mapping (seeds/reference/picklist_mappings.csv)
CANONICAL_SOURCE = {
    "L01": "organic_search",
    "L02": "organic_search",
    "L03": "organic_search",
    "L04": "organic_search",
    "L05": "direct_traffic",
    "L06": "direct_traffic",
    "L07": "email_marketing",
    "L08": "email_marketing",
    "L09": "email_marketing",
    "L10": "unknown",
    "L11": "unknown",
    "L12": "unknown",
}

# won deals: (opportunity id, lead id, closed_at); L08's is won before its lead was created
WON_DEALS = [
    ("O01", "L01", dt(2026, 4, 1, 9)),  # 30 days after first contact
    ("O02", "L02", dt(2026, 3, 25, 14)),  # 20 days
    ("O05", "L05", dt(2026, 5, 9, 12)),  # 60 days
    ("O07", "L07", dt(2026, 4, 21, 9, 30)),  # 40 days
    ("O08", "L08", dt(2026, 4, 20, 11)),  # 12 days BEFORE first contact (May 2)
    ("O10", "L10", dt(2026, 7, 16, 10)),  # 45 days
]


def crm_marked_export_rows() -> dict[str, list[dict]]:
    leads = [
        {"lead_id": lead_id, "lead_source": source, "created_at": created}
        for lead_id, source, created, _, _ in LEADS
    ]
    lifecycle_events = [
        {
            "lifecycle_event_id": f"LE-{lead_id}",
            "lead_id": lead_id,
            "stage": spelling,
            "occurred_at": mql_at,
            "source_system": "HubSpot",
        }
        for lead_id, _, _, mql_at, spelling in LEADS
    ]
    # the CRM's "lead" stage: capture / triage, which every lead gets at creation anyway
    lifecycle_events.append(
        {
            "lifecycle_event_id": "LE-L01-subscriber",
            "lead_id": "L01",
            "stage": "subscriber",
            "occurred_at": dt(2026, 3, 2, 9),
            "source_system": "HubSpot",
        }
    )
    opportunities = [
        {"opportunity_id": opp_id, "lead_id": lead_id, "stage": "Closed Won", "closed_at": closed_at}
        for opp_id, lead_id, closed_at in WON_DEALS
    ]
    return {"leads": leads, "lifecycle_events": lifecycle_events, "opportunities": opportunities}
