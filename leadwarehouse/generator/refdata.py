"""Reads the reference seeds the generator must agree with (enums, reason codes, checklists, calendar)."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from . import catalog

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@dataclass
class RefData:
    seeds_dir: Path
    accepted: dict[tuple[str, str], tuple[str, ...]]
    reason_codes: dict[str, dict[str, str]]
    checklists: dict[str, tuple[str, ...]]  # framework -> required checklist items (seed order)
    segments: list[tuple[str, int, int | None, str]]  # (segment, min, max, framework)
    email_domains: dict[str, tuple[str, ...]]  # email_type -> literal domains (patterns without %)
    holidays: dict[str, set[dt.date]] = field(default_factory=dict)

    def values(self, table: str, column: str) -> tuple[str, ...]:
        return self.accepted[(table, column)]

    def framework(self, segment: str) -> str:
        for seg, _lo, _hi, fw in self.segments:
            if seg == segment:
                return fw
        return self.segments[0][3]

    def reasons(self, disposition: str) -> tuple[str, ...]:
        return tuple(c for c, r in self.reason_codes.items() if r["disposition"] == disposition)


def load_refdata(seeds_dir: Path | None = None) -> RefData:
    seeds = Path(seeds_dir) if seeds_dir else SEEDS_DIR
    accepted: dict[tuple[str, str], list[str]] = {}
    # the canonical picklist values; 'other' and 'unknown' are what staging maps unlisted or
    # empty values to, never values a CRM delivers
    for r in read_csv(seeds / "reference" / "canonical_values.csv"):
        if r["canonical_value"] not in ("other", "unknown"):
            accepted.setdefault((r["source_table"], r["column_name"]), []).append(r["canonical_value"])
    reason_codes = {r["reason_code"]: r for r in read_csv(seeds / "reference" / "reason_codes.csv")}
    checklists: dict[str, list[str]] = {}
    for r in read_csv(seeds / "reference" / "qualification_checklists.csv"):
        if r["is_required"].strip().lower() == "true":
            checklists.setdefault(r["framework"], []).append(r["checklist_item"])
    segments = [
        (
            r["segment"],
            int(r["min_employees"]),
            int(r["max_employees"]) if r["max_employees"] else None,
            r["qualification_framework"],
        )
        for r in read_csv(seeds / "reference" / "segments.csv")
    ]
    email_domains: dict[str, list[str]] = {}
    for r in read_csv(seeds / "enrichment" / "email_domain_rules.csv"):
        if "%" not in r["domain_pattern"] and "_" not in r["domain_pattern"]:
            email_domains.setdefault(r["email_type"], []).append(r["domain_pattern"])
    holidays: dict[str, set[dt.date]] = {}
    hol_path = seeds / "calendar" / "holidays.csv"
    if hol_path.exists():
        for r in read_csv(hol_path):
            holidays.setdefault(r["territory_id"], set()).add(dt.date.fromisoformat(r["holiday_date"]))
    ref = RefData(
        seeds_dir=seeds,
        accepted={k: tuple(v) for k, v in accepted.items()},
        reason_codes=reason_codes,
        checklists={k: tuple(v) for k, v in checklists.items()},
        segments=segments,
        email_domains={k: tuple(v) for k, v in email_domains.items()},
        holidays=holidays,
    )
    _check_catalog(ref)
    return ref


def _check_catalog(ref: RefData) -> None:
    """The simulation parameters may only use canonical enum values of the seeds."""
    problems = []
    if not set(catalog.LEAD_SOURCES) <= set(ref.values("leads", "lead_source")):
        problems.append("lead_source")
    channels = {c for s in catalog.LEAD_SOURCES.values() for c in s["channels"]}
    if not channels <= set(ref.values("leads", "channel")):
        problems.append("channel")
    if {s["motion"] for s in catalog.LEAD_SOURCES.values()} - set(ref.values("leads", "motion")):
        problems.append("motion")
    if not set(catalog.REGION_WEIGHTS) <= set(ref.values("accounts", "region")):
        problems.append("region")
    if not set(catalog.SEGMENTS) <= set(ref.values("teams", "segment")):
        problems.append("segment")
    for seg in catalog.SEGMENTS:
        if ref.framework(seg) not in ref.checklists:
            problems.append(f"framework of {seg}")
    if problems:
        raise ValueError(f"generator catalog out of sync with seeds in {ref.seeds_dir}: {problems}")
