"""Numbers for people: 1,234 · 23.4 % · 3.5 days. Pure functions, no Streamlit."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import pandas as pd

# KPI units: how `kpi_ladder.unit` values are shown. Fractions (0.234) become percentages.
FRACTION_UNITS = {"ratio", "rate", "share", "fraction", "percent_ratio"}
PERCENT_UNITS = {"pct", "percent", "%", "percentage"}
MONEY_UNITS = {"usd": "$", "$": "$", "currency": "$", "eur": "€", "€": "€", "gbp": "£"}
COUNT_UNITS = {"count", "leads", "lead", "n", "number", "opportunities", "deals", "mqls"}
# count units that say what is counted: how a change of it is written, (one, several)
COUNTED_UNITS = {
    "leads": ("lead", "leads"),
    "lead": ("lead", "leads"),
    "opportunities": ("opportunity", "opportunities"),
    "deals": ("deal", "deals"),
    "mqls": ("MQL", "MQLs"),
}
MULTIPLE_UNITS = {"x", "multiple", "coverage", "times"}


ACRONYMS = {
    "auc": "AUC",
    "icp": "ICP",
    "mql": "MQL",
    "mqls": "MQLs",
    "sql": "SQL",
    "sqls": "SQLs",
    "sal": "SAL",
    "sla": "SLA",
    "cac": "CAC",
    "acv": "ACV",
    "clv": "CLV",
    "ltv": "LTV",
    "sdr": "SDR",
    "ae": "AE",
    "roi": "ROI",
    "pct": "%",
}


def humanize(name: object) -> str:
    """'mql_to_sql_rate' -> 'MQL to SQL rate'."""
    head, _, tail = str(name).partition("__")
    if tail:  # 'sla_compliance__sdr_first_touch' -> 'SLA compliance: SDR first touch'
        return f"{humanize(head)}: {' '.join(ACRONYMS.get(w.lower(), w) for w in tail.split('_') if w)}"
    words = str(name).replace("-", "_").split("_")
    out = [ACRONYMS.get(w.lower(), w) for w in words if w]
    if out and out[0] == words[0]:
        out[0] = out[0][:1].upper() + out[0][1:]
    return " ".join(out)


def is_missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def fmt_int(value: Any) -> str:
    """1234 -> '1,234'; missing -> '–'."""
    if is_missing(value):
        return "–"
    return f"{round(float(value)):,}"


def fmt_num(value: Any, digits: int = 1) -> str:
    """1234.56 -> '1,234.6'."""
    if is_missing(value):
        return "–"
    return f"{float(value):,.{digits}f}"


def fmt_pct(fraction: Any, digits: int = 1) -> str:
    """0.234 -> '23.4 %'; missing (e.g. 0/0) -> '–'."""
    if is_missing(fraction):
        return "–"
    return f"{float(fraction) * 100:,.{digits}f} %"


def fmt_pp(delta_fraction: Any, digits: int = 1, *, spelled: bool = False) -> str:
    """A change of a rate, in percentage points: 0.021 -> '+2.1 pp' ('+2.1 percentage points'
    `spelled` out, for readers who may not know the abbreviation)."""
    if is_missing(delta_fraction):
        return "–"
    return f"{float(delta_fraction) * 100:+,.{digits}f} {'percentage points' if spelled else 'pp'}"


def fmt_days(value: Any, digits: int = 1) -> str:
    if is_missing(value):
        return "–"
    return f"{float(value):,.{digits}f} days"


def fmt_hours(minutes: Any) -> str:
    """Business minutes shown as hours: 150 -> '2.5 h'."""
    if is_missing(minutes):
        return "–"
    return f"{float(minutes) / 60:,.1f} h"


def fmt_duration(minutes: Any) -> str:
    """A target or duration in the unit people say it in: 5 -> '5 min', 120 -> '2 h', 2400 -> '40 h',
    14400 -> '10 days' (whole days from 3 days on)."""
    if is_missing(minutes):
        return "–"
    m = float(minutes)
    if m < 60:
        return f"{m:,.0f} min"
    if m < 3 * 1440:
        return f"{m / 60:,.1f}".removesuffix(".0") + " h"
    return f"{m / 1440:,.1f}".removesuffix(".0") + " days"


def fmt_ts(value: Any) -> str:
    """A UTC timestamp: '2026-11-01 00:00 UTC'."""
    if is_missing(value):
        return "–"
    if isinstance(value, str):
        value = pd.Timestamp(value)
    if isinstance(value, datetime | pd.Timestamp):
        return f"{value:%Y-%m-%d %H:%M} UTC"
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def fmt_month(value: Any) -> str:
    if is_missing(value):
        return "–"
    return f"{pd.Timestamp(value):%Y-%m}"


def safe_div(numerator: Any, denominator: Any) -> float:
    """numerator / denominator, NaN when the denominator is 0 or missing."""
    if is_missing(numerator) or is_missing(denominator) or float(denominator) == 0:
        return math.nan
    return float(numerator) / float(denominator)


def unit_kind(unit: Any) -> str:
    """Classify a KPI unit: fraction, percent, money, count, days, hours, multiple or other."""
    u = str(unit or "").strip().lower()
    if u in FRACTION_UNITS:
        return "fraction"
    if u in PERCENT_UNITS:
        return "percent"
    if u in MONEY_UNITS:
        return "money"
    if u in COUNT_UNITS:
        return "count"
    if u in {"days", "day", "d"}:
        return "days"
    if u in {"hours", "hour", "h"}:
        return "hours"
    if u in {"months", "month"}:
        return "months"
    if u in MULTIPLE_UNITS:
        return "multiple"
    return "other"


def fmt_value(value: Any, unit: Any) -> str:
    """A KPI value in its unit: ('0.234', 'ratio') -> '23.4 %', (12000, 'usd') -> '$12,000'."""
    if is_missing(value):
        return "–"
    v = float(value)
    kind = unit_kind(unit)
    if kind == "fraction":
        return fmt_pct(v)
    if kind == "percent":
        return f"{v:,.1f} %"
    if kind == "money":
        symbol = MONEY_UNITS[str(unit).strip().lower()]
        return f"{'-' if v < 0 else ''}{symbol}{abs(v):,.0f}"
    if kind == "count":
        return fmt_int(v) if float(v).is_integer() else fmt_num(v)
    if kind == "days":
        return fmt_days(v)
    if kind == "hours":
        return f"{v:,.1f} h"
    if kind == "months":
        return f"{v:,.1f} months"
    if kind == "multiple":
        return f"{v:,.2f}×"
    text = fmt_num(v, 0 if v.is_integer() else 2)
    return f"{text} {unit}" if unit else text


def fmt_delta(current: Any, previous: Any, unit: Any, counted: str | None = None) -> str | None:
    """Change from the previous period in the metric's unit (pp for rates); None if unknown.

    A count says what it counts: the unit when it names it ('leads', 'mqls': '+12 leads',
    '-1 MQL'), else `counted` (the thing a 'count' metric counts, e.g. 'leads'); a bare count
    unit ('count', 'n') with nothing counted given stays a number (no unit is made up). Months:
    '-2.4 months'. A unit this module does not know is written after the number."""
    if is_missing(current) or is_missing(previous):
        return None
    d = float(current) - float(previous)
    kind = unit_kind(unit)
    if kind == "fraction":
        return fmt_pp(d)
    if kind == "percent":
        return f"{d:+,.1f} pp"
    if kind == "money":
        symbol = MONEY_UNITS[str(unit).strip().lower()]
        return f"{'+' if d >= 0 else '-'}{symbol}{abs(d):,.0f}"
    if kind == "count":
        number = f"{d:+,.0f}" if d.is_integer() else f"{d:+,.1f}"
        one, several = COUNTED_UNITS.get(str(unit).strip().lower()) or COUNTED_UNITS.get(
            str(counted).strip().lower(), (counted, counted)
        )
        noun = one if abs(d) == 1 else several
        return f"{number} {noun}" if noun else number
    if kind == "days":
        return f"{d:+,.1f} days"
    if kind == "hours":
        return f"{d:+,.1f} h"
    if kind == "months":
        return f"{d:+,.1f} months"
    if kind == "multiple":
        return f"{d:+,.2f}×"
    return f"{d:+,.2f} {unit}" if unit and not is_missing(unit) else f"{d:+,.2f}"


def axis_scale(unit: Any) -> tuple[float, str]:
    """(multiplier, axis title suffix) to plot a KPI unit: fractions are plotted as %."""
    kind = unit_kind(unit)
    if kind == "fraction":
        return 100.0, "%"
    if kind == "percent":
        return 1.0, "%"
    if kind == "money":
        return 1.0, MONEY_UNITS[str(unit).strip().lower()]
    return 1.0, str(unit or "")
