"""An independent Python reference implementation ("oracle") of the lead scoring spec.

`docs/scoring.md` is the specification; this module restates it in plain Python (standard
library only) so that property tests can compare the dbt models against it on random event
streams. It is deliberately written without looking at the SQL: where the two disagree, the
spec decides which one is wrong.

Usage::

    rules = load_rules("seeds")
    score = score_lead(lead, events, rules, as_of="2026-11-01 00:00:00")
    score.total_score, score.score_band, score.ledger, score.first_mql_crossing_at

All scores are kept unrounded (bands use the unrounded value, as the spec says); use
`round_score` for the 1-decimal reported value.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------

CHANGE_TYPE_ORDER = ("fit", "negative", "expiry", "intent", "velocity", "decay")


@lru_cache(maxsize=4096)
def _like_regex(pattern: str) -> re.Pattern[str]:
    parts = []
    for ch in pattern:
        if ch == "%":
            parts.append(".*")
        elif ch == "_":
            parts.append(".")
        else:
            parts.append(re.escape(ch))
    return re.compile("".join(parts), re.DOTALL)


def sql_like(value: str | None, pattern: str | None) -> bool:
    """SQL `value like pattern` (case-sensitive, `%` and `_` wildcards, no escape char)."""
    if value is None or pattern is None:
        return False
    return _like_regex(pattern).fullmatch(value) is not None


def parse_timestamp(value: datetime | str | None) -> datetime | None:
    """A naive UTC datetime from a datetime (aware ones are converted) or an ISO-8601 string."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def round_score(value: float | None) -> float | None:
    """The reported value: 1 decimal, half away from zero (what SQL `round(x, 1)` does)."""
    if value is None:
        return None
    return float(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _blank_to_none(value: str | None) -> str | None:
    return None if value is None or value.strip() == "" else value


def _is_present(value: object) -> bool:
    if value is None:
        return False
    return not (isinstance(value, str) and value.strip() == "")


def _num(value: str | None) -> float | None:
    return None if value is None else float(value)


def _bool(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "t", "1", "yes", "y")


# --------------------------------------------------------------------------------------
# Rules (the seeds)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoringModel:
    model_id: str
    model_name: str
    motion: str
    segment: str
    priority: float
    warm_threshold: float
    mql_threshold: float
    hot_threshold: float
    max_score: float
    lookback_days: float
    decay_period_days: float
    decay_rate: float
    velocity_window_days: float
    velocity_min_actions: int
    velocity_points: float
    icp_tier_a_min_pct: float
    icp_tier_b_min_pct: float
    intent_medium_min: float
    intent_high_min: float
    mandatory_fields: tuple[str, ...]

    @property
    def lookback(self) -> timedelta:
        return timedelta(days=self.lookback_days)

    @property
    def decay_period(self) -> timedelta:
        return timedelta(days=self.decay_period_days)

    @property
    def velocity_window(self) -> timedelta:
        return timedelta(days=self.velocity_window_days)


@dataclass(frozen=True)
class FitCondition:
    attribute: str
    operator: str  # in | not_in | between
    match_values: tuple[str, ...]
    min_value: str | None
    max_value: str | None


@dataclass(frozen=True)
class FitRule:
    model_id: str
    rule_id: str
    dimension: str  # fit | negative
    points: float
    icp_criterion: str | None
    label: str
    conditions: tuple[FitCondition, ...]


@dataclass(frozen=True)
class IntentRule:
    model_id: str
    signal: str
    points: float
    daily_cap: int
    is_high_intent: bool
    label: str


@dataclass(frozen=True)
class SignalMapping:
    priority: float
    event_type: str
    url_pattern: str | None
    asset_pattern: str | None
    signal: str


@dataclass(frozen=True)
class TitleRule:
    priority: float
    title_pattern: str
    value: str  # seniority or job_function
    buying_role: str | None = None


@dataclass(frozen=True)
class Segment:
    segment: str
    min_employees: float | None
    max_employees: float | None


@dataclass(frozen=True)
class Rules:
    models: tuple[ScoringModel, ...]
    fit_rules: tuple[FitRule, ...]
    intent_rules: tuple[IntentRule, ...]
    signal_map: tuple[SignalMapping, ...]
    email_domain_rules: tuple[tuple[str, str, float], ...]  # (domain_pattern, email_type, type_precedence)
    title_seniority_rules: tuple[TitleRule, ...]
    title_function_rules: tuple[TitleRule, ...]
    segments: tuple[Segment, ...]

    def model(self, model_id: str) -> ScoringModel:
        return next(m for m in self.models if m.model_id == model_id)

    def fit_rules_of(self, model_id: str) -> list[FitRule]:
        return [r for r in self.fit_rules if r.model_id == model_id]

    def intent_rule(self, model_id: str, signal: str) -> IntentRule | None:
        return next((r for r in self.intent_rules if r.model_id == model_id and r.signal == signal), None)


def _read_seed(seeds_dir: Path, name: str) -> list[dict[str, str | None]]:
    """Rows of `<name>.csv` anywhere under seeds_dir; empty cells become None."""
    matches = sorted(seeds_dir.rglob(f"{name}.csv"))
    if not matches:
        raise FileNotFoundError(f"seed {name}.csv not found under {seeds_dir}")
    with matches[0].open(newline="", encoding="utf-8") as fh:
        return [{k: _blank_to_none(v) for k, v in row.items()} for row in csv.DictReader(fh)]


def load_rules(seeds_dir: Path | str) -> Rules:
    """Load every scoring and reference seed the spec uses from a seeds directory."""
    seeds_dir = Path(seeds_dir)
    models = tuple(
        ScoringModel(
            model_id=r["model_id"],
            model_name=r["model_name"] or r["model_id"],
            motion=r["motion"] or "any",
            segment=r["segment"] or "any",
            priority=float(r["priority"]),
            warm_threshold=float(r["warm_threshold"]),
            mql_threshold=float(r["mql_threshold"]),
            hot_threshold=float(r["hot_threshold"]),
            max_score=float(r["max_score"]),
            lookback_days=float(r["lookback_days"]),
            decay_period_days=float(r["decay_period_days"]),
            decay_rate=float(r["decay_rate"]),
            velocity_window_days=float(r["velocity_window_days"]),
            velocity_min_actions=int(float(r["velocity_min_actions"])),
            velocity_points=float(r["velocity_points"]),
            icp_tier_a_min_pct=float(r["icp_tier_a_min_pct"]),
            icp_tier_b_min_pct=float(r["icp_tier_b_min_pct"]),
            intent_medium_min=float(r["intent_medium_min"]),
            intent_high_min=float(r["intent_high_min"]),
            mandatory_fields=tuple(f.strip() for f in (r["mandatory_fields"] or "").split("|") if f.strip()),
        )
        for r in _read_seed(seeds_dir, "scoring_models")
    )
    conditions: dict[tuple[str, str], list[FitCondition]] = {}
    for r in _read_seed(seeds_dir, "scoring_fit_conditions"):
        conditions.setdefault((r["model_id"], r["rule_id"]), []).append(
            FitCondition(
                attribute=r["attribute"],
                operator=r["operator"],
                match_values=tuple(v for v in (r["match_values"] or "").split("|") if v != ""),
                min_value=r["min_value"],
                max_value=r["max_value"],
            )
        )
    fit_rules = tuple(
        FitRule(
            model_id=r["model_id"],
            rule_id=r["rule_id"],
            dimension=r["dimension"],
            points=float(r["points"]),
            icp_criterion=r["icp_criterion"],
            label=r["label"] or r["rule_id"],
            conditions=tuple(conditions.get((r["model_id"], r["rule_id"]), ())),
        )
        for r in _read_seed(seeds_dir, "scoring_fit_rules")
    )
    intent_rules = tuple(
        IntentRule(
            model_id=r["model_id"],
            signal=r["signal"],
            points=float(r["points"]),
            daily_cap=int(float(r["daily_cap"])),
            is_high_intent=_bool(r["is_high_intent"]),
            label=r["label"] or r["signal"],
        )
        for r in _read_seed(seeds_dir, "scoring_intent_rules")
    )
    signal_map = tuple(
        SignalMapping(
            float(r["priority"]), r["event_type"], r["url_pattern"], r["asset_pattern"], r["signal"]
        )
        for r in _read_seed(seeds_dir, "signal_map")
    )
    email_rules = tuple(
        (r["domain_pattern"], r["email_type"], float(r["type_precedence"]))
        for r in _read_seed(seeds_dir, "email_domain_rules")
    )
    seniority = tuple(
        TitleRule(float(r["priority"]), r["title_pattern"], r["seniority"], r["buying_role"])
        for r in _read_seed(seeds_dir, "title_seniority_rules")
    )
    functions = tuple(
        TitleRule(float(r["priority"]), r["title_pattern"], r["job_function"])
        for r in _read_seed(seeds_dir, "title_function_rules")
    )
    segments = tuple(
        Segment(r["segment"], _num(r["min_employees"]), _num(r["max_employees"]))
        for r in _read_seed(seeds_dir, "segments")
    )
    return Rules(models, fit_rules, intent_rules, signal_map, email_rules, seniority, functions, segments)


# --------------------------------------------------------------------------------------
# Inputs and derived attributes
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeadInput:
    """One person as identity resolution leaves it: lead record fields + its account's fields."""

    email: str | None
    created_at: datetime | str
    title: str | None = None
    company_name: str | None = None
    country: str | None = None
    motion: str | None = "inbound"
    lead_source: str | None = None
    channel: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    account_id: str | None = None
    employee_count: float | None = None
    annual_revenue: float | None = None
    industry: str | None = None
    region: str | None = None
    tech_stack: str | None = None
    account_country: str | None = None  # headquarters country: stands in for a missing person country

    @property
    def effective_country(self) -> str | None:
        return self.country if _is_present(self.country) else self.account_country


@dataclass(frozen=True)
class EventInput:
    event_id: str
    event_type: str
    occurred_at: datetime | str
    page_url: str | None = None
    asset_name: str | None = None


@dataclass(frozen=True)
class Attributes:
    """The scoring attributes of a lead (docs/scoring.md "Inputs of one lead")."""

    employee_count: float | None
    annual_revenue: float | None
    industry: str | None
    region: str | None
    country: str | None
    technologies: tuple[str, ...]
    seniority: str
    job_function: str
    buying_role: str
    email_domain: str | None
    email_type: str | None
    segment: str
    lead_source: str | None
    channel: str | None
    motion: str | None

    def values(self, attribute: str) -> list[object]:
        """The attribute's values: [] when null, several for `technology`."""
        if attribute == "technology":
            return list(self.technologies)
        value = getattr(self, attribute)
        return [] if value is None else [value]


def _norm_text(value: str | None) -> str | None:
    """Trim + lower-case a categorical value; empty becomes null (staging normalization)."""
    if value is None or value.strip() == "":
        return None
    return value.strip().lower()


def derive_title(title: str | None, rules: Rules) -> tuple[str, str, str]:
    """(seniority, job_function, buying_role) from the title; null title: all 'unknown'."""
    if title is None:
        return "unknown", "unknown", "unknown"
    # words only: '% cto %' must match the word CTO, not "director"
    title_norm = " " + re.sub(r"[^a-z0-9]+", " ", title.lower()).strip() + " "
    sen = min(
        (r for r in rules.title_seniority_rules if sql_like(title_norm, r.title_pattern)),
        key=lambda r: r.priority,
        default=None,
    )
    fun = min(
        (r for r in rules.title_function_rules if sql_like(title_norm, r.title_pattern)),
        key=lambda r: r.priority,
        default=None,
    )
    # No matching row at all (a seed without a catch-all '%'): treat like an unknown title.
    return (
        sen.value if sen else "unknown",
        fun.value if fun else "unknown",
        (sen.buying_role or "unknown") if sen else "unknown",
    )


def derive_email(email: str | None, rules: Rules) -> tuple[str | None, str | None]:
    """(email_domain, email_type). An email without '@' has no domain and no type."""
    if email is None or "@" not in email:
        return None, None
    domain = email.strip().lower().rsplit("@", 1)[1]
    # Several rules may match one domain: the lowest type_precedence of the seed wins.
    matches = [
        (precedence, t) for pattern, t, precedence in rules.email_domain_rules if sql_like(domain, pattern)
    ]
    return domain, (min(matches)[1] if matches else "business")


def derive_segment(employee_count: float | None, rules: Rules) -> str:
    if employee_count is None:
        return "unknown"
    for seg in rules.segments:
        low_ok = seg.min_employees is None or seg.min_employees <= employee_count
        high_ok = seg.max_employees is None or employee_count <= seg.max_employees
        if low_ok and high_ok:
            return seg.segment
    return "unknown"


def split_tech_stack(tech_stack: str | None) -> tuple[str, ...]:
    if tech_stack is None:
        return ()
    items = (t.strip().lower() for t in tech_stack.split(";"))
    return tuple(sorted({t for t in items if t}))


def derive_attributes(lead: LeadInput, rules: Rules) -> Attributes:
    seniority, job_function, buying_role = derive_title(lead.title, rules)
    domain, email_type = derive_email(lead.email, rules)
    return Attributes(
        employee_count=lead.employee_count,
        annual_revenue=lead.annual_revenue,
        industry=_norm_text(lead.industry),
        region=_norm_text(lead.region),
        country=_norm_text(lead.effective_country),
        technologies=split_tech_stack(lead.tech_stack),
        seniority=seniority,
        job_function=job_function,
        buying_role=buying_role,
        email_domain=domain,
        email_type=email_type,
        segment=derive_segment(lead.employee_count, rules),
        lead_source=_norm_text(lead.lead_source),
        channel=_norm_text(lead.channel),
        motion=_norm_text(lead.motion),
    )


def signal_of(event: EventInput, rules: Rules) -> str | None:
    """The signal_map row with the lowest priority (then signal name) that fits the event."""
    url = (event.page_url or "").lower()
    asset = (event.asset_name or "").lower()
    candidates = [
        m
        for m in rules.signal_map
        if m.event_type == event.event_type
        and (m.url_pattern is None or sql_like(url, m.url_pattern))
        and (m.asset_pattern is None or sql_like(asset, m.asset_pattern))
    ]
    best = min(candidates, key=lambda m: (m.priority, m.signal), default=None)
    return best.signal if best else None


# --------------------------------------------------------------------------------------
# Model selection, fit and negative points
# --------------------------------------------------------------------------------------


def select_model(attrs: Attributes, rules: Rules) -> ScoringModel:
    candidates = [
        m for m in rules.models if m.motion in ("any", attrs.motion) and m.segment in ("any", attrs.segment)
    ]
    if not candidates:
        raise LookupError(f"no scoring model for motion={attrs.motion!r}, segment={attrs.segment!r}")
    return min(candidates, key=lambda m: (m.priority, m.model_id))


def _as_text(value: object) -> str:
    # An integral number compares as '200', not '200.0' (what a SQL cast to text gives).
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _within(value: object, low: str | None, high: str | None) -> bool:
    if isinstance(value, int | float):
        return (low is None or float(low) <= value) and (high is None or value <= float(high))
    text = str(value)
    return (low is None or low <= text) and (high is None or text <= high)


def condition_holds(cond: FitCondition, attrs: Attributes) -> bool:
    values = attrs.values(cond.attribute)
    if not values:  # a null attribute fails every condition, `not_in` included
        return False
    if cond.operator == "in":
        return any(_as_text(v) in cond.match_values for v in values)
    if cond.operator == "not_in":
        return all(_as_text(v) not in cond.match_values for v in values)
    if cond.operator == "between":
        return any(_within(v, cond.min_value, cond.max_value) for v in values)
    raise ValueError(f"unknown operator {cond.operator!r}")


def matched_fit_rules(model: ScoringModel, attrs: Attributes, rules: Rules) -> list[FitRule]:
    """Rules of the model whose conditions all hold; a rule without conditions never matches."""
    return [
        r
        for r in rules.fit_rules_of(model.model_id)
        if r.conditions and all(condition_holds(c, attrs) for c in r.conditions)
    ]


def icp_match_pct(model: ScoringModel, matched: list[FitRule], rules: Rules) -> float:
    all_criteria = {r.icp_criterion for r in rules.fit_rules_of(model.model_id) if r.icp_criterion}
    if not all_criteria:
        return 0.0
    hit = {r.icp_criterion for r in matched if r.dimension == "fit" and r.icp_criterion}
    return 100.0 * len(hit) / len(all_criteria)


def fit_tier(model: ScoringModel, pct: float) -> str:
    if pct >= model.icp_tier_a_min_pct:
        return "A"
    return "B" if pct >= model.icp_tier_b_min_pct else "C"


def has_mandatory_fields(model: ScoringModel, lead: LeadInput) -> bool:
    # `country` is the lead's own, else its account's (attributes come from the lead and its account).
    def value(name: str) -> object:
        return lead.effective_country if name == "country" else getattr(lead, name, None)

    return all(_is_present(value(f)) for f in model.mandatory_fields)


# --------------------------------------------------------------------------------------
# Intent: daily caps, lookback, velocity, decay
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountedEvent:
    """A scored event that survived its daily cap."""

    event_id: str
    signal: str
    occurred_at: datetime
    points: float
    is_high_intent: bool


def counted_events(
    events: list[EventInput], model: ScoringModel, rules: Rules, as_of: datetime
) -> list[CountedEvent]:
    """Scored events (signal with a rule in the model, occurred_at <= as_of) within their
    daily cap, in (occurred_at, event_id) order."""
    scored = []
    for e in events:
        at = parse_timestamp(e.occurred_at)
        signal = signal_of(e, rules)
        rule = rules.intent_rule(model.model_id, signal) if signal else None
        if rule is not None and at is not None and at <= as_of:
            scored.append((at, e.event_id, rule))
    scored.sort(key=lambda s: (s[0], s[1]))
    seen_per_day: dict[tuple[str, date], int] = {}
    out = []
    for at, event_id, rule in scored:
        key = (rule.signal, at.date())  # naive UTC, so .date() is the UTC calendar day
        seen_per_day[key] = seen_per_day.get(key, 0) + 1
        if seen_per_day[key] <= rule.daily_cap:
            out.append(CountedEvent(event_id, rule.signal, at, rule.points, rule.is_high_intent))
    return out


def velocity_awards(counted: list[CountedEvent], model: ScoringModel) -> list[CountedEvent]:
    """High-intent counted events with >= N high-intent counted events in (t - W, t]."""
    high = [e for e in counted if e.is_high_intent]
    window = model.velocity_window
    return [
        e
        for e in high
        if sum(1 for h in high if e.occurred_at - window < h.occurred_at <= e.occurred_at)
        >= model.velocity_min_actions
    ]


@dataclass(frozen=True)
class IntentTimeline:
    """intent_score(T) for any T, from the counted events and velocity awards."""

    model: ScoringModel
    counted: tuple[CountedEvent, ...]
    awards: tuple[CountedEvent, ...]

    def contributing(self, at: datetime) -> list[CountedEvent]:
        lookback = self.model.lookback
        return [e for e in self.counted if e.occurred_at <= at < e.occurred_at + lookback]

    def velocity_active(self, at: datetime) -> bool:
        lookback = self.model.lookback
        return any(a.occurred_at <= at < a.occurred_at + lookback for a in self.awards)

    def last_event_at(self, at: datetime) -> datetime | None:
        return max((e.occurred_at for e in self.counted if e.occurred_at <= at), default=None)

    def decay_periods(self, at: datetime) -> int:
        last = self.last_event_at(at)
        period = self.model.decay_period
        if last is None or period <= timedelta(0):
            return 0
        return (at - last) // period  # timedelta // timedelta: exact floor, no float error

    def has_points(self, at: datetime) -> bool:
        return bool(self.contributing(at)) or self.velocity_active(at)

    def score_at(self, at: datetime) -> float:
        if self.last_event_at(at) is None:
            return 0.0
        raw = sum(e.points for e in self.contributing(at))
        if self.velocity_active(at):
            raw += self.model.velocity_points
        return raw * (1 - self.model.decay_rate) ** self.decay_periods(at)


# --------------------------------------------------------------------------------------
# Ledger
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerRow:
    changed_at: datetime
    change_type: str  # fit | negative | expiry | intent | velocity | decay
    signal: str | None  # the signal (intent/expiry) or rule_id (fit/negative); None otherwise
    source_id: str | None  # event_id (intent/expiry/velocity/decay), rule_id (fit/negative)
    rule_points: float | None  # nominal points: rule points, −points on expiry, ±V on velocity
    points: float  # score_after − previous score_after
    score_after: float
    band_after: str


@dataclass(frozen=True)
class _Change:
    changed_at: datetime
    change_type: str
    signal: str | None
    source_id: str | None
    rule_points: float | None
    fit_delta: float = 0.0  # what this row adds to the running fit + negative component
    base_delta: float = 0.0  # what it adds to the running sum of contributing intent points
    velocity_delta: int = 0  # +1 when a velocity window opens, −1 when it closes

    @property
    def sort_key(self) -> tuple:
        return (self.changed_at, CHANGE_TYPE_ORDER.index(self.change_type), self.source_id or "")


def _fit_changes(matched: list[FitRule], created_at: datetime, as_of: datetime) -> list[_Change]:
    if created_at > as_of:  # not yet created at as_of: its fit has not taken effect
        return []
    return [_Change(created_at, r.dimension, r.rule_id, r.rule_id, r.points, r.points) for r in matched]


def _event_changes(timeline: IntentTimeline, as_of: datetime) -> list[_Change]:
    lookback = timeline.model.lookback
    out = []
    for e in timeline.counted:
        out.append(_Change(e.occurred_at, "intent", e.signal, e.event_id, e.points, base_delta=e.points))
        if e.occurred_at + lookback <= as_of:
            out.append(
                _Change(
                    e.occurred_at + lookback, "expiry", e.signal, e.event_id, -e.points, base_delta=-e.points
                )
            )
    return out


def velocity_intervals(timeline: IntentTimeline) -> list[tuple[datetime, datetime, str, str]]:
    """Union of the awards' [a, a + L) intervals: (start, end, first award id, last award id).
    Intervals that touch are merged: the bonus never stops there, so nothing changes."""
    lookback = timeline.model.lookback
    merged: list[list] = []
    for a in sorted(timeline.awards, key=lambda a: (a.occurred_at, a.event_id)):
        start, end = a.occurred_at, a.occurred_at + lookback
        if merged and start <= merged[-1][1]:
            if end >= merged[-1][1]:
                merged[-1][1], merged[-1][3] = end, a.event_id
        else:
            merged.append([start, end, a.event_id, a.event_id])
    return [tuple(m) for m in merged]


def _velocity_changes(timeline: IntentTimeline, as_of: datetime) -> list[_Change]:
    bonus = timeline.model.velocity_points
    out = []
    for start, end, first_id, last_id in velocity_intervals(timeline):
        out.append(_Change(start, "velocity", None, first_id, bonus, velocity_delta=1))
        if end <= as_of:
            out.append(_Change(end, "velocity", None, last_id, -bonus, velocity_delta=-1))
    return out


def _decay_changes(timeline: IntentTimeline, as_of: datetime) -> list[_Change]:
    """A row at last + k·P (k >= 1) while before the next counted event, <= as_of, and some
    points are still contributing at that instant."""
    period = timeline.model.decay_period
    if period <= timedelta(0):
        return []
    times = sorted({e.occurred_at for e in timeline.counted})
    out = []
    for i, last in enumerate(times):
        nxt = times[i + 1] if i + 1 < len(times) else None
        last_id = max(e.event_id for e in timeline.counted if e.occurred_at == last)
        k = 1
        while True:
            at = last + k * period
            if (nxt is not None and at >= nxt) or at > as_of or not timeline.has_points(at):
                break
            out.append(_Change(at, "decay", None, last_id, None))
            k += 1
    return out


def _band(model: ScoringModel, score: float) -> str:
    if score >= model.hot_threshold:
        return "hot"
    if score >= model.mql_threshold:
        return "mql"
    return "warm" if score >= model.warm_threshold else "nurture"


def _intent_band(model: ScoringModel, intent: float) -> str:
    if intent >= model.intent_high_min:
        return "high"
    return "medium" if intent >= model.intent_medium_min else "low"


def _clamp(model: ScoringModel, value: float) -> float:
    return min(model.max_score, max(0.0, value))


def build_ledger(
    model: ScoringModel,
    matched: list[FitRule],
    timeline: IntentTimeline,
    created_at: datetime,
    as_of: datetime,
) -> list[LedgerRow]:
    changes = (
        _fit_changes(matched, created_at, as_of)
        + _event_changes(timeline, as_of)
        + _velocity_changes(timeline, as_of)
        + _decay_changes(timeline, as_of)
    )
    changes.sort(key=lambda c: c.sort_key)
    rows: list[LedgerRow] = []
    fit_running = base_running = 0.0
    velocity_open = 0
    last_event: datetime | None = None
    previous = 0.0
    for c in changes:
        # Each row applies its own change on top of the rows before it (same-instant rows too), so
        # a row's points are its own effect. Decay is evaluated at the row's instant, counted from
        # the latest intent row so far.
        fit_running += c.fit_delta
        base_running += c.base_delta
        velocity_open += c.velocity_delta
        if c.change_type == "intent":
            last_event = c.changed_at
        intent = 0.0
        if last_event is not None:
            raw = base_running + (model.velocity_points if velocity_open > 0 else 0.0)
            periods = (
                (c.changed_at - last_event) // model.decay_period if model.decay_period > timedelta(0) else 0
            )
            intent = raw * (1 - model.decay_rate) ** periods
        after = _clamp(model, fit_running + intent)
        rows.append(
            LedgerRow(
                c.changed_at,
                c.change_type,
                c.signal,
                c.source_id,
                c.rule_points,
                after - previous,
                after,
                _band(model, after),
            )
        )
        previous = after
    return rows


def first_mql_crossing(
    model: ScoringModel,
    ledger: list[LedgerRow],
    score_at_creation: float,
    created_at: datetime,
    as_of: datetime,
) -> tuple[datetime, float] | None:
    """(crossing instant, score then), mandatory fields aside.

    At created_at the *instant's* score counts (the score after every row at created_at): a
    free-mail lead whose fit rows briefly reach the threshold before its negative row pulls it
    back never was an MQL. Already >= the threshold at created_at (events before creation)
    is a crossing at created_at. After created_at the same holds for every instant: the first
    instant whose score (after all its rows) is >= the threshold is the crossing.
    """
    if created_at > as_of:
        return None
    threshold = model.mql_threshold
    if score_at_creation >= threshold:
        return created_at, score_at_creation
    score_at_instant: dict[datetime, float] = {}
    for row in ledger:  # in ledger order: the last row of an instant wins
        if row.changed_at > created_at:
            score_at_instant[row.changed_at] = row.score_after
    for at in sorted(score_at_instant):
        if score_at_instant[at] >= threshold:
            return at, score_at_instant[at]
    return None


# --------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeadScore:
    model_id: str
    attributes: Attributes
    matched_rules: tuple[str, ...]
    fit_score: float
    negative_score: float
    icp_match_pct: float
    fit_tier: str
    intent_score: float
    total_score: float
    score_band: str
    intent_band: str
    has_mandatory_fields: bool
    first_mql_crossing_at: datetime | None
    score_at_mql_crossing: float | None
    ledger: tuple[LedgerRow, ...]
    counted: tuple[CountedEvent, ...]
    awards: tuple[CountedEvent, ...]
    timeline: IntentTimeline = field(repr=False)
    created_at: datetime | None = None
    velocity_active: bool = False

    def total_at(self, at: datetime | str) -> float:
        """total_score(T); fit and negative points count from created_at on."""
        at = parse_timestamp(at)
        fit = self.fit_score + self.negative_score if self.created_at <= at else 0.0
        model = self.timeline.model
        return _clamp(model, fit + self.timeline.score_at(at))

    def intent_at(self, at: datetime | str) -> float:
        return self.timeline.score_at(parse_timestamp(at))


def score_lead(lead: LeadInput, events: list[EventInput], rules: Rules, as_of: datetime | str) -> LeadScore:
    """Score one lead as of `as_of` (docs/scoring.md)."""
    as_of = parse_timestamp(as_of)
    created_at = parse_timestamp(lead.created_at)
    attrs = derive_attributes(lead, rules)
    model = select_model(attrs, rules)
    matched = matched_fit_rules(model, attrs, rules)
    fit = sum(r.points for r in matched if r.dimension == "fit")
    negative = sum(r.points for r in matched if r.dimension == "negative")
    pct = icp_match_pct(model, matched, rules)

    counted = counted_events(events, model, rules, as_of)
    timeline = IntentTimeline(model, tuple(counted), tuple(velocity_awards(counted, model)))
    ledger = build_ledger(model, matched, timeline, created_at, as_of)
    mandatory_ok = has_mandatory_fields(model, lead)
    at_creation = _clamp(model, fit + negative + timeline.score_at(created_at))
    crossing = first_mql_crossing(model, ledger, at_creation, created_at, as_of) if mandatory_ok else None

    intent_now = timeline.score_at(as_of)
    fit_now = fit + negative if created_at <= as_of else 0.0
    total_now = _clamp(model, fit_now + intent_now)
    return LeadScore(
        model_id=model.model_id,
        attributes=attrs,
        matched_rules=tuple(r.rule_id for r in matched),
        fit_score=fit,
        negative_score=negative,
        icp_match_pct=pct,
        fit_tier=fit_tier(model, pct),
        intent_score=intent_now,
        total_score=total_now,
        score_band=_band(model, total_now),
        intent_band=_intent_band(model, intent_now),
        has_mandatory_fields=mandatory_ok,
        first_mql_crossing_at=crossing[0] if crossing else None,
        score_at_mql_crossing=crossing[1] if crossing else None,
        ledger=tuple(ledger),
        counted=tuple(counted),
        awards=timeline.awards,
        timeline=timeline,
        created_at=created_at,
        velocity_active=timeline.velocity_active(as_of),
    )


__all__ = [
    "Attributes",
    "EventInput",
    "LeadInput",
    "LeadScore",
    "LedgerRow",
    "Rules",
    "ScoringModel",
    "derive_attributes",
    "load_rules",
    "round_score",
    "score_lead",
    "signal_of",
]
