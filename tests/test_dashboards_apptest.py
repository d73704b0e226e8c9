"""The Streamlit dashboards, page by page, with streamlit.testing.v1.AppTest.

Every page renders without exception against a warehouse built from the synthetic generator;
its key figures equal values queried directly from the marts; filters change them; a missing,
unbuilt or unreadable warehouse gives a message that says how to build it; marts that are not
built yet give a "not built yet" message. User input reaches SQL only as bound parameters.
"""

from __future__ import annotations

import csv
import functools
import json
import math
import os
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
import streamlit as st
from streamlit.components.v2.component_manager import BidiComponentManager
from streamlit.testing.v1 import AppTest

from dashboards import components as ui
from dashboards.data import execute
from dashboards.formatting import fmt_days, fmt_duration, fmt_int, fmt_num, fmt_pct, fmt_value, humanize
from dashboards.queries import funnel as funnel_q
from dashboards.queries import kpi_ladder as kpi_q
from dashboards.queries import scoring_health as scoring_q
from dashboards.queries import velocity as velocity_q
from dashboards.queries.common import Filters, preset_range, stage_label, step_label
from tests.engine_parity import synthetic_duckdb

PROJECT_DIR = Path(__file__).resolve().parent.parent
APP = PROJECT_DIR / "dashboards" / "app.py"
TIMEOUT = 30  # the AppTest default (3 s) is too short for a page's first queries
PAGES = ["pipeline", "funnel", "velocity", "sla", "kpi_ladder", "lead_explorer", "scoring_health"]
TITLES = {
    "pipeline": "Pipeline now",
    "funnel": "Funnel",
    "velocity": "Velocity",
    "sla": "SLA compliance",
    "kpi_ladder": "KPI ladder",
    "lead_explorer": "Lead explorer",
    "scoring_health": "Scoring health",
}
NEW_MARTS = ["lead_pipeline_now", "lead_sla", "kpi_ladder", "funnel_conversion", "stage_velocity"]


# ---------------------------------------------------------------- warehouses


@pytest.fixture(scope="session")
def dash_warehouse(tmp_path_factory, shared_dir) -> Path:
    """A realistic small warehouse: the engine parity tests' 2,000 synthetic leads (fixed seed,
    models and seeds), built once per test run for every pytest worker and module that reads it
    (the browser test, the semantic layer test, the PostgreSQL parity test).

    DASH_TEST_WAREHOUSE=<file> uses a copy of an already built warehouse instead (faster when
    iterating on the dashboards).
    """
    prebuilt = os.environ.get("DASH_TEST_WAREHOUSE")
    if prebuilt:
        base = tmp_path_factory.mktemp("dash_wh")
        shutil.copy(prebuilt, base / "published.duckdb")
        return base / "published.duckdb"
    return synthetic_duckdb(shared_dir)


@pytest.fixture(scope="session")
def older_warehouse(dash_warehouse, tmp_path_factory) -> Path:
    """The same warehouse without the SLA / KPI marts, as published before they existed."""
    path = tmp_path_factory.mktemp("older_wh") / "published.duckdb"
    shutil.copy(dash_warehouse, path)
    con = duckdb.connect(str(path))
    try:
        for table in NEW_MARTS:
            con.execute(f"drop table if exists marts.{table} cascade")
            con.execute(f"drop view if exists marts.{table} cascade")
    finally:
        con.close()
    return path


def run_sql(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def runner(path: Path):
    """A plain (uncached) query runner on a warehouse file, as the benchmark uses."""
    return lambda sql, params=(): execute(path, sql, list(params))


def seed(name: str) -> list[dict[str, str]]:
    """The rows of a seed CSV (seeds/<folder>/<name>.csv)."""
    (path,) = (PROJECT_DIR / "seeds").glob(f"*/{name}.csv")
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def display_label(dimension: str, code: str) -> str:
    """A code's label from seeds/reference/display_labels.csv."""
    (label,) = [
        r["label"] for r in seed("display_labels") if (r["dimension"], r["code"]) == (dimension, code)
    ]
    return label


def quantile_cont(values: list[float], fraction: float) -> float:
    """The continuous (linearly interpolated) percentile, as SQL's quantile_cont / percentile_cont."""
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def has_table(path: Path, table: str) -> bool:
    return bool(
        run_sql(
            path,
            "select 1 from information_schema.tables where table_schema = 'marts' and table_name = ?",
            [table],
        )
    )


@pytest.fixture
def published(monkeypatch):
    """Point the dashboards at a warehouse file, with an empty Streamlit cache before and after."""

    def use(path: Path) -> Path:
        monkeypatch.setenv("LEAD_PUBLISHED_PATH", str(path))
        st.cache_data.clear()
        return path

    st.cache_data.clear()
    yield use
    st.cache_data.clear()


@pytest.fixture
def dash(published, dash_warehouse) -> Path:
    return published(dash_warehouse)


# ---------------------------------------------------------------- AppTest helpers


@functools.cache
def installed_components() -> BidiComponentManager:
    """Streamlit's registry of installed custom components, found once per test process: each
    AppTest would scan every installed package's metadata again (0.8 s per AppTest, measured)."""
    manager = BidiComponentManager()
    manager.discover_and_register_components(start_file_watching=False)
    return manager


def app_on(page: str) -> AppTest:
    """The app, switched to a page (not yet run on it). It runs once first (on the default page):
    AppTest finds a page registered by st.navigation under another URL path (kpi-ladder for
    views/kpi_ladder.py) only after a run."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at._bidi_component_manager = installed_components()
    at.run()
    assert_clean(at)
    return at.switch_page(f"views/{page}.py")


def open_page(page: str) -> AppTest:
    at = app_on(page)
    at.run()
    assert_clean(at)
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def texts(at: AppTest) -> str:
    parts = [e.value for e in (*at.markdown, *at.caption, *at.info, *at.warning, *at.error, *at.success)]
    return "\n".join(str(p) for p in parts)


def chart_titles(at: AppTest) -> list[str]:
    """The titles of the page's charts (Vega-Lite specs), in page order."""
    titles = []
    for chart in at.get("vega_lite_chart"):
        title = json.loads(chart.proto.spec).get("title", "")
        titles.append(title.get("text", "") if isinstance(title, dict) else str(title))
    return titles


def active_filters(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**Active filters:**"))


def hover(at: AppTest, label: str) -> str:
    """A metric's hover text (help); never ends in blank lines (help texts join their parts)."""
    text = next(m.help for m in at.metric if m.label == label) or ""
    assert text == text.strip(), (label, text)
    return text


def assert_names_kpi(at: AppTest, label: str, metric: str) -> None:
    """The figure names its KPI ladder metric, with the catalogue's definition, on hover."""
    definition = next(r["definition"] for r in seed("kpi_metrics") if r["metric"] == metric)
    text = hover(at, label)
    assert f"`{metric}`, KPI ladder" in text and definition in text, (label, text)


def assert_not_kpi(at: AppTest, label: str, nearest: str) -> None:
    """The figure claims no KPI ladder metric and says how it differs from the nearest one."""
    text = hover(at, label)
    assert "Not a KPI ladder metric" in text and f"`{nearest}`" in text, (label, text)
    assert ", KPI ladder)" not in text, (label, text)


# ---------------------------------------------------------------- pure helpers


def test_numbers_are_formatted_for_people():
    assert fmt_int(1234) == "1,234"
    assert fmt_int(1234567.4) == "1,234,567"
    assert fmt_pct(0.234) == "23.4 %"
    assert fmt_pct(math.nan) == "–"
    assert fmt_days(3.456) == "3.5 days"
    assert fmt_value(0.5, "ratio") == "50.0 %"
    assert fmt_value(12000, "usd") == "$12,000"
    assert fmt_value(42, "count") == "42"
    assert humanize("sla_compliance__sdr_first_touch") == "SLA compliance: SDR first touch"
    assert humanize("mql_to_sql_rate") == "MQL to SQL rate"
    assert [fmt_duration(m) for m in (5, 120, 1440, 2400, 4320, 14400)] == [
        "5 min",
        "2 h",
        "24 h",
        "40 h",
        "3 days",
        "10 days",
    ]


def test_hover_texts_join_their_parts_without_stray_blank_lines():
    assert ui.help_text("met ÷ decided.", None) == "met ÷ decided."
    assert ui.help_text("p75 3 days", "", "**MQL rate** …") == "p75 3 days\n\n**MQL rate** …"


def test_period_presets_and_the_previous_period():
    months = [date(2025, m, 1) for m in range(5, 13)] + [
        date(2026, m, 1) for m in range(1, 11)
    ]  # May 2025-Oct 2026
    assert preset_range("This month", months) == (date(2026, 10, 1), date(2026, 10, 1))
    assert preset_range("Last month", months) == (date(2026, 9, 1), date(2026, 9, 1))
    assert preset_range("This quarter", months) == (date(2026, 10, 1), date(2026, 10, 1))  # Q4 so far
    assert preset_range("Last quarter", months) == (date(2026, 7, 1), date(2026, 9, 1))
    assert preset_range("Last 3 months", months) == (date(2026, 8, 1), date(2026, 10, 1))
    assert preset_range("All months", months) == (date(2025, 5, 1), date(2026, 10, 1))
    assert preset_range("Last quarter", [date(2026, 10, 1)]) is None  # no month of it has data
    f = Filters(start_month=date(2026, 1, 1), end_month=date(2026, 3, 1), segments=("smb",))
    assert f.previous_period() == Filters(
        start_month=date(2025, 10, 1), end_month=date(2025, 12, 1), segments=("smb",)
    )
    assert Filters().previous_period() is None


def test_filter_values_are_bound_parameters_never_sql_text():
    evil = "x'); drop table marts.leads; --"
    f = Filters(lead_sources=(evil,), segments=("smb",), teams=("t1",))
    cond, params = f.where(period="created_at", team="team_id")
    assert evil not in cond and "smb" not in cond
    assert [evil] in params and ["smb"] in params and ["t1"] in params
    assert Filters().where(period="created_at") == ("true", [])


# ---------------------------------------------------------------- stage and KPI layer look-ups


def test_every_lifecycle_stage_of_the_seed_has_a_readable_label():
    labels = {row["stage"]: stage_label(row["stage"]) for row in seed("lifecycle_stages")}
    assert labels == {
        "capture": "Capture",
        "triage": "Triage",
        "nurture": "Nurture",
        "warm": "Warm",
        "mql": "MQL",
        "sal": "SAL",
        "sql": "SQL",
        "opportunity": "Opportunity",
        "won": "Won",
        "lost": "Lost",
        "recycled": "Recycled",
        "disqualified": "Disqualified",
    }
    # the step ends of the funnel / velocity marts that are not lifecycle stages
    assert step_label("lead", "mql") == "Lead → MQL"
    assert step_label("sql", "closed") == "SQL → Closed"


def test_funnel_stages_and_steps_follow_the_marts_order_and_the_seed(dash):
    q = runner(dash)
    stage_order = {row["stage"]: int(row["stage_order"]) for row in seed("lifecycle_stages")}
    mart_steps = run_sql(
        dash, "select distinct step_order, from_stage, to_stage from marts.funnel_conversion order by 1"
    )
    steps = funnel_q.funnel_steps(q, Filters(), "funnel_conversion")
    totals = funnel_q.funnel_step_totals(steps)
    assert list(zip(totals["from_stage"], totals["to_stage"], strict=True)) == [
        (a, b) for _, a, b in mart_steps
    ]

    stages = funnel_q.funnel_stage_counts(steps)["stage"].tolist()
    assert stages == ["lead", "mql", "sal", "sql", "opportunity", "won"]
    lifecycle = [s for s in stages if s in stage_order]  # `lead` (every lead) is no lifecycle stage
    assert lifecycle == sorted(lifecycle, key=stage_order.__getitem__) and len(lifecycle) == len(stages) - 1

    # the fallback for warehouses without the mart restates the mart's first steps, in its order
    fallback = [(a, b) for a, b, _, _ in funnel_q.FUNNEL_STEPS_FROM_LEADS]
    assert fallback == [(a, b) for _, a, b in mart_steps[: len(fallback)]]
    leads_steps = funnel_q.funnel_steps(q, Filters(), "leads")
    assert funnel_q.funnel_stage_counts(leads_steps)["stage"].tolist() == stages


def test_velocity_steps_from_leads_are_the_marts_steps_and_time_in_stage_skips_the_seeds_entry_stage(dash):
    q = runner(dash)
    mart_steps = run_sql(
        dash, "select distinct step_order, from_stage, to_stage from marts.stage_velocity order by 1"
    )
    from_leads = [(a, b) for a, b, _, _ in velocity_q.VELOCITY_STEPS]
    assert from_leads == [(a, b) for _, a, b in mart_steps[: len(from_leads)]]
    summary = velocity_q.velocity_summary(q, Filters(), "stage_velocity")
    assert summary["step"].tolist() == [step_label(a, b) for _, a, b in mart_steps]

    entry = min(seed("lifecycle_stages"), key=lambda row: int(row["stage_order"]))["stage"]
    assert entry == "capture"
    stays = velocity_q.time_in_stage(q, Filters())
    assert entry not in set(stays["stage"]) and {"triage", "nurture", "mql"} <= set(stays["stage"])


def test_kpi_layers_and_their_order_come_from_the_seed(dash):
    q = runner(dash)
    rows = seed("kpi_layers")
    layers = kpi_q.kpi_layers(q)
    assert layers["layer"].tolist() == ["top", "quality", "handoff", "velocity", "outcome", "efficiency"]
    assert layers["layer"].tolist() == [r["layer"] for r in sorted(rows, key=lambda r: int(r["layer_order"]))]
    assert dict(zip(layers["layer"], layers["decision"], strict=True)) == {
        r["layer"]: r["decision"] for r in rows
    }
    assert layers["decision"].iloc[0] == "Channel mix: where to find more leads that match the ICP"

    series = kpi_q.kpi_series(q, "month", "period", "all", "all")
    seen = list(dict.fromkeys(series["layer"]))
    assert seen == [x for x in layers["layer"] if x in seen] and len(seen) >= 5
    current = kpi_q.kpi_current_vs_previous(series, series["period_start"].max())
    assert list(dict.fromkeys(current["layer"])) == seen
    decisions = dict(zip(layers["layer"], layers["decision"], strict=True))
    assert all(d == decisions[x] for x, d in zip(current["layer"], current["decision"], strict=True))


# ---------------------------------------------------------------- warehouse missing / broken


@pytest.mark.parametrize("page", PAGES)
def test_missing_warehouse_says_how_to_build_it(page, published, tmp_path):
    published(tmp_path / "nowhere" / "published.duckdb")
    at = open_page(page)
    assert at.error and "No published warehouse found" in at.error[0].value
    assert "make demo" in texts(at)


def test_unbuilt_and_unreadable_warehouses_are_explained(published, tmp_path):
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    published(empty)
    at = open_page("funnel")
    assert "has not been built" in at.error[0].value and "make demo" in texts(at)

    garbage = tmp_path / "garbage.duckdb"
    garbage.write_bytes(b"this is not a duckdb file" * 100)
    published(garbage)
    at = open_page("velocity")
    assert "could not be read as a DuckDB warehouse" in at.error[0].value and "make demo" in texts(at)


@pytest.mark.parametrize("page", ["sla", "kpi_ladder", "pipeline"])
def test_marts_not_built_yet_show_a_message(page, published, older_warehouse):
    published(older_warehouse)
    at = open_page(page)
    table = {
        "sla": "marts.lead_sla",
        "kpi_ladder": "marts.kpi_ladder",
        "pipeline": "marts.lead_pipeline_now",
    }[page]
    assert any(table in i.value and "not built yet" in i.value for i in at.info)
    assert "Data as of" in texts(at)


# ---------------------------------------------------------------- every page renders


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_with_as_of_filters_and_charts(page, dash):
    at = open_page(page)
    assert [t.value for t in at.title] == [TITLES[page]]
    as_of = run_sql(dash, "select max(as_of) from marts.leads")[0][0]
    assert f"Data as of **{as_of:%Y-%m-%d %H:%M} UTC**" in texts(at)
    assert active_filters(at)
    if page == "lead_explorer":  # charts appear once a lead is chosen
        at.sidebar.text_input(key="explorer_search").input("a").run()
        assert_clean(at)
    assert at.get("vega_lite_chart"), "no chart on the page"
    assert at.metric


# ---------------------------------------------------------------- 1. funnel


def funnel_expected(path: Path, where: str = "true", params: list | None = None) -> dict[str, str]:
    """Stage counts and step rates straight from the mart the page reads."""
    if has_table(path, "funnel_conversion"):
        rows = run_sql(
            path,
            f"select from_stage, to_stage, sum(entered), sum(converted) from marts.funnel_conversion "
            f"where {where} group by all",
            params,
        )
    else:
        (n, mql, sal, sql, opp, ms, ss, mq, so, ow) = run_sql(
            path,
            "select count(*), count(mql_at), count(sal_at), count(sql_at), count(opportunity_at), "
            "count(*) filter (where mql_at is not null and sal_at is not null), "
            "count(*) filter (where sal_at is not null and sql_at is not null), "
            "count(*) filter (where mql_at is not null and sql_at is not null), "
            "count(*) filter (where sql_at is not null and opportunity_at is not null), "
            f"count(*) filter (where opportunity_at is not null and won_at is not null) from marts.leads where {where}",
            params,
        )[0]
        rows = [
            ("lead", "mql", n, mql),
            ("mql", "sal", mql, ms),
            ("sal", "sql", sal, ss),
            ("mql", "sql", mql, mq),
            ("sql", "opportunity", sql, so),
            ("opportunity", "won", opp, ow),
        ]
    expected = {step_label(a, b): fmt_pct(c / e if e else math.nan) for a, b, e, c in rows}
    entered = {a: e for a, _, e, _ in rows}
    expected["Lead"] = fmt_int(entered["lead"])
    if has_table(path, "funnel_conversion"):
        # stage counts: leads that reached the stage or a later one (from the steps out of `lead`)
        for stage, n in run_sql(
            path,
            "select to_stage, sum(reached_or_later) from marts.funnel_conversion "
            f"where from_stage = 'lead' and {where} group by all",
            params,
        ):
            expected[stage_label(stage)] = fmt_int(n)
    else:
        expected["MQL"] = fmt_int(max(entered.get("mql", 0), *(c for _, b, _, c in rows if b == "mql")))
    return expected


def test_funnel_stage_counts_are_reached_or_later_and_never_grow(dash):
    """Independently of the mart: a lead counts at a stage when it reached it or any later one."""
    at = open_page("funnel")
    shown = metrics(at)
    later = ["won_at", "opportunity_at", "sql_at", "sal_at", "mql_at"]
    counts = []
    for i, stage in enumerate(["won", "opportunity", "sql", "sal", "mql"]):
        (n,) = run_sql(dash, f"select count(coalesce({', '.join(later[: i + 1])})) from marts.leads")[0]
        assert shown[stage_label(stage)] == fmt_int(n), stage
        counts.append(n)
    assert counts == sorted(counts)  # won <= opportunity <= … <= MQL


def test_funnel_figures_equal_the_marts_and_filters_change_them(dash):
    at = open_page("funnel")
    shown = metrics(at)
    expected = funnel_expected(dash)
    for label, value in expected.items():
        assert shown[label] == value, label
    assert shown["Lead"] == fmt_int(run_sql(dash, "select count(*) from marts.leads")[0][0])

    segment = run_sql(dash, "select segment from marts.leads group by 1 order by count(*) desc limit 1")[0][0]
    at.sidebar.multiselect(key="funnel_segment").set_value([segment]).run()
    assert_clean(at)
    filtered = metrics(at)
    assert filtered["Lead"] != shown["Lead"]
    for label, value in funnel_expected(dash, "segment = ?", [segment]).items():
        assert filtered[label] == value, label
    assert f"Segment: {display_label('segment', segment)}" in active_filters(at)
    assert at.query_params["segment"] == segment  # the filter is in the page URL

    months = at.sidebar.select_slider(key="funnel_period_all_months")
    months.set_range(months.options[0], months.options[5]).run()
    assert_clean(at)
    lo, hi = months.options[0], months.options[5]
    assert f"period {lo} → {hi}" in active_filters(at)
    period_col = "cohort_month" if has_table(dash, "funnel_conversion") else "created_at"
    cond = f"segment = ? and {period_col} >= ?::date and {period_col} < ?::date + interval 1 month"
    for label, value in funnel_expected(dash, cond, [segment, f"{lo}-01", f"{hi}-01"]).items():
        assert metrics(at)[label] == value, label


def test_funnel_team_filter_when_available(dash):
    if not has_table(dash, "funnel_conversion"):
        pytest.skip("marts.funnel_conversion is not built in this project yet")
    team = run_sql(
        dash,
        "select team_id from marts.funnel_conversion where team_id is not null group by 1 order by sum(entered) desc",
    )[0][0]
    at = open_page("funnel")
    at.sidebar.multiselect(key="funnel_team").set_value([team]).run()
    assert_clean(at)
    for label, value in funnel_expected(dash, "team_id = ?", [team]).items():
        assert metrics(at)[label] == value, label


def test_funnel_falls_back_to_leads_before_funnel_conversion_exists(published, older_warehouse):
    published(older_warehouse)
    at = open_page("funnel")
    for label, value in funnel_expected(older_warehouse).items():
        assert metrics(at)[label] == value, label
    assert "Source: `marts.leads`" in texts(at)
    with pytest.raises(KeyError):
        at.sidebar.multiselect(key="funnel_team")


# ---------------------------------------------------------------- 2. velocity


def leads_median_days(path: Path, a: str, b: str, where: str = "true", params: list | None = None) -> float:
    return run_sql(
        path,
        f"select quantile_cont(date_diff('second', {a}, {b}) / 86400.0, 0.5) from marts.leads "
        f"where {a} is not null and {b} >= {a} and {where}",
        params,
    )[0][0]


# the Velocity page's headline steps that are a KPI ladder metric (views/velocity.py)
VELOCITY_LADDER_METRICS = {
    "Lead → MQL": "days_created_to_mql",
    "MQL → SQL": "median_days_mql_to_sql",
    "SQL → Closed": "median_days_sql_to_close",
}


def ladder_cohort_months(path: Path, metric: str) -> dict[date, tuple]:
    """A metric's slice `all` on the cohort basis, month by month: (numerator, denominator, value).
    The ladder has no all-time row: all time is the sum of its cohort months."""
    rows = run_sql(
        path,
        "select period_start, numerator, denominator, value from marts.kpi_ladder "
        "where period_grain = 'month' and basis = 'cohort' and slice_dimension = 'all' and metric = ?",
        [metric],
    )
    return {start: rest for start, *rest in rows}


def test_figures_that_name_a_ladder_metric_equal_it(dash):
    """Where a Velocity or Scoring health figure names a KPI ladder metric, it is that metric: for
    every cohort month the page's own query, filtered to that month, gives the ladder's leads and
    value, and all time it counts the leads of all the ladder's months (the ladder's cohort basis;
    a median of all time cannot be summed from the months)."""
    if not has_table(dash, "kpi_ladder"):
        pytest.skip("marts.kpi_ladder is not built in this project yet")
    q = runner(dash)
    source = "stage_velocity" if has_table(dash, "stage_velocity") else "leads"
    all_time = velocity_q.velocity_summary(q, Filters(), source).set_index("step")
    ladder = {metric: ladder_cohort_months(dash, metric) for metric in VELOCITY_LADDER_METRICS.values()}
    months = sorted(set().union(*ladder.values()))
    assert months
    for month in months:
        # a chosen period: what the page shows for the month (computed from marts.leads)
        page = velocity_q.velocity_summary(q, Filters(start_month=month, end_month=month)).set_index("step")
        for step, metric in VELOCITY_LADDER_METRICS.items():
            if month not in ladder[metric]:
                assert step not in page.index, (step, month)
                continue
            _, leads, median = ladder[metric][month]
            assert page.loc[step, "lead_count"] == leads, (step, month)
            assert page.loc[step, "median_days"] == pytest.approx(median, abs=1e-9), (step, month)
    for step, metric in VELOCITY_LADDER_METRICS.items():
        assert all_time.loc[step, "lead_count"] == sum(n for _, n, _ in ladder[metric].values()), step

    leads, mql_won = ladder_cohort_months(dash, "lead_volume"), ladder_cohort_months(dash, "mql_to_won_rate")
    assert leads and mql_won
    for month in sorted(leads):
        f = Filters(start_month=month, end_month=month)
        assert scoring_q.conversion_by_peak_band(q, f)["leads"].sum() == leads[month][0], month
        mql = scoring_q.gate_win_rates(q, f).set_index("gate").loc["MQL"]
        won, passed, rate = mql_won.get(month, (0, 0, None))
        assert (mql["won"], mql["passed"]) == (won, passed), month
        assert rate is None or mql["won_rate"] == pytest.approx(rate), month
    assert scoring_q.conversion_by_peak_band(q, Filters())["leads"].sum() == sum(
        n for n, _, _ in leads.values()
    )
    mql = scoring_q.gate_win_rates(q, Filters()).set_index("gate").loc["MQL"]
    assert mql["won_rate"] == pytest.approx(
        sum(n for n, _, _ in mql_won.values()) / sum(d for _, d, _ in mql_won.values())
    )


def test_velocity_figures_equal_the_marts_and_filters_change_them(dash):
    at = open_page("velocity")
    shown = metrics(at)
    if has_table(dash, "stage_velocity"):
        expected = run_sql(
            dash,
            "select median_days from marts.stage_velocity where segment = 'all' and cohort_month is null "
            "and from_stage = 'mql' and to_stage = 'sql'",
        )[0][0]
    else:
        expected = leads_median_days(dash, "mql_at", "sql_at")
    assert shown["Median MQL → SQL"] == fmt_days(expected)
    assert shown["Median Lead → MQL"] != "–"
    for step, metric in VELOCITY_LADDER_METRICS.items():
        assert_names_kpi(at, f"Median {step}", metric)
    assert_not_kpi(at, "Median SQL → Opportunity", "days_created_to_opportunity")

    at.sidebar.multiselect(key="velocity_motion").set_value(["inbound"]).run()
    assert_clean(at)
    assert metrics(at)["Median MQL → SQL"] == fmt_days(
        leads_median_days(dash, "mql_at", "sql_at", "motion = 'inbound'")
    )
    assert metrics(at)["Median Lead → MQL"] == fmt_days(
        leads_median_days(dash, "created_at", "mql_at", "motion = 'inbound'")
    )
    assert "Source: `marts.leads`" in texts(at)

    at.sidebar.selectbox(key="velocity_step").set_value("Lead → MQL").run()
    assert_clean(at)
    assert "Lead → MQL: distribution and trend" in [s.value for s in at.subheader]


def test_time_in_stage_mart_equals_the_stays_it_summarises(dash):
    """marts.time_in_stage (what the Velocity page reads) against the percentiles of the completed
    stays of marts.lead_stage_history, computed here in Python (all segments, and one segment)."""
    if not has_table(dash, "time_in_stage"):
        pytest.skip("marts.time_in_stage is not in this warehouse")
    stays = run_sql(
        dash,
        """select h.stage, l.segment, h.hours_in_stage / 24.0 from marts.lead_stage_history h
           join marts.leads l using (lead_id)
           where h.exited_at is not null
             and h.stage <> (select stage from config.lifecycle_stages order by stage_order limit 1)""",
    )
    segment = run_sql(dash, "select segment from marts.leads group by 1 order by count(*) desc limit 1")[0][0]
    for wanted in ("all", segment):
        by_stage: dict[str, list[float]] = {}
        for stage, seg, days in stays:
            if wanted in ("all", seg):
                by_stage.setdefault(stage, []).append(days)
        mart = {
            r[0]: r[1:]
            for r in run_sql(
                dash,
                "select stage, stays, median_days, p90_days from marts.time_in_stage "
                "where segment = ? and cohort_month is null",
                [wanted],
            )
        }
        assert set(mart) == set(by_stage) and len(mart) >= 3
        for stage, days in by_stage.items():
            n, median, p90 = mart[stage]
            assert n == len(days)
            assert median == pytest.approx(quantile_cont(days, 0.5), abs=1e-9)
            assert p90 == pytest.approx(quantile_cont(days, 0.9), abs=1e-9)
    # the page's query of the mart and its fallback over lead_stage_history agree
    q = runner(dash)
    from_mart = velocity_q.time_in_stage(q, Filters(), "time_in_stage").set_index("stage")
    computed = velocity_q.time_in_stage(q, Filters()).set_index("stage")
    assert from_mart["stays"].to_dict() == computed["stays"].to_dict()
    assert from_mart["median_days"].round(9).to_dict() == computed["median_days"].round(9).to_dict()


def test_velocity_works_from_leads_before_stage_velocity_exists(published, older_warehouse):
    published(older_warehouse)
    at = open_page("velocity")
    assert metrics(at)["Median MQL → SQL"] == fmt_days(leads_median_days(older_warehouse, "mql_at", "sql_at"))
    assert "not built yet" in texts(at)


# ---------------------------------------------------------------- 3. SLA


def sla_expected(path: Path, where: str = "true", params: list | None = None) -> dict[str, str]:
    n, met, breached, open_breached, recent, at_risk = run_sql(
        path,
        "select count(*), count(*) filter (where status = 'met'), count(*) filter (where status = 'breached'), "
        "count(*) filter (where status = 'open_breached'), "
        "count(*) filter (where status = 'open_breached' and due_at > (select max(as_of) from marts.leads) - interval 7 day), "
        "count(*) filter (where status = 'open' and elapsed_business_minutes >= 0.75 * target_minutes) "
        f"from marts.lead_sla where {where}",
        params,
    )[0]
    decided = met + breached + open_breached
    # the seed's thresholds (seeds/sla/sla_policies.csv): at risk from 75 % of the target, a breach
    # is recent for 7 days after its due time
    assert {(r["at_risk_share"], r["actionable_days"]) for r in seed("sla_policies")} == {("0.75", "7")}
    return {
        "SLA instances": fmt_int(n),
        "Compliance": fmt_pct(met / decided if decided else math.nan),
        "Breached": fmt_int(breached),
        "Breached this week": fmt_int(recent),
        "At risk": fmt_int(at_risk),
        "Breached long ago": fmt_int(open_breached - recent),
    }


def test_sla_figures_equal_the_marts_and_filters_change_them(dash):
    if not has_table(dash, "lead_sla"):
        pytest.skip("marts.lead_sla is not built in this project yet (the not-built message is tested)")
    at = open_page("sla")
    shown = metrics(at)
    for label, value in sla_expected(dash).items():
        assert shown[label] == value, label
    # the figure names its KPI ladder metric, with the catalogue's definition, on hover
    assert_names_kpi(at, "Compliance", "sla_compliance")

    team = run_sql(
        dash,
        "select team_name from marts.lead_sla where team_name is not null group by 1 order by count(*) desc",
    )[0][0]
    at.sidebar.multiselect(key="sla_team").set_value([team]).run()
    assert_clean(at)
    filtered = metrics(at)
    assert filtered["SLA instances"] != shown["SLA instances"]
    for label, value in sla_expected(dash, "team_name = ?", [team]).items():
        assert filtered[label] == value, label

    sla_id = run_sql(dash, "select sla_id from marts.lead_sla group by 1 order by count(*) desc")[0][0]
    at.sidebar.multiselect(key="sla_sla").set_value([sla_id]).run()
    assert_clean(at)
    for label, value in sla_expected(dash, "team_name = ? and sla_id = ?", [team, sla_id]).items():
        assert metrics(at)[label] == value, label


# ---------------------------------------------------------------- 4. KPI ladder


def kpi_expected(path: Path, dimension: str, value: str) -> tuple[str, dict[str, str]]:
    bases = {
        r[0]
        for r in run_sql(path, "select distinct basis from marts.kpi_ladder where period_grain = 'month'")
    }
    grain, basis = "month", ("period" if "period" in bases else min(bases))  # the page's default
    period = run_sql(
        path,
        "select max(period_start) from marts.kpi_ladder where period_grain = ? and basis = ? "
        "and slice_dimension = ? and slice_value = ?",
        [grain, basis, dimension, value],
    )[0][0]
    rows = run_sql(  # every metric of the slice; "–" when it has no value in the current period
        path,
        "select metric, max(value) filter (where period_start = ?), any_value(unit) from marts.kpi_ladder "
        "where period_grain = ? and basis = ? and slice_dimension = ? and slice_value = ? group by metric",
        [period, grain, basis, dimension, value],
    )
    labels = {r["metric"]: r["label"] for r in seed("kpi_metrics")}  # the page labels metrics by the seed
    return f"{period:%Y-%m}", {
        labels.get(m, humanize(m)): (
            f"{v:.2f}"
            if "auc" in m and v is not None and not math.isnan(v)
            else fmt_value(v, "x" if "coverage" in m else u)
        )
        for m, v, u in rows
        if "__" not in m  # breakdowns (sla_compliance__route, …) are shown in a table
    }


def test_kpi_ladder_figures_equal_the_mart_and_slices_change_them(dash):
    if not has_table(dash, "kpi_ladder"):
        pytest.skip("marts.kpi_ladder is not built in this project yet (the not-built message is tested)")
    at = open_page("kpi_ladder")
    period, expected = kpi_expected(dash, "all", "all")
    shown = metrics(at)
    assert expected and shown == expected
    assert f"current period {period}" in active_filters(at)
    # each figure's definition is the seed's, on hover
    definitions = {r["label"]: r["definition"] for r in seed("kpi_metrics")}
    helps = {m.label: m.help or "" for m in at.metric}
    assert helps and all(definitions[label] in helps[label] for label in helps if label in definitions)
    assert sum(label in definitions for label in helps) >= len(helps) // 2
    breakdowns = run_sql(
        dash, "select count(distinct metric) from marts.kpi_ladder where metric like '%\\_\\_%' escape '\\'"
    )
    if breakdowns[0][0]:
        assert any("Part" in d.value.columns for d in at.dataframe)
    layers = [s.value for s in at.subheader]
    present = run_sql(  # the seed's layers in the seed's order, those the mart has rows of
        dash,
        "select layer, decision from config.kpi_layers "
        "where layer in (select layer from marts.kpi_ladder) order by layer_order",
    )
    assert layers == [f"{i}. {x.title()}" for i, (x, _) in enumerate(present, start=1)]
    for _, decision in present:
        assert f"Decision it informs: **{decision}**" in texts(at)

    segment = run_sql(
        dash,
        "select slice_value from marts.kpi_ladder where slice_dimension = 'segment' group by 1 order by count(*) desc",
    )[0][0]
    at.sidebar.selectbox(key="kpi_dimension").set_value("segment").run()
    at.sidebar.selectbox(key="kpi_value").set_value(segment).run()
    assert_clean(at)
    _, expected_segment = kpi_expected(dash, "segment", segment)
    assert metrics(at) == expected_segment != expected
    assert f"Segment = {display_label('segment', segment)}" in active_filters(at)


# ---------------------------------------------------------------- 5. lead explorer


def test_lead_explorer_finds_a_lead_and_shows_its_score_ledger_and_stages(dash):
    lead_id, email, score, band, tier = run_sql(
        dash,
        "select l.lead_id, l.email, l.total_score, l.score_band, l.fit_tier from marts.leads l "
        "join marts.lead_stage_history h using (lead_id) group by all order by count(*) desc, l.lead_id limit 1",
    )[0]
    at = open_page("lead_explorer")
    assert "Highest-scoring leads now" in [s.value for s in at.subheader]
    at.sidebar.text_input(key="explorer_search").input(email.upper()).run()
    assert_clean(at)
    assert at.selectbox(key="explorer_lead").value == lead_id
    shown = metrics(at)
    assert shown["Score"] == fmt_num(score)
    assert (shown["Band"], shown["Fit tier"]) == (
        display_label("score_band", band),
        display_label("fit_tier", tier),
    )
    stages = next(d.value for d in at.dataframe if "Trigger" in d.value.columns)
    assert (
        len(stages)
        == run_sql(dash, "select count(*) from marts.lead_stage_history where lead_id = ?", [lead_id])[0][0]
    )
    ledger = next(d.value for d in at.dataframe if "Score after" in d.value.columns)
    assert (
        len(ledger)
        == run_sql(dash, "select count(*) from marts.lead_score_changes where lead_id = ?", [lead_id])[0][0]
    )
    titles = chart_titles(at)  # why the score, its history, the stages
    assert len(titles) >= 3 and all(titles), titles

    at.sidebar.text_input(key="explorer_search").input(lead_id).run()
    assert at.selectbox(key="explorer_lead").value == lead_id


@pytest.mark.parametrize("term", ["' or 1=1 --", "%", "%_%", "x'); drop table marts.leads; --"])
def test_lead_explorer_search_is_a_bound_parameter(term, dash):
    at = open_page("lead_explorer")
    at.sidebar.text_input(key="explorer_search").input(term).run()
    assert_clean(at)
    assert at.warning and "No lead matches" in at.warning[0].value
    assert run_sql(dash, "select count(*) from marts.leads")[0][0] > 0


# ---------------------------------------------------------------- 6. scoring health


def test_scoring_health_figures_and_threshold_what_if(dash):
    at = open_page("scoring_health")
    shown = metrics(at)
    leads, mqls, mql_won = run_sql(
        dash,
        "select count(*), count(mql_at), count(*) filter (where mql_at is not null and is_won) from marts.leads",
    )[0]
    assert shown["Leads"] == fmt_int(leads)
    assert shown["MQL → won"] == fmt_pct(mql_won / mqls)
    assert_names_kpi(at, "Leads", "lead_volume")
    assert_names_kpi(at, "MQL → won", "mql_to_won_rate")
    for gate in ("SAL", "SQL", "Opportunity"):  # the ladder's win rate divides by won + lost
        assert_not_kpi(at, f"{gate} → won", "win_rate")

    model_id, baseline = run_sql(
        dash,
        "select model_id, mql_threshold from config.scoring_models order by priority desc, model_id limit 1",
    )[0]

    def would_be_mqls(threshold: int) -> int:
        return run_sql(
            dash,
            "select count(*) from marts.leads where scoring_model_id = ? and has_mandatory_fields and peak_score >= ?",
            [model_id, threshold],
        )[0][0]

    def recent_load(threshold: int) -> float:
        n = run_sql(
            dash,
            """
            with c as (
                select l.lead_id, min(s.changed_at) as first_at, any_value(l.as_of) as as_of
                from marts.leads l join marts.lead_score_changes s on s.lead_id = l.lead_id
                where l.scoring_model_id = ? and l.has_mandatory_fields and s.score_after >= ?
                group by 1
            )
            select count(*) from c where first_at < as_of and first_at > as_of - interval 91 day
            """,
            [model_id, threshold],
        )[0][0]
        return n / 13

    assert at.sidebar.slider(key=f"scoring_threshold_{model_id}").value == int(baseline)
    assert shown[f"MQLs at ≥ {int(baseline)}"] == fmt_int(would_be_mqls(int(baseline)))
    assert shown["SDR load (MQLs / week)"] == fmt_num(recent_load(int(baseline)))
    assert_not_kpi(at, f"MQLs at ≥ {int(baseline)}", "mql_rate")
    assert_not_kpi(at, "Expected win rate of MQLs", "mql_to_won_rate")
    base_wins = float(shown["Expected wins"].replace(",", ""))
    assert 0 < base_wins <= mqls

    higher = int(baseline) + 15
    at.sidebar.slider(key=f"scoring_threshold_{model_id}").set_value(higher).run()
    assert_clean(at)
    moved = metrics(at)
    assert moved[f"MQLs at ≥ {higher}"] == fmt_int(would_be_mqls(higher))
    assert would_be_mqls(higher) < would_be_mqls(int(baseline))
    assert moved["SDR load (MQLs / week)"] == fmt_num(recent_load(higher))
    assert float(moved["Expected wins"].replace(",", "")) < base_wins
    assert f"MQL ≥ {higher}" in active_filters(at)

    segment = run_sql(dash, "select segment from marts.leads group by 1 order by count(*) desc limit 1")[0][0]
    at.sidebar.multiselect(key="scoring_segment").set_value([segment]).run()
    assert_clean(at)
    assert metrics(at)["Leads"] == fmt_int(
        run_sql(dash, "select count(*) from marts.leads where segment = ?", [segment])[0][0]
    )


def test_scoring_health_what_if_follows_the_chosen_scoring_model(dash):
    models = run_sql(
        dash, "select model_id, mql_threshold from config.scoring_models order by priority desc, model_id"
    )
    if len(models) < 2:
        pytest.skip("one scoring model only")
    model_id, threshold = models[1]
    at = open_page("scoring_health")
    at.sidebar.selectbox(key="scoring_model").set_value(model_id).run()
    assert_clean(at)
    assert at.sidebar.slider(key=f"scoring_threshold_{model_id}").value == int(threshold)
    expected = run_sql(
        dash,
        "select count(*) from marts.leads where scoring_model_id = ? and has_mandatory_fields and peak_score >= ?",
        [model_id, int(threshold)],
    )[0][0]
    assert metrics(at)[f"MQLs at ≥ {int(threshold)}"] == fmt_int(expected)


def test_calibration_deciles_cover_every_lead_once(dash):
    deciles = scoring_q.calibration_by_decile(runner(dash), Filters())
    leads, won = run_sql(dash, "select count(*), count(*) filter (where is_won) from marts.leads")[0]
    assert deciles["leads"].sum() == leads and deciles["won"].sum() == won
    assert deciles["decile"].is_monotonic_increasing and deciles["decile"].between(1, 10).all()
    assert (deciles["min_score"].iloc[1:].to_numpy() > deciles["max_score"].iloc[:-1].to_numpy()).all()


# ---------------------------------------------------------------- pipeline now


def test_pipeline_now_counts_equal_the_mart_and_link_to_their_leads(dash):
    at = open_page("pipeline")
    shown = metrics(at)

    def count(where: str = "true", params: list | None = None) -> int:
        return run_sql(dash, f"select count(*) from marts.lead_pipeline_now where {where}", params)[0][0]

    assert shown["Open leads"] == fmt_int(count())
    assert (
        count()
        == run_sql(
            dash,
            "select count(*) from marts.leads where current_stage in "
            "('capture', 'triage', 'nurture', 'warm', 'mql', 'sal', 'sql', 'opportunity')",
        )[0][0]
    )
    assert shown["Breached this week"] == fmt_int(count("sla_state = 'breached_recent'"))
    assert shown["Breached long ago"] == fmt_int(count("sla_state = 'breached_stale'"))
    assert shown["Unrouted"] == fmt_int(count("is_unrouted"))

    # every count of the stage x age table links to the lead list of its cell
    stage, bucket, n = run_sql(
        dash,
        "select current_stage, age_bucket, count(*) from marts.lead_pipeline_now group by all order by 3 desc limit 1",
    )[0]
    link = f"[{fmt_int(n)}](leads?stage={stage}&age={bucket})"
    assert any(link in m.value for m in at.markdown), link

    segment = run_sql(dash, "select segment from marts.lead_pipeline_now group by 1 order by count(*) desc")[
        0
    ][0]
    at.sidebar.multiselect(key="pipeline_segment").set_value([segment]).run()
    assert_clean(at)
    assert metrics(at)["Open leads"] == fmt_int(count("segment = ?", [segment]))
    assert at.query_params["segment"] == segment
    assert any(f"leads?segment={segment}&stage=" in m.value for m in at.markdown)  # links keep the filters


def test_lead_list_of_a_pipeline_cell_shows_who_owns_the_leads(dash):
    stage, sla_state, n = run_sql(
        dash,
        "select current_stage, sla_state, count(*) from marts.lead_pipeline_now group by all order by 3 desc limit 1",
    )[0]
    at = app_on("lead_explorer")
    at.query_params["stage"] = stage
    at.query_params["sla"] = sla_state
    at.run()
    assert_clean(at)
    shown = min(n, 200)
    assert any(c.value.startswith(f"{fmt_int(shown)} of {fmt_int(n)} leads") for c in at.caption)
    table = at.dataframe[0].value
    assert len(table) == shown
    assert list(table.columns[:3]) == ["link", "company_name", "owner"]
    oldest = run_sql(
        dash,
        "select max(days_in_stage)::double from marts.lead_pipeline_now where current_stage = ? and sla_state = ?",
        [stage, sla_state],
    )[0][0]
    assert table["days_in_stage"].iloc[0] == oldest  # longest waiting first
    assert all(link.startswith("leads?lead=") for link in table["link"])


def test_filters_follow_the_reader_to_the_next_page(dash):
    segment = run_sql(dash, "select segment from marts.leads group by 1 order by count(*) desc")[0][0]
    at = app_on("funnel")
    at.query_params["segment"] = segment  # a shared link
    at.run()
    assert_clean(at)
    assert at.sidebar.multiselect(key="funnel_segment").value == [segment]
    at.switch_page("views/sla.py")
    at.run()
    assert_clean(at)
    assert at.sidebar.multiselect(key="sla_segment").value == [segment]
    assert f"Segment: {display_label('segment', segment)}" in active_filters(at)


def test_funnel_compares_with_the_previous_period_from_a_shared_link(dash):
    months = [
        m for (m,) in run_sql(dash, "select distinct date_trunc('month', created_at)::date from marts.leads")
    ]
    hi = max(months)
    lo = date(hi.year - (hi.month <= 2), (hi.month - 3) % 12 + 1, 1)  # the last 3 months
    at = app_on("funnel")
    at.query_params["from"], at.query_params["to"] = f"{lo:%Y-%m}", f"{hi:%Y-%m}"
    at.run()
    assert_clean(at)
    assert at.sidebar.selectbox(key="funnel_preset").value == "Last 3 months"

    def created(start: date, months_after: int) -> int:
        return run_sql(
            dash,
            "select count(*) from marts.leads where created_at >= ? and created_at < ?::date + to_months(?)",
            [start, start, months_after],
        )[0][0]

    prev_lo = date(lo.year - (lo.month <= 3), (lo.month - 4) % 12 + 1, 1)
    now, before = created(lo, 3), created(prev_lo, 3)
    lead = next(m for m in at.metric if m.label == "Lead")
    assert (lead.value, lead.delta) == (fmt_int(now), f"{now - before:+,} leads")
    assert any(c.value.startswith(f"Changes (▲▼) compare with {prev_lo:%Y-%m} → ") for c in at.caption)
