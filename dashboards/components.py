"""Shared page furniture: the warehouse check, the sidebar filters and headers (charts: charts.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import streamlit as st

from dashboards import data
from dashboards.formatting import fmt_month, fmt_ts, humanize
from dashboards.queries.common import (
    PRESETS,
    Filters,
    code_labels,
    distinct_values,
    lead_months,
    preset_range,
)
from dashboards.queries.kpi_ladder import kpi_metric_definitions

# One meaning per colour on every page: red = bad / act now, amber = act soon, green = fine, grey =
# nothing to do; neutral series (counts, volumes) are blue, never red.
RAG_COLORS = {"red": "#c62828", "amber": "#f9a825", "green": "#2e7d32", "grey": "#9e9e9e"}
# neutral series (counts, volumes, metrics) take charts.NEUTRAL_COLOR / NEUTRAL_PALETTE
MISSING_TEXT = {
    "missing": "No published warehouse found at `{path}`.",
    "not_built": "The warehouse at `{path}` has no `marts.leads` table yet: it has not been built.",
    "busy": "The warehouse at `{path}` cannot be opened read-only right now ({detail}). "
    "The dashboards must read the published copy, not the file a build is writing.",
    "broken": "The file at `{path}` could not be read as a DuckDB warehouse ({detail}).",
}


def require_warehouse() -> data.WarehouseInfo:
    """The published warehouse's info, or a readable message on how to build it (and stop)."""
    try:
        return data.warehouse_info()
    except data.WarehouseUnavailable as exc:
        st.title("Lead qualification dashboards")
        st.error(
            MISSING_TEXT[exc.reason].format(path=exc.path, detail=exc.detail), icon=":material/database:"
        )
        st.markdown(
            "Build and publish the demo warehouse from the project folder, then reload this page:\n\n"
            f"```bash\n{data.BUILD_HINT}\n```\n\n"
            "To read another file, set `LEAD_PUBLISHED_PATH` to a published DuckDB warehouse."
        )
        st.stop()
        raise  # unreachable: st.stop() ends the script run


def not_built(info: data.WarehouseInfo, table: str, what: str) -> None:
    """Stop the page with a clear message when a mart it needs is not in the warehouse."""
    if info.has(table):
        return
    st.info(
        f"**`{table}` is not built yet.** {what}\n\n"
        f"It appears after the warehouse is rebuilt and published with the models that produce it "
        f"(`{data.BUILD_HINT}`). The other pages work without it.",
        icon=":material/construction:",
    )
    st.stop()


def _catalogued(info: data.WarehouseInfo, metric: str) -> tuple[str, str] | None:
    """(label, definition) of a KPI ladder metric from the metric catalogue (config.kpi_metrics,
    seeds/kpi/kpi_metrics.csv: one definition per KPI, the same the ladder and the semantic layer
    use); None when the warehouse has no catalogue or the catalogue lacks the metric."""
    return kpi_metric_definitions(data.run).get(metric) if info.has("config.kpi_metrics") else None


def kpi_definition(info: data.WarehouseInfo, metric: str) -> str | None:
    """A KPI ladder metric's label and definition for a figure's hover text; None when not catalogued."""
    found = _catalogued(info, metric)
    if found is None:
        return None
    label, definition = found
    return f"**{label}** (`{metric}`, KPI ladder): {definition}"


def not_kpi(info: data.WarehouseInfo, nearest: str, how: str) -> str:
    """Hover text of a figure that is not a KPI ladder metric: how it differs from the `nearest`
    one (named by its catalogue label), so that no one reads it as that metric."""
    found = _catalogued(info, nearest)
    name = f"{found[0]} (`{nearest}`)" if found else f"`{nearest}`"
    return f"Not a KPI ladder metric: the ladder's {name} {how}."


def help_text(*parts: str | None) -> str:
    """A figure's hover text: its non-empty parts, a paragraph each. Joining them by hand leaves
    stray blank lines at the end when a part (e.g. a KPI definition the catalogue lacks) is None."""
    return "\n\n".join(part.strip() for part in parts if part and part.strip())


def header(title: str, info: data.WarehouseInfo, active: Sequence[str], subtitle: str = "") -> None:
    """Title, data freshness and the filters in force."""
    st.title(title)
    if subtitle:
        st.markdown(subtitle)
    st.caption(
        f"Data as of **{fmt_ts(info.as_of)}** · published {info.modified_at:%Y-%m-%d %H:%M} UTC "
        f"from `{info.path.name}`"
    )
    st.markdown("**Active filters:** " + (" · ".join(active) if active else "none"))


def labeller(dimension: str) -> Callable[[Any], str]:
    """code -> label for a lead dimension (seeds/reference/display_labels.csv), else the code humanized."""
    try:
        info = data.warehouse_info()
        known = code_labels(data.run, info.tables).get(dimension, {})
    except data.WarehouseUnavailable:
        known = {}
    return lambda code: known.get(code) or humanize(code)


def _month_label(m: date) -> str:
    return fmt_month(m)


# The sidebar filters live in the page URL (query parameters, so a view can be shared) and in the
# session (so they follow the reader from page to page): parameter -> Filters field. A parameter
# holds one value and repeats for several (`team=A&team=B`): team names may contain a comma
# ("Europe, Middle East & Africa"); the codes of the other filters never do, so a link that joins
# them with commas (`segment=smb,mid_market`) still works.
URL_FILTERS = {
    "source": "lead_sources",
    "segment": "segments",
    "tier": "fit_tiers",
    "motion": "motions",
    "team": "teams",
}
NAMES = {"team"}  # parameters whose values are names, never split on commas
SHARED_KEY = "shared_filters"
PARAM_ORDER = [*URL_FILTERS, "from", "to"]  # every filter parameter, in the order links write them


CUSTOM = "Custom"


def _range_label(r: tuple[date, date]) -> str:
    return fmt_month(r[0]) if r[0] == r[1] else f"{fmt_month(r[0])} → {fmt_month(r[1])}"


def _month_param(m: date) -> str:
    return f"{m:%Y-%m}"


def _param_values(name: str) -> list[str]:
    """The values of a filter's query parameter (repeated, or comma-joined codes)."""
    raw = st.query_params.get_all(name)
    values = raw if name in NAMES else [v for joined in raw for v in joined.split(",")]
    return [v for v in values if v]


def wanted_filters() -> dict[str, list[str]]:
    """The filters the reader asked for: the URL's query parameters, else the last page's choice."""
    from_url = {name: _param_values(name) for name in PARAM_ORDER}
    if any(from_url.values()):
        return from_url
    return {name: list(values) for name, values in st.session_state.get(SHARED_KEY, {}).items()}


def filter_params(f: Filters) -> dict[str, list[str]]:
    """Query parameters that reproduce the Filters (for links and the page URL): their values."""
    params = {name: list(getattr(f, field)) for name, field in URL_FILTERS.items() if getattr(f, field)}
    if f.start_month:
        params["from"] = [_month_param(f.start_month)]
    if f.end_month:
        params["to"] = [_month_param(f.end_month)]
    return params


def sidebar_filters(
    key: str,
    months: Sequence[date],
    *,
    sources: Sequence[str] | None = None,
    segments: Sequence[str] | None = None,
    tiers: Sequence[str] | None = None,
    motions: Sequence[str] | None = None,
    teams: Sequence[str] | None = None,
    period_label: str = "Cohort month (lead created)",
    team_label: Callable[[str], str] = str,
) -> tuple[Filters, list[str]]:
    """The sidebar filters of a page (None hides one). Returns the Filters and their description.

    Each starts from the URL's query parameters (a shared link) or the filters chosen on the last
    page; the choice is written back to the URL and the session."""
    sb = st.sidebar
    sb.header("Filters")
    wanted = wanted_filters()
    desc: list[str] = []
    start = end = None
    months = list(months)
    if len(months) >= 2:
        by_param = {_month_param(m): m for m in months}
        lo = next((by_param[v] for v in wanted.get("from", []) if v in by_param), months[0])
        hi = next((by_param[v] for v in wanted.get("to", []) if v in by_param), months[-1])
        ranges = {p: preset_range(p, months) for p in PRESETS}
        ranges = {p: r for p, r in ranges.items() if r}
        wanted_range = (lo, max(lo, hi))
        options = [*ranges, CUSTOM]
        preset = sb.selectbox(
            "Period",
            options,
            index=options.index(next((p for p, r in ranges.items() if r == wanted_range), CUSTOM)),
            key=f"{key}_preset",
            format_func=lambda p: p if p == CUSTOM else f"{p} ({_range_label(ranges[p])})",
            help="Relative to the latest month with data, which is usually still running (the trailing full "
            "months leave it out). Changes compare with the period of the same length just before.",
        )
        # a slider per preset: choosing a preset starts its slider at the preset's months
        start, end = sb.select_slider(
            period_label,
            options=months,
            value=ranges.get(preset, wanted_range),
            format_func=_month_label,
            key=f"{key}_period_{preset.lower().replace(' ', '_')}",
        )
        desc.append(f"period {fmt_month(start)} → {fmt_month(end)}")
    elif months:
        desc.append(f"period {fmt_month(months[0])}")

    def pick(
        label: str, options: Sequence[str] | None, name: str, fmt: Callable[[str], str] = str
    ) -> tuple[str, ...]:
        if options is None:
            return ()
        options = list(options)
        default = [v for v in wanted.get(name, []) if v in options]
        chosen = sb.multiselect(
            label, options, default=default, format_func=fmt, key=f"{key}_{name}", placeholder="All"
        )
        desc.append(f"{label}: {', '.join(fmt(c) for c in chosen) if chosen else 'all'}")
        return tuple(chosen)

    f = Filters(
        start_month=start,
        end_month=end,
        lead_sources=pick("Lead source", sources, "source", labeller("lead_source")),
        segments=pick("Segment", segments, "segment", labeller("segment")),
        fit_tiers=pick("ICP tier", tiers, "tier", labeller("fit_tier")),
        motions=pick("Inbound / outbound", motions, "motion", labeller("motion")),
        teams=pick("Team", teams, "team", team_label),
    )
    # a full period is no filter: keep it out of the URL and of the next page's slider
    full_period = bool(months) and (start, end) == (months[0], months[-1])
    chosen = filter_params(replace(f, start_month=None, end_month=None) if full_period else f)
    # what this page does not let the reader choose keeps what the reader chose elsewhere: the
    # dimensions it does not show, and the period on a page without one (a snapshot, a lead list)
    shown = {
        name
        for name, opts in zip(URL_FILTERS, (sources, segments, tiers, motions, teams), strict=True)
        if opts is not None
    }
    if len(months) >= 2:
        shown |= {"from", "to"}
    kept = {name: values for name, values in wanted.items() if name not in shown and values}
    shared = {**chosen, **kept}
    st.session_state[SHARED_KEY] = shared
    for name in PARAM_ORDER:
        if shared.get(name):
            st.query_params[name] = shared[name]
        elif name in st.query_params:
            del st.query_params[name]
    return f, desc


def shared_params() -> dict[str, list[str]]:
    """The reader's filters as query parameters (name -> values), as the last sidebar_filters wrote
    them to the URL: with those the page does not show (e.g. the period on Pipeline now), so that a
    link to another page keeps them (`urlencode(..., doseq=True)`)."""
    shared = st.session_state.get(SHARED_KEY, {})
    return {name: list(shared[name]) for name in PARAM_ORDER if shared.get(name)}


def previous_period(f: Filters, months: Sequence[date]) -> Filters | None:
    """The comparison period of a page (the same length just before the chosen one), when the
    reader chose a period and the data reaches back to it; says which period it is."""
    prev = f.previous_period()
    if prev is None or not months or prev.start_month < min(months):
        return None
    st.caption(f"Changes (▲▼) compare with {fmt_month(prev.start_month)} → {fmt_month(prev.end_month)}.")
    return prev


def lead_filter_options(info: data.WarehouseInfo) -> dict[str, Any]:
    """Options of the standard lead filters, from marts.leads."""
    q = data.run
    return {
        "months": lead_months(q),
        "sources": distinct_values(q, "marts.leads", "lead_source"),
        "segments": distinct_values(q, "marts.leads", "segment"),
        "tiers": distinct_values(q, "marts.leads", "fit_tier"),
        "motions": distinct_values(q, "marts.leads", "motion"),
    }


def no_rows(message: str = "No leads match these filters.") -> None:
    st.warning(message, icon=":material/filter_alt_off:")
    st.stop()
