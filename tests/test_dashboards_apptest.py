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
from dashboards.queries import pipeline as pipeline_q
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
    team, name = run_sql(  # the filter takes the team's name, as on every page; the mart has its id
        dash,
        "select team_id, n.team_name from marts.funnel_conversion "
        "join (select distinct team_id, team_name from marts.lead_sla) n using (team_id) group by all "
        "order by sum(entered) desc",
    )[0]
    at = open_page("funnel")
    at.sidebar.multiselect(key="funnel_team").set_value([name]).run()
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


def test_kpi_ladder_choices_are_in_the_url_and_a_shared_link_restores_them(dash):
    if not has_table(dash, "kpi_ladder"):
        pytest.skip("marts.kpi_ladder is not built in this project yet (the not-built message is tested)")
    segment = run_sql(
        dash,
        "select slice_value from marts.kpi_ladder where slice_dimension = 'segment' group by 1 order by count(*) desc",
    )[0][0]
    weeks = run_sql(
        dash,
        "select distinct period_start::date from marts.kpi_ladder where period_grain = 'week' and basis = 'cohort' "
        "and slice_dimension = 'segment' and slice_value = ? order by 1 desc",
        [segment],
    )
    week = weeks[1][0]  # not the latest (the default)
    at = open_page("kpi_ladder")
    assert not set(at.query_params) & {
        "grain",
        "basis",
        "slice",
        "slice_value",
        "period",
    }  # defaults: no params
    at.sidebar.radio(key="kpi_grain").set_value("week").run()
    at.sidebar.radio(key="kpi_basis").set_value("cohort").run()
    at.sidebar.selectbox(key="kpi_dimension").set_value("segment").run()
    at.sidebar.selectbox(key="kpi_value").set_value(segment).run()
    at.sidebar.selectbox(key="kpi_period").set_value(week).run()
    assert_clean(at)
    link = {
        "grain": "week",
        "basis": "cohort",
        "slice": "segment",
        "slice_value": segment,
        "period": f"{week}",
    }
    assert {name: at.query_params.get(name) for name in link} == link
    chosen = metrics(at)

    def choices(at: AppTest) -> list:
        return [
            at.sidebar.radio(key="kpi_grain").value,
            at.sidebar.radio(key="kpi_basis").value,
            at.sidebar.selectbox(key="kpi_dimension").value,
            at.sidebar.selectbox(key="kpi_value").value,
            at.sidebar.selectbox(key="kpi_period").value,
        ]

    # the link opened in a new session restores the choices, and so the figures
    shared = app_on("kpi_ladder")
    shared.query_params.update(link)
    shared.run()
    assert_clean(shared)
    assert choices(shared) == ["week", "cohort", "segment", segment, week]
    assert metrics(shared) == chosen
    assert f"current period week of {week:%Y-%m-%d}" in active_filters(shared)

    # back on the page from another one (a bare URL, the widgets gone): the session's last choices
    at.query_params.clear()
    at.switch_page("views/funnel.py").run()
    at.query_params.clear()
    at.switch_page("views/kpi_ladder.py").run()
    assert_clean(at)
    assert choices(at) == ["week", "cohort", "segment", segment, week]
    assert {name: at.query_params.get(name) for name in link} == link


def test_kpi_ladder_choices_unknown_in_the_url_fall_back_to_the_defaults(dash):
    if not has_table(dash, "kpi_ladder"):
        pytest.skip("marts.kpi_ladder is not built in this project yet (the not-built message is tested)")
    at = app_on("kpi_ladder")
    at.query_params.update(
        {
            "grain": "fortnight",
            "basis": "'; drop table x",
            "slice": "planet",
            "slice_value": "mars",
            "period": "1999-01",
        }
    )
    at.run()
    assert_clean(at)
    period, expected = kpi_expected(dash, "all", "all")
    assert at.sidebar.radio(key="kpi_grain").value == "month"
    assert at.sidebar.selectbox(key="kpi_dimension").value == "all"
    assert f"{at.sidebar.selectbox(key='kpi_period').value:%Y-%m}" == period  # the latest
    assert metrics(at) == expected
    assert not set(at.query_params) & {"grain", "basis", "slice", "slice_value", "period"}  # dropped

    # a known slice with an unknown value: the slice, at its first value
    values = [
        r[0]
        for r in run_sql(
            dash,
            "select distinct slice_value from marts.kpi_ladder where slice_dimension = 'segment' order by 1",
        )
    ]
    other = app_on("kpi_ladder")
    other.query_params.update({"slice": "segment", "slice_value": "mars"})
    other.run()
    assert_clean(other)
    assert other.sidebar.selectbox(key="kpi_dimension").value == "segment"
    assert other.sidebar.selectbox(key="kpi_value").value == values[0]
    assert other.query_params["slice"] == "segment" and "slice_value" not in other.query_params


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


def test_a_clicked_chart_point_of_pipeline_now_is_the_lead_list_of_its_cell():
    from urllib.parse import urlencode

    # a heatmap cell (stage x age) and a bar (stage x SLA state), as Vega-Lite's point selection
    # gives them: the values of the selection's fields
    heat = pipeline_q.clicked_cell([{"current_stage": "mql", "age_bucket": "1_to_4_weeks"}])
    assert heat == pipeline_q.Cell(stage="mql", age="1_to_4_weeks")
    bar = pipeline_q.clicked_cell([{"current_stage": "sal", "sla_state": "at_risk"}])
    assert bar == pipeline_q.Cell(stage="sal", sla="at_risk")
    # shift-click selects several: the first; a click beside the cells clears the selection
    two = [
        {"current_stage": "sql", "age_bucket": "over_6_months"},
        {"current_stage": "mql", "age_bucket": "1_to_4_weeks"},
    ]
    assert pipeline_q.clicked_cell(two) == pipeline_q.Cell(stage="sql", age="over_6_months")
    assert pipeline_q.clicked_cell([]) is None
    assert pipeline_q.clicked_cell([{"leads": 3}]) is None

    # the lead list's parameters: the reader's filters (repeated for several values), then the cell
    filters = {
        "segment": ["smb", "mid_market"],
        "team": ["Europe, Middle East & Africa"],
        "from": ["2026-08"],
    }
    params = pipeline_q.lead_list_params(filters, heat)
    assert params == {**filters, "stage": ["mql"], "age": ["1_to_4_weeks"]}
    assert urlencode(params, doseq=True) == (
        "segment=smb&segment=mid_market&team=Europe%2C+Middle+East+%26+Africa&from=2026-08&stage=mql&age=1_to_4_weeks"
    )
    assert pipeline_q.lead_list_params({}, bar) == {"stage": ["sal"], "sla": ["at_risk"]}


def click_chart(at: AppTest, key: str, point: dict[str, str]) -> AppTest:
    """Rerun the app as the browser does after a click on a point of the chart `key` (drawn with
    on_select): with the chart's widget state, its point selection. AppTest has no chart
    interaction, so the state goes through its runner's private entry."""
    (chart,) = [c for c in at.get("vega_lite_chart") if c.proto.id.endswith(f"-{key}")]
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = chart.proto.id
    state.string_value = json.dumps({"selection": {"click": [point]}})
    return at._run(states)


def test_a_click_on_a_pipeline_now_chart_opens_the_lead_list_of_its_cell_with_the_filters(dash):
    segment = run_sql(dash, "select segment from marts.lead_pipeline_now group by 1 order by count(*) desc")[
        0
    ][0]

    def top_cell(column: str, where: str = "true") -> tuple[str, str, int]:
        return run_sql(
            dash,
            f"select current_stage, {column}, count(*) from marts.lead_pipeline_now where segment = ? "
            f"and {where} group by all order by 3 desc, 1, 2 limit 1",
            [segment],
        )[0]

    def opened(at: AppTest, n: int) -> None:
        assert_clean(at)
        assert at.title[0].value == "Lead explorer"
        assert at.sidebar.multiselect(key="explorer_segment").value == [segment]
        assert any(c.value.startswith(f"{fmt_int(min(n, 200))} of {fmt_int(n)} leads") for c in at.caption)

    at = open_page("pipeline")
    at.sidebar.multiselect(key="pipeline_segment").set_value([segment]).run()
    assert "Click a cell of the heatmap or a bar" in texts(at)
    stage, bucket, n = top_cell("age_bucket")
    opened(click_chart(at, "pipeline_age", {"current_stage": stage, "age_bucket": bucket}), n)
    assert dict(at.query_params) == {"segment": segment, "stage": stage, "age": bucket}
    assert f"Open leads: {stage_label(stage)}, in stage" in [s.value for s in at.subheader][0]

    at.query_params.clear()
    at.switch_page("views/pipeline.py").run()
    assert_clean(at)
    stage, state, n = top_cell("sla_state", "sla_state != 'no_open_sla'")  # the bars leave those out
    opened(click_chart(at, "pipeline_sla", {"current_stage": stage, "sla_state": state}), n)
    assert dict(at.query_params) == {"segment": segment, "stage": stage, "sla": state}


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


# ---- filters that follow the reader across pages


def lead_months_of(path: Path) -> list[date]:
    """The cohort months of marts.leads, in order (the Funnel's and Velocity's period options)."""
    return sorted(
        m for (m,) in run_sql(path, "select distinct date_trunc('month', created_at)::date from marts.leads")
    )


def test_trailing_full_months_preset_leaves_out_the_running_month():
    from dashboards.queries.common import PRESETS

    assert "Trailing 3 full months" in PRESETS
    months = [date(2025, m, 1) for m in range(5, 13)] + [date(2026, m, 1) for m in range(1, 12)]
    # data up to November 2026 (still running): the three months before it, neither the last quarter
    # nor the last 3 months
    assert preset_range("Trailing 3 full months", months) == (date(2026, 8, 1), date(2026, 10, 1))
    assert preset_range("Last 3 months", months) == (date(2026, 9, 1), date(2026, 11, 1))
    assert preset_range("Last quarter", months) == (date(2026, 7, 1), date(2026, 9, 1))
    # in the first month of a quarter it is the last quarter
    assert preset_range("Trailing 3 full months", months[:-1]) == preset_range("Last quarter", months[:-1])
    # only the months with data inside it; none: no range
    assert preset_range("Trailing 3 full months", [date(2026, 9, 1), date(2026, 11, 1)]) == (
        date(2026, 9, 1),
        date(2026, 9, 1),
    )
    assert preset_range("Trailing 3 full months", [date(2026, 11, 1)]) is None


def test_the_period_chosen_on_funnel_survives_pipeline_now_and_the_lead_list_and_applies_on_velocity(dash):
    from urllib.parse import parse_qs, urlsplit

    months = lead_months_of(dash)
    lo, hi = preset_range("Last quarter", months)
    assert (lo, hi) != (months[0], months[-1])  # a period that is a filter
    span = [f"{lo:%Y-%m}", f"{hi:%Y-%m}"]
    at = open_page("funnel")
    at.sidebar.selectbox(key="funnel_preset").set_value("Last quarter").run()
    assert_clean(at)
    assert [at.query_params["from"], at.query_params["to"]] == span
    period_col = "cohort_month" if has_table(dash, "funnel_conversion") else "created_at"
    in_period = f"{period_col} >= ?::date and {period_col} < ?::date + interval 1 month"
    assert metrics(at)["Lead"] == funnel_expected(dash, in_period, [lo, hi])["Lead"]

    # Pipeline now has no period: it keeps the reader's, in the URL, the session and its links
    at.switch_page("views/pipeline.py").run()
    assert_clean(at)
    assert [at.query_params["from"], at.query_params["to"]] == span
    assert "period" not in active_filters(at)
    link = next(
        part.split("](")[1].split(")")[0]
        for m in at.markdown
        for part in m.value.split("[")[1:]
        if "](leads?" in part
    )
    assert link.startswith(f"leads?from={span[0]}&to={span[1]}&"), link

    # the lead list of a cell, opened by its link (a URL with the period): keeps it too
    at.query_params.clear()
    at.query_params.update({k: v[0] for k, v in parse_qs(urlsplit(link).query).items()})
    at.switch_page("views/lead_explorer.py").run()
    assert_clean(at)
    assert at.dataframe, "the lead list of the cell"
    assert [at.query_params["from"], at.query_params["to"]] == span

    # Velocity from the sidebar (a page switch starts from a bare URL): the period of the session,
    # applied to the figures
    at.query_params.clear()
    at.switch_page("views/velocity.py").run()
    assert_clean(at)
    assert at.sidebar.selectbox(key="velocity_preset").value == "Last quarter"
    assert f"period {span[0]} → {span[1]}" in active_filters(at)
    assert [at.query_params["from"], at.query_params["to"]] == span
    created = "created_at >= ?::date and created_at < ?::date + interval 1 month"
    expected = leads_median_days(dash, "mql_at", "sql_at", created, [lo, hi])
    assert metrics(at)["Median MQL → SQL"] == fmt_days(expected)
    assert expected != leads_median_days(dash, "mql_at", "sql_at")  # not the whole period's


def test_a_team_chosen_on_sla_carries_to_funnel_and_pipeline_and_stays_in_the_url(dash):
    from urllib.parse import urlencode

    for table in ("lead_sla", "funnel_conversion", "lead_pipeline_now"):
        if not has_table(dash, table):
            pytest.skip(f"marts.{table} is not built in this project yet")
    # a team of every page, with a comma in its name when one has ("Europe, Middle East & Africa …"):
    # a URL parameter's values must not be split on it
    team_id, name = run_sql(
        dash,
        "select team_id, team_name from (select team_id, any_value(team_name) as team_name, count(*) as n "
        "from marts.lead_sla where team_id is not null group by 1) "
        "where team_id in (select team_id from marts.funnel_conversion) "
        "and team_name in (select team_name from marts.lead_pipeline_now) "
        "order by team_name like '%,%' desc, n desc limit 1",
    )[0]
    at = open_page("sla")
    at.sidebar.multiselect(key="sla_team").set_value([name]).run()
    assert_clean(at)
    assert at.query_params["team"] == name
    assert metrics(at)["SLA instances"] == sla_expected(dash, "team_name = ?", [name])["SLA instances"]

    # Funnel: the same name (its mart has the team's id)
    at.switch_page("views/funnel.py").run()
    assert_clean(at)
    assert at.sidebar.multiselect(key="funnel_team").value == [name]
    assert f"Team: {name}" in active_filters(at)
    assert at.query_params["team"] == name
    for label, value in funnel_expected(dash, "team_id = ?", [team_id]).items():
        assert metrics(at)[label] == value, label

    # Pipeline now from the sidebar (a bare URL): the team of the session, back in the URL and links
    at.query_params.clear()
    at.switch_page("views/pipeline.py").run()
    assert_clean(at)
    assert at.sidebar.multiselect(key="pipeline_team").value == [name]
    assert at.query_params["team"] == name
    open_leads = run_sql(dash, "select count(*) from marts.lead_pipeline_now where team_name = ?", [name])
    assert metrics(at)["Open leads"] == fmt_int(open_leads[0][0])
    assert any(f"(leads?{urlencode({'team': name})}&" in m.value for m in at.markdown)

    # a shared link with the team (a name with a comma) opens with it
    shared = app_on("sla")
    shared.query_params["team"] = name
    shared.run()
    assert_clean(shared)
    assert shared.sidebar.multiselect(key="sla_team").value == [name]


def test_pipeline_now_says_its_thresholds_in_words_and_zero_counts_as_0(dash):
    at = open_page("pipeline")
    policies = seed("sla_policies")
    days = {float(r["actionable_days"]) for r in policies}
    shares = {float(r["at_risk_share"]) for r in policies}
    assert len(days) == len(shares) == 1, "one threshold of each for every SLA in the seed"
    (n_days,), (share,) = days, shares
    words = (
        f"A breach is stale (breached long ago) once it is {n_days:g} days past due; "
        f"a clock is at risk once {100 * share:g} % of its target is used."
    )
    assert words in texts(at)
    for label in ("Breached this week", "At risk", "Breached long ago"):
        assert not {"actionable_days", "at_risk_share"} & set(hover(at, label).replace("(", " ").split())
    assert "actionable_days" not in texts(at) and "at_risk_share" not in texts(at)

    def count(where: str) -> int:
        return run_sql(dash, f"select count(*) from marts.lead_pipeline_now where {where}")[0][0]

    def shown(n: int, query: str) -> str:
        return f"[{fmt_int(n)}](leads?{query})" if n else "0"

    parts = [
        f"{shown(count(where), query)} {what}"
        for where, query, what in (
            ("sla_state = 'breached_recent'", "sla=breached_recent", "breached"),
            ("sla_state = 'at_risk'", "sla=at_risk", "at risk"),
            ("is_unrouted", "owner=unrouted", "unrouted"),
        )
    ]
    act = next(m.value for m in at.markdown if m.value.startswith("Act this week:"))
    assert act == "Act this week: " + " · ".join(parts)
    assert "· ·" not in act


# ---- readable labels and units


def raw_codes() -> set[str]:
    """Codes readers must never see on the lead explorer: the lifecycle triggers (seeds/lifecycle),
    the score bands (display_labels), the ledger's change types (lead_score_changes.change_type's
    accepted values) and the scoring signals (seeds/scoring)."""
    return (
        {r["trigger_name"] for r in seed("lifecycle_trigger_order")}
        | {r["code"] for r in seed("display_labels") if r["dimension"] == "score_band"}
        | {"fit", "negative", "expiry", "intent", "velocity", "decay"}
        | {r["signal"] for r in seed("scoring_intent_rules")}
        | {r["rule_id"] for r in seed("scoring_fit_rules")}
    )


def spec_domains(node: object) -> list[list]:
    """Every scale domain (legend entries) of a Vega-Lite spec."""
    if isinstance(node, dict):
        found = [node["domain"]] if isinstance(node.get("domain"), list) else []
        return found + [d for v in node.values() for d in spec_domains(v)]
    if isinstance(node, list):
        return [d for v in node for d in spec_domains(v)]
    return []


def test_lead_explorer_tables_show_labels_and_a_dash_for_missing_values(dash):
    lead_id, band, industry = run_sql(
        dash,
        """
        with c as (select lead_id, count(distinct change_type) as kinds from marts.lead_score_changes group by 1),
        h as (
            select lead_id, count(distinct entered_by) as triggers, count(reason_code) as reasons
            from marts.lead_stage_history group by 1
        )
        select l.lead_id, l.score_band, l.industry from c join h using (lead_id) join marts.leads l using (lead_id)
        where h.reasons > 0
        order by c.kinds desc, h.triggers desc, h.reasons desc, l.lead_id limit 1
        """,
    )[0]
    at = open_page("lead_explorer")
    at.sidebar.text_input(key="explorer_search").input(lead_id).run()
    assert_clean(at)
    assert at.selectbox(key="explorer_lead").value == lead_id
    option = at.selectbox(key="explorer_lead").format_func(lead_id)
    assert option.endswith(f"({display_label('score_band', band)})"), option
    if industry:
        assert f"· {industry} ·" not in texts(at)  # e.g. 'logistics': shown as 'Logistics'
    codes = raw_codes()

    stages = next(d.value for d in at.dataframe if "Trigger" in d.value.columns)
    history = run_sql(
        dash,
        "select entered_by, reason_code, exited_at from marts.lead_stage_history where lead_id = ? "
        "order by stage_sequence",
        [lead_id],
    )
    reasons = {r["reason_code"]: r["label"] for r in seed("reason_codes")} | {
        r["trigger_id"]: r["trigger_name"] for r in seed("requalification_triggers")
    }
    assert len(stages) == len(history)
    assert not set(stages["Trigger"]) & codes, set(stages["Trigger"]) & codes
    assert all(isinstance(t, str) and t and t != "None" for t in stages["Trigger"])
    assert list(stages["Reason"]) == [reasons[c] if c else "–" for _, c, _ in history]
    assert "–" in list(stages["Reason"]) and any(c for _, c, _ in history)
    assert list(stages["Exited (UTC)"]) == [f"{x:%Y-%m-%d %H:%M}" if x else "–" for _, _, x in history]
    assert any(x is None for _, _, x in history)  # the stage the lead is in
    assert any("– in Exited: the lead is still in that stage" in c.value for c in at.caption)

    ledger = next(d.value for d in at.dataframe if "Score after" in d.value.columns)
    changes = run_sql(
        dash,
        "select change_type, signal, band_after from marts.lead_score_changes where lead_id = ? "
        "order by change_sequence",
        [lead_id],
    )
    assert len(ledger) == len(changes) > 0
    for column in ("Type", "Signal", "Band after"):
        shown = set(ledger[column])
        assert not shown & codes, (column, shown & codes)
        assert all(isinstance(v, str) and v and v != "None" for v in shown), (column, shown)
    assert list(ledger["Band after"]) == [display_label("score_band", b) for _, _, b in changes]
    intent_labels = {r["signal"]: r["label"] for r in seed("scoring_intent_rules")}
    for (kind, signal, _), shown in zip(changes, ledger["Signal"], strict=True):
        if kind == "intent":  # the scoring rule's label, capitalised: 'demo request' -> 'Demo request'
            assert shown == intent_labels[signal][:1].upper() + intent_labels[signal][1:]

    # the charts: legends by label, and no green or red (they mean good / bad on every page)
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    legends = {v for spec in specs for domain in spec_domains(spec) for v in domain if isinstance(v, str)}
    kinds = {k for k, _, _ in changes}
    assert not legends & kinds and {ui.labeller("score_change_type")(k) for k in kinds} <= legends
    judged = {"#2ca02c", "#d62728", *(ui.RAG_COLORS[c] for c in ("green", "red"))}
    assert not any(color in json.dumps(spec).lower() for spec in specs for color in judged)


def test_scoring_health_peak_bands_by_label_and_what_if_deltas_with_units(dash):
    from streamlit.proto.Metric_pb2 import Metric as MetricProto

    at = open_page("scoring_health")
    table = next(d.value for d in at.dataframe if "Peak band" in d.value.columns)
    peak = [
        b for (b,) in run_sql(dash, "select distinct peak_band from marts.leads where peak_band is not null")
    ]
    assert sorted(table["Peak band"]) == sorted(display_label("score_band", b) for b in peak)
    assert not set(table["Peak band"]) & set(peak)

    model_id, baseline = run_sql(
        dash,
        "select model_id, mql_threshold from config.scoring_models order by priority desc, model_id limit 1",
    )[0]
    higher = int(baseline) + 15
    at.sidebar.slider(key=f"scoring_threshold_{model_id}").set_value(higher).run()
    assert_clean(at)
    base_mqls, new_mqls = (
        run_sql(
            dash,
            "select count(*) from marts.leads where scoring_model_id = ? and has_mandatory_fields and peak_score >= ?",
            [model_id, t],
        )[0][0]
        for t in (int(baseline), higher)
    )
    shown = {m.label: m for m in at.metric}
    assert (
        shown[f"MQLs at ≥ {higher}"].delta == f"{new_mqls - base_mqls:+,} MQLs vs today's {float(baseline):g}"
    )
    assert shown["SDR load (MQLs / week)"].delta.endswith(" MQLs / week vs today's threshold")
    assert shown["Expected wins"].delta.endswith(" wins vs today's threshold")
    assert shown["Expected win rate of MQLs"].delta.endswith(" percentage points vs today's threshold")
    what_if = [f"MQLs at ≥ {higher}", "SDR load (MQLs / week)", "Expected wins", "Expected win rate of MQLs"]
    assert all(shown[label].proto.color == MetricProto.MetricColor.GRAY for label in what_if)


def test_deltas_say_their_unit():
    from dashboards.formatting import fmt_delta, fmt_pp

    assert fmt_delta(1200, 1188, "count", counted="leads") == "+12 leads"
    assert fmt_delta(1187, 1188, "count", counted="leads") == "-1 lead"
    assert fmt_delta(1200, 1188, "leads") == "+12 leads"
    assert fmt_delta(40, 42, "mqls") == "-2 MQLs"
    assert fmt_delta(12, 12, "count") == "+0"  # a bare count: no unit made up
    assert fmt_delta(3.1, 5.47, "months") == "-2.4 months"  # CAC payback: 3.1 - 5.47 = -2.37
    assert fmt_delta(7.25, 5, "months") == "+2.2 months"  # 2.25 -> 2.2 (round half to even)
    assert fmt_delta(0.30, 0.25, "ratio") == "+5.0 pp"
    assert fmt_delta(1.5, 1, "widgets") == "+0.50 widgets"  # a unit not known here is still written
    assert fmt_delta(None, 1, "months") is None
    assert fmt_pp(0.021, spelled=True) == "+2.1 percentage points"


def test_kpi_ladder_deltas_carry_the_catalogue_unit(dash):
    if not has_table(dash, "kpi_ladder"):
        pytest.skip("marts.kpi_ladder is not built in this project yet")
    period, _ = kpi_expected(dash, "all", "all")  # the page's default view: monthly, slice all
    bases = {
        r[0]
        for r in run_sql(dash, "select distinct basis from marts.kpi_ladder where period_grain = 'month'")
    }
    basis = "period" if "period" in bases else min(bases)
    periods = [
        p
        for (p,) in run_sql(
            dash,
            "select distinct period_start::date from marts.kpi_ladder where period_grain = 'month' "
            "and basis = ? and slice_dimension = 'all' order by 1",
            [basis],
        )
    ]
    current = next(p for p in periods if f"{p:%Y-%m}" == period)
    previous = max(p for p in periods if p < current)

    def value(metric: str, at_period: date) -> float | None:
        found = run_sql(
            dash,
            "select any_value(value) from marts.kpi_ladder where period_grain = 'month' and basis = ? "
            "and slice_dimension = 'all' and metric = ? and period_start::date = ?",
            [basis, metric, at_period],
        )
        return found[0][0] if found else None

    labels = {r["metric"]: r["label"] for r in seed("kpi_metrics")}
    at = open_page("kpi_ladder")
    shown = {m.label: m.delta for m in at.metric}
    now, before = value("lead_volume", current), value("lead_volume", previous)
    assert now is not None and before is not None
    d = round(now - before)
    assert shown[labels["lead_volume"]] == f"{d:+,} lead{'' if abs(d) == 1 else 's'} vs previous"
    now, before = value("cac_payback_months", current), value("cac_payback_months", previous)
    if now is not None and before is not None:
        assert shown[labels["cac_payback_months"]] == f"{now - before:+,.1f} months vs previous"


# ---- SLA page: colours against targets, sortable durations


def sla_outcomes(
    path: Path, where: str = "true", params: list | None = None
) -> dict[str, tuple[int, int, int]]:
    """Per sla_id, from the clocks' own times (not their status): (met = stopped by the due time,
    stopped late = stopped after it, running past due = not stopped and due before the data's as-of)."""
    rows = run_sql(
        path,
        "select sla_id, count(*) filter (where stopped_at <= due_at), count(*) filter (where stopped_at > due_at), "
        "count(*) filter (where stopped_at is null and due_at < (select max(as_of) from marts.leads)) "
        f"from marts.lead_sla where {where} group by 1",
        params,
    )
    return {sla_id: (met, late, running) for sla_id, met, late, running in rows}


def seed_cutoffs() -> tuple[float, float]:
    """(target, red cut-off) of SLA compliance as seeds/kpi/kpi_parameters.csv gives them."""
    values = {r["parameter"]: float(r["value"]) for r in seed("kpi_parameters")}
    return values["sla_compliance_target"], values["sla_compliance_red_below"]


def seed_sla_cutoffs() -> dict[str, tuple[float, float]]:
    """(target, red cut-off) of each SLA, written again from the seeds: the SLA's own compliance_target
    and compliance_red_below of seeds/sla/sla_policies.csv where set, else the global values of
    seeds/kpi/kpi_parameters.csv; a red cut-off above the SLA's target is lowered to it."""
    target, red_below = seed_cutoffs()
    found = {}
    for r in seed("sla_policies"):
        own_target = float(r["compliance_target"]) if r["compliance_target"] else target
        own_red = float(r["compliance_red_below"]) if r["compliance_red_below"] else red_below
        found[r["sla_id"]] = (own_target, min(own_red, own_target))
    return found


def rag_of(compliance: float, decided: int, target: float, red_below: float) -> str:
    """The page's rule, written again: grey under MIN_JUDGED decided clocks, green at or above the
    target, amber from the red cut-off, red below it."""
    from dashboards.queries import sla as sla_q

    if decided < sla_q.MIN_JUDGED:
        return "grey"
    if compliance >= target:
        return "green"
    return "amber" if compliance >= red_below else "red"


def chart_data(at: AppTest, title: str) -> tuple[dict, list]:
    """The Vega-Lite spec of the page's chart titled `title` (at any layer) and its data sets."""
    import pyarrow as pa

    def titles(node) -> list[str]:
        if isinstance(node, dict):
            found = [node["title"].get("text")] if isinstance(node.get("title"), dict) else []
            return found + [t for v in node.values() for t in titles(v)]
        return [t for v in node for t in titles(v)] if isinstance(node, list) else []

    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        if title in titles(spec):
            frames = [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in chart.proto.datasets]
            return spec, frames
    raise AssertionError(f"no chart titled {title!r}: {chart_titles(at)}")


def colour_scales(node) -> dict[str, str]:
    """label -> colour of every colour scale in a spec."""
    found: dict[str, str] = {}
    if isinstance(node, dict):
        scale = node.get("color", {}).get("scale", {}) if isinstance(node.get("color"), dict) else {}
        if "domain" in scale and "range" in scale:
            found.update(zip(scale["domain"], scale["range"], strict=True))
        for v in node.values():
            found.update(colour_scales(v))
    elif isinstance(node, list):
        for v in node:
            found.update(colour_scales(v))
    return found


def test_sla_colours_judge_compliance_with_running_overdue_clocks_as_breached(dash):
    from dashboards.queries import sla as sla_q

    target, red_below = seed_cutoffs()
    assert 0 < red_below < target <= 1
    cut = sla_q.compliance_cutoffs(runner(dash))
    assert (cut.target, cut.red_below, cut.from_seed) == (target, red_below, True)
    # each SLA against its own target where the seed sets one (the demo seed sets some, leaves others
    # to the global one): the SLAs' cut-offs differ, so the legend says "its target" without numbers
    per_sla = seed_sla_cutoffs()
    assert len(set(per_sla.values())) > 1 and (target, red_below) in set(per_sla.values())
    cutoffs = sla_q.sla_cutoffs(runner(dash))
    assert (
        cutoffs.per_sla and {s: (cutoffs.of(s).target, cutoffs.of(s).red_below) for s in per_sla} == per_sla
    )
    states = sla_q.MIXED_STATES
    outcomes = sla_outcomes(dash)
    expected = {}
    for sla_id, (met, late, running) in outcomes.items():
        decided = met + late + running
        compliance = met / decided if decided else math.nan
        expected[sla_id] = (compliance, rag_of(compliance, decided, *per_sla[sla_id]))

    # the query functions' output equals the independent counts and the rule
    by_sla = sla_q.sla_by(runner(dash), Filters(), "sla")
    assert set(by_sla["sla_id"]) == set(outcomes)
    time_taken = sla_q.sla_time_to_target(runner(dash), Filters())
    assert set(time_taken["sla_id"]) == {s for s, counts in outcomes.items() if sum(counts)}
    for df in (by_sla, time_taken):
        for r in df.itertuples():
            compliance, rag = expected[r.sla_id]
            assert r.compliance == pytest.approx(compliance, nan_ok=True), r.sla_id
            assert (r.rag, r.rag_label) == (rag, states[rag]), r.sla_id
            assert (r.target, r.red_below) == per_sla[r.sla_id], r.sla_id
    for r in time_taken.itertuples():
        met, late, running = outcomes[r.sla_id]
        assert (r.met, r.late, r.open_breached, r.decided) == (
            met,
            late + running,
            running,
            met + late + running,
        )

    # running overdue clocks count as breached: an SLA whose stopped clocks alone look fine (the
    # test build's "SDR first touch (hot)") is red once its clocks running past due count
    red = [s for s, (c, rag) in expected.items() if rag == "red"]
    assert red, expected
    flattered = [
        s
        for s in red
        if outcomes[s][2] and outcomes[s][0] / max(1, outcomes[s][0] + outcomes[s][1]) >= per_sla[s][1]
    ]
    assert flattered, "no SLA is red only because of its clocks running past due"
    worst = min(expected, key=lambda s: expected[s][0])
    assert expected[worst][0] < per_sla[worst][1]

    # the page colours both charts by the same rule, says it, and draws each SLA's compliance target
    at = open_page("sla")
    names = dict(zip(by_sla["sla_id"], by_sla["sla_name"], strict=True))
    want = {names[s]: states[rag] for s, (_, rag) in expected.items()}
    for title in ["Compliance by SLA", "Median time taken, % of the SLA's target"]:
        spec, frames = chart_data(at, title)
        (rows,) = [df for df in frames if "rag_label" in df.columns]
        assert {n: lab for n, lab in zip(rows["sla_name"], rows["rag_label"], strict=True)} == {
            n: lab for n, lab in want.items() if n in set(rows["sla_name"])
        }, title
        colours = colour_scales(spec)
        assert colours[states["red"]] == ui.RAG_COLORS["red"], title
        assert all(colours[lab] == ui.RAG_COLORS[rag] for rag, lab in states.items() if lab in colours)
        assert set(colours) >= set(rows["rag_label"]), title
    spec, frames = chart_data(at, "Compliance by SLA")
    (ticks,) = [df for df in frames if "target_pct" in df.columns and "rag_label" not in df.columns]
    assert dict(zip(ticks["sla_name"], ticks["target_pct"], strict=True)) == {
        names[s]: pytest.approx(per_sla[s][0] * 100) for s in names
    }
    assert '"tick"' in json.dumps(spec)
    sla_names = sla_q.sla_names(runner(dash))
    caption = cutoffs.rule(dict(zip(sla_names["sla_id"], sla_names["sla_name"], strict=True)))
    assert caption in texts(at)
    for sla_id, (own_target, own_red) in per_sla.items():
        assert f"{names[sla_id]} {own_target * 100:.0f} % (red below {own_red * 100:.0f} %)" in caption
    # teams mix the SLAs' clocks: judged against the global target, and the page says so
    spec, frames = chart_data(at, "Compliance by team")
    assert any("at" in df.columns and list(df["at"]) == [target * 100] for df in frames)
    assert f"Teams and the weekly line of all SLAs are judged against {target * 100:.0f} %" in texts(at)


def test_sla_compliance_cutoffs_are_the_seeds_data(dash, tmp_path):
    """The global target and red cut-off come from config.kpi_parameters: changed there, the colours
    of the SLAs without their own follow; a copy without them (published before the seed had them)
    says the defaults are used."""
    from dashboards.queries import sla as sla_q

    own = {r["sla_id"] for r in seed("sla_policies") if r["compliance_target"] or r["compliance_red_below"]}
    per_sla = seed_sla_cutoffs()
    copy = tmp_path / "copy.duckdb"
    shutil.copy(dash, copy)
    con = duckdb.connect(str(copy))
    con.execute("update config.kpi_parameters set value = 0.02 where parameter = 'sla_compliance_target'")
    con.execute("update config.kpi_parameters set value = 0.01 where parameter = 'sla_compliance_red_below'")
    con.close()
    cut = sla_q.compliance_cutoffs(runner(copy))
    assert (cut.target, cut.red_below, cut.from_seed) == (0.02, 0.01, True)
    by_sla = sla_q.sla_by(runner(copy), Filters(), "sla")
    for r in by_sla.itertuples():
        cutoffs = per_sla[r.sla_id] if r.sla_id in own else (0.02, 0.01)
        assert r.rag == rag_of(r.compliance, r.decided, *cutoffs), r.sla_id
    # with a 2 % target every SLA without its own, with enough decided clocks and any met is on target
    assert {
        r.rag for r in by_sla.itertuples() if r.decided >= sla_q.MIN_JUDGED and r.met and r.sla_id not in own
    } == {"green"}

    # without any SLA's own values every SLA follows the global ones, and the legend gives them
    con = duckdb.connect(str(copy))
    con.execute("update config.sla_policies set compliance_target = null, compliance_red_below = null")
    con.close()
    by_sla = sla_q.sla_by(runner(copy), Filters(), "sla")
    for r in by_sla.itertuples():
        assert r.rag == rag_of(r.compliance, r.decided, 0.02, 0.01), r.sla_id
    assert "on target (≥ 2 %)" in set(by_sla["rag_label"])

    con = duckdb.connect(str(copy))
    con.execute("drop table config.kpi_parameters")
    con.close()
    cut = sla_q.compliance_cutoffs(runner(copy))
    assert (cut.target, cut.red_below, cut.from_seed) == (0.90, 0.80, False)
    assert "predates" in cut.rule()


def test_an_sla_s_own_compliance_target_changes_its_colour_only(dash, published, tmp_path):
    """An SLA's own compliance_target / compliance_red_below (seeds/sla/sla_policies.csv, published as
    config.sla_policies) judge that SLA and no other: from the mart's counts by hand, the SLA given
    its own cut-offs changes colour, every other SLA keeps its colour against the global ones; a
    blank value falls back to the global one. A copy published before the columns existed, or
    without config.sla_policies, judges every SLA against the global cut-offs."""
    from dashboards.queries import sla as sla_q

    target, red_below = seed_cutoffs()
    copy = tmp_path / "copy.duckdb"
    shutil.copy(dash, copy)
    con = duckdb.connect(str(copy))
    con.execute("update config.sla_policies set compliance_target = null, compliance_red_below = null")
    con.close()

    # every value blank: every SLA against the global cut-offs (the independent counts)
    expected = {}
    for sla_id, (met, late, running) in sla_outcomes(copy).items():
        decided = met + late + running
        compliance = met / decided if decided else math.nan
        expected[sla_id] = (compliance, decided, rag_of(compliance, decided, target, red_below))
    by_sla = sla_q.sla_by(runner(copy), Filters(), "sla")
    assert {r.sla_id: r.rag for r in by_sla.itertuples()} == {s: e[2] for s, e in expected.items()}
    assert set(by_sla["target_text"]) == {
        f"{target * 100:.0f} %, red below {red_below * 100:.0f} % (the global target, {sla_q.GLOBAL_SOURCE})"
    }

    # one SLA, judged, neither amber nor always met, gets a target above its compliance and a red
    # cut-off below it: amber, whatever the global cut-offs say
    chosen = next(
        s
        for s, (c, decided, rag) in sorted(expected.items())
        if decided >= sla_q.MIN_JUDGED and 0 < c < 1 and rag != "amber"
    )
    compliance = expected[chosen][0]
    own_target, own_red = round((1 + compliance) / 2, 4), round(compliance / 2, 4)
    assert own_red < compliance < own_target
    con = duckdb.connect(str(copy))
    con.execute(
        "update config.sla_policies set compliance_target = ?, compliance_red_below = ? where sla_id = ?",
        [own_target, own_red, chosen],
    )
    con.close()
    cutoffs = sla_q.sla_cutoffs(runner(copy))
    assert (cutoffs.of(chosen).target, cutoffs.of(chosen).red_below) == (own_target, own_red)
    assert cutoffs.of(chosen).own == sla_q.SLA_CUTOFF_COLUMNS
    assert all(cutoffs.of(s) == cutoffs.default for s in expected if s != chosen)
    for df in (
        sla_q.sla_by(runner(copy), Filters(), "sla"),
        sla_q.sla_time_to_target(runner(copy), Filters()),
    ):
        rags = {r.sla_id: r.rag for r in df.itertuples()}
        assert rags[chosen] == "amber"
        assert {s: r for s, r in rags.items() if s != chosen} == {
            s: e[2] for s, e in expected.items() if s != chosen and s in rags
        }
        assert set(df["rag_label"]) <= set(sla_q.MIXED_STATES.values())
    # the weekly rows of the SLA are judged against its own cut-offs too, the others' against the global
    weekly = sla_q.sla_weekly(runner(copy), Filters())
    assert set(weekly.loc[weekly["sla_id"] == chosen, "target"]) == {own_target}
    assert set(weekly.loc[weekly["sla_id"] != chosen, "target"]) == {target}
    # a team mixes SLAs of different targets: the global cut-offs; with only that SLA chosen, its own
    assert set(sla_q.sla_by(runner(copy), Filters(), "team")["target"]) == {target}
    assert set(sla_q.sla_by(runner(copy), Filters(), "team", [chosen])["target"]) == {own_target}
    assert sla_q.sla_overall(runner(copy), Filters(), [chosen])["target"] == own_target

    # the page: the SLA's bar amber, its target tick at its own target, the caption names its source
    published(copy)
    at = open_page("sla")
    names = dict(zip(by_sla["sla_id"], by_sla["sla_name"], strict=True))
    spec, frames = chart_data(at, "Compliance by SLA")
    (rows,) = [df for df in frames if "rag_label" in df.columns]
    labels = dict(zip(rows["sla_name"], rows["rag_label"], strict=True))
    assert labels == {
        names[s]: sla_q.MIXED_STATES["amber" if s == chosen else e[2]] for s, e in expected.items()
    }
    (ticks,) = [df for df in frames if "target_pct" in df.columns and "rag_label" not in df.columns]
    assert dict(zip(ticks["sla_name"], ticks["target_pct"], strict=True)) == {
        names[s]: pytest.approx((own_target if s == chosen else target) * 100) for s in expected
    }
    page_text = texts(at)
    assert (
        f"{names[chosen]} {own_target * 100:.0f} % (red below {own_red * 100:.0f} %): "
        f"the SLA's own target, {sla_q.OWN_SOURCE}"
    ) in page_text
    assert f"(red below {red_below * 100:.0f} %): the global target, {sla_q.GLOBAL_SOURCE}" in page_text

    # only the target set: the red cut-off is the global one, lowered to a target below it
    low = round(compliance / 2, 4)
    con = duckdb.connect(str(copy))
    con.execute(
        "update config.sla_policies set compliance_target = ?, compliance_red_below = null where sla_id = ?",
        [low, chosen],
    )
    con.close()
    cut = sla_q.sla_cutoffs(runner(copy)).of(chosen)
    assert (cut.target, cut.red_below, cut.own) == (low, min(red_below, low), ("compliance_target",))
    assert "sla_compliance_red_below (seeds/kpi/kpi_parameters.csv)" in cut.source()
    rags = {r.sla_id: r.rag for r in sla_q.sla_by(runner(copy), Filters(), "sla").itertuples()}
    assert rags == {s: "green" if s == chosen else e[2] for s, e in expected.items()}

    # a copy published before the columns existed, or without config.sla_policies: the global cut-offs
    con = duckdb.connect(str(copy))
    con.execute("alter table config.sla_policies drop column compliance_target")
    con.close()
    cutoffs = sla_q.sla_cutoffs(runner(copy))
    assert not cutoffs.per_sla and not cutoffs.by_sla and set(cutoffs.sla_ids) == set(expected)
    rags = {r.sla_id: r.rag for r in sla_q.sla_by(runner(copy), Filters(), "sla").itertuples()}
    assert rags == {s: e[2] for s, e in expected.items()}
    st.cache_data.clear()
    at = open_page("sla")
    assert sla_q.compliance_cutoffs(runner(copy)).rule() in texts(at)
    con = duckdb.connect(str(copy))
    con.execute("drop table config.sla_policies")
    con.close()
    assert not sla_q.sla_cutoffs(runner(copy)).per_sla
    rags = {r.sla_id: r.rag for r in sla_q.sla_by(runner(copy), Filters(), "sla").itertuples()}
    assert rags == {s: e[2] for s, e in expected.items()}


def test_sla_running_clock_durations_are_numbers_that_sort(dash):
    at = open_page("sla")
    tables = [table for tab in at.tabs for table in tab.dataframe]
    assert tables, "no running clock listed"
    target_hours = {
        name: minutes / 60
        for name, minutes in run_sql(
            dash, "select sla_name, any_value(target_minutes) from marts.lead_sla group by 1"
        )
    }
    for table in tables:
        df, config = table.value, json.loads(table.proto.columns)
        assert "target" not in df.columns  # no pre-formatted text column left
        for column, label in [("target_hours", "Target (hours)"), ("elapsed_hours", "Elapsed (hours)")]:
            assert df[column].dtype.kind == "f", column
            assert config[column]["label"] == label and config[column]["type_config"]["type"] == "number"
        assert df["over_hours"].dtype.kind == "f" and config["over_hours"]["label"].endswith("(hours)")
        for name, hours in zip(df["sla_name"], df["target_hours"], strict=True):
            assert hours == pytest.approx(target_hours[name]), name


def test_sla_running_clocks_are_listed_whatever_the_period(dash):
    from dashboards.queries import sla as sla_q

    last = run_sql(dash, "select max(date_trunc('month', started_at))::date from marts.lead_sla")[0][0]
    order = {
        "breached_recent": "elapsed_business_minutes - target_minutes desc",
        "breached_stale": "due_at asc",
    }
    totals = dict(
        run_sql(dash, "select sla_state, count(*) from marts.lead_sla where stopped_at is null group by 1")
    )
    before = run_sql(
        dash,
        "select count(*) from marts.lead_sla where stopped_at is null and sla_state is not null and started_at < ?",
        [last],
    )[0][0]
    assert before, "no running clock started before the last month"

    at = app_on("sla")
    at.query_params["from"] = at.query_params["to"] = f"{last:%Y-%m}"
    at.run()
    assert_clean(at)
    in_period = run_sql(dash, "select count(*) from marts.lead_sla where started_at >= ?", [last])[0][0]
    assert metrics(at)["SLA instances"] == fmt_int(in_period)  # the period applies to the compliance figures
    assert "whatever the period filter" in texts(at)
    labels = {r["sla_state"]: r["label"] for r in seed("sla_states")}
    tabs = {tab.label: tab for tab in at.tabs}
    started_before = 0
    for state in sla_q.OPEN_STATES:
        total = totals.get(state, 0)
        assert metrics(at)[labels[state]] == fmt_int(total), state
        tab = tabs[f"{labels[state]} ({fmt_int(total)})"]
        if not total:
            continue
        shown = min(total, 200)
        assert any(c.value.startswith(f"{fmt_int(shown)} of {fmt_int(total)} clocks") for c in tab.caption), (
            state
        )
        (table,) = tab.dataframe
        df = table.value
        assert len(df) == shown
        started_before += int((df["started_at"].dt.date < last).sum())
        if state in order:  # the most urgent clock first, wherever it started
            first = run_sql(
                dash,
                f"select started_at, due_at from marts.lead_sla where sla_state = ? order by {order[state]}, lead_id limit 1",
                [state],
            )[0]
            assert (df["started_at"].iloc[0], df["due_at"].iloc[0]) == first, state
    assert started_before, "no clock started before the period is listed"

    # the query: every running clock whatever the period, the other filters still apply
    team = run_sql(
        dash,
        "select team_name from marts.lead_sla where sla_state = 'breached_stale' and team_name is not null "
        "group by 1 order by count(*) desc",
    )[0][0]
    f = Filters(start_month=last, end_month=last, teams=(team,))
    rows, total = sla_q.sla_open_items(runner(dash), f, "breached_stale", (), 10_000)
    assert (
        total
        == len(rows)
        == run_sql(
            dash,
            "select count(*) from marts.lead_sla where sla_state = 'breached_stale' and team_name = ?",
            [team],
        )[0][0]
    )
    assert set(rows["team_name"]) == {team} and (rows["started_at"].dt.date < last).any()
    assert sla_q.sla_running_now(runner(dash), f)["breached_stale"] == total


# ---- funnel skips, period deltas, app config

# the funnel's stages after `lead`, in order, with the time a lead first reached each
FUNNEL_TIMES = [
    ("mql", "mql_at"),
    ("sal", "sal_at"),
    ("sql", "sql_at"),
    ("opportunity", "opportunity_at"),
    ("won", "won_at"),
]


def test_funnel_shows_the_leads_that_skipped_a_stage_as_counted_from_the_leads(dash):
    """Each stage's skips (leads without the stage's time but with a later stage's) on hover and in
    the stage-count chart, equal to counts on marts.leads, for the whole period."""
    skipped, reached = {}, {}
    for i, (stage, at_col) in enumerate(FUNNEL_TIMES):
        later = [c for _, c in FUNNEL_TIMES[i + 1 :]]
        skipped[stage], reached[stage] = run_sql(
            dash,
            f"select count(*) filter (where {at_col} is null and coalesce({', '.join(later) or 'null'}) is not null), "
            f"count({at_col}) from marts.leads",
        )[0]
    # the example the page gives: opportunities without an SQL
    (opp_without_sql,) = run_sql(
        dash, "select count(*) from marts.leads where opportunity_at is not null and sql_at is null"
    )[0]
    assert opp_without_sql, "the warehouse has no opportunity without an SQL: nothing to show"
    assert opp_without_sql <= skipped["sql"]
    assert any(skipped.values())

    at = open_page("funnel")
    for stage, n in skipped.items():
        text = hover(at, stage_label(stage))
        if n:
            assert f"; {fmt_int(n)} of them skipped {stage_label(stage)} and reached a later stage" in text, (
                stage,
                text,
            )
        else:
            assert "skipped" not in text, (stage, text)

    _, frames = chart_data(at, "Leads reaching each stage or a later one")
    (parts,) = [df for df in frames if "part" in df.columns]
    by = {(r.stage, r.part): int(r.leads) for r in parts.itertuples()}
    for stage, n in skipped.items():
        label = stage_label(stage)
        assert by[(label, "skipped it, reached a later stage")] == n, stage
        assert by[(label, "reached the stage")] == reached[stage], stage
        assert metrics(at)[label] == fmt_int(reached[stage] + n), stage


def quarter_before(latest: date) -> tuple[date, date, date, date]:
    """The "Last quarter" preset's months for data up to `latest` (first months of its first and last
    months), and the previous period of the same length just before it."""
    q_start = date(latest.year, (latest.month - 1) // 3 * 3 + 1, 1)

    def add(m: date, n: int) -> date:
        k = m.year * 12 + m.month - 1 + n
        return date(k // 12, k % 12 + 1, 1)

    return add(q_start, -3), add(q_start, -1), add(q_start, -6), add(q_start, -4)


def delta_number(delta: str, unit: str) -> float:
    number, rest = delta.split(" ", 1)
    assert rest == unit, delta
    return float(number.replace(",", ""))


def test_velocity_and_sla_deltas_are_this_period_minus_the_previous_one(dash):
    """With "Last quarter", a figure's ▲▼ is the quarter's value minus the quarter's before it."""
    in_months = "{col} >= ?::date and {col} < ?::date + interval 1 month"

    # Velocity: leads created in the months
    (latest,) = run_sql(dash, "select max(date_trunc('month', created_at))::date from marts.leads")[0]
    lo, hi, prev_lo, prev_hi = quarter_before(latest)
    created = in_months.format(col="created_at")
    now = leads_median_days(dash, "mql_at", "sql_at", created, [lo, hi])
    before = leads_median_days(dash, "mql_at", "sql_at", created, [prev_lo, prev_hi])
    assert now is not None and before is not None
    at = open_page("velocity")
    at.sidebar.selectbox(key="velocity_preset").set_value("Last quarter").run()
    assert_clean(at)
    assert f"period {lo:%Y-%m} → {hi:%Y-%m}" in active_filters(at)
    assert any(
        c.value.startswith(f"Changes (▲▼) compare with {prev_lo:%Y-%m} → {prev_hi:%Y-%m}") for c in at.caption
    )
    figure = next(m for m in at.metric if m.label == "Median MQL → SQL")
    assert figure.value == fmt_days(now)
    assert figure.delta == f"{now - before:+,.1f} days"
    assert delta_number(figure.delta, "days") == pytest.approx(now - before, abs=0.05)

    # SLA: clocks started in the months
    if not has_table(dash, "lead_sla"):
        pytest.skip("marts.lead_sla is not built in this project yet")
    (latest,) = run_sql(dash, "select max(date_trunc('month', started_at))::date from marts.lead_sla")[0]
    lo, hi, prev_lo, prev_hi = quarter_before(latest)
    started = in_months.format(col="started_at")

    def compliance_and_breached(start: date, end: date) -> tuple[float, int]:
        met, decided, breached = run_sql(
            dash,
            "select count(*) filter (where status = 'met'), "
            "count(*) filter (where status in ('met', 'breached', 'open_breached')), "
            f"count(*) filter (where status = 'breached') from marts.lead_sla where {started}",
            [start, end],
        )[0]
        assert decided
        return met / decided, breached

    (c_now, b_now), (c_before, b_before) = (
        compliance_and_breached(lo, hi),
        compliance_and_breached(prev_lo, prev_hi),
    )
    at = open_page("sla")
    at.sidebar.selectbox(key="sla_preset").set_value("Last quarter").run()
    assert_clean(at)
    assert f"period {lo:%Y-%m} → {hi:%Y-%m}" in active_filters(at)
    shown = {m.label: m for m in at.metric}
    assert shown["Compliance"].value == fmt_pct(c_now)
    assert shown["Compliance"].delta == f"{(c_now - c_before) * 100:+,.1f} pp"
    assert delta_number(shown["Compliance"].delta, "pp") == pytest.approx((c_now - c_before) * 100, abs=0.05)
    assert shown["Breached"].value == fmt_int(b_now)
    assert shown["Breached"].delta == f"{b_now - b_before:+,} clocks"


def test_streamlit_config_hides_the_toolbar_and_is_the_one_streamlit_run_reads():
    import subprocess
    import sys
    import tomllib

    config = PROJECT_DIR / ".streamlit" / "config.toml"
    assert config.is_file()
    settings = tomllib.loads(config.read_text())
    assert settings["client"]["toolbarMode"] in ("viewer", "minimal")

    # `make dashboards` runs `streamlit run` from the repository root (no cd), where Streamlit looks
    # for .streamlit/config.toml, and sets no toolbar option on the command line over it
    makefile = (PROJECT_DIR / "Makefile").read_text().splitlines()
    start = next(i for i, line in enumerate(makefile) if line.startswith("dashboards:"))
    recipe = []
    for line in makefile[start + 1 :]:
        if not line.startswith("\t") and not (recipe and recipe[-1].endswith("\\")):
            break
        recipe.append(line)
    text = " ".join(recipe)
    assert "streamlit run dashboards/app.py" in text, text
    assert "cd " not in text and "toolbarMode" not in text, text

    # Streamlit started in the root reads it
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "from streamlit import config; config.get_config_options(force_reparse=True); "
            "print(config.get_option('client.toolbarMode'))",
        ],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")},
    ).stdout.split()[-1]
    assert shown == settings["client"]["toolbarMode"]
