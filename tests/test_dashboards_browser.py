"""End to end: `streamlit run dashboards/app.py` against a built warehouse, every page opened in
headless Chromium (Playwright, the Debian /usr/bin/chromium), no exception box, charts drawn,
and a screenshot per page in test-output/screenshots/.

Skips (with the reason) only when /usr/bin/chromium is absent and scripts/install_browser.sh
cannot install it.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from dashboards.formatting import fmt_int
from tests.dashboard_server import CHARTS_DRAWN_JS, CHROMIUM, CHROMIUM_ARGS, PAGE_NOT_FOUND, streamlit_server
from tests.test_dashboards_apptest import dash_warehouse  # noqa: F401  (shared session fixture)

pytestmark = pytest.mark.browser

PROJECT_DIR = Path(__file__).resolve().parent.parent
SCREENSHOTS = PROJECT_DIR / "test-output" / "screenshots"
# (url path, screenshot name, title, charts drawn when complete) — the lead explorer is opened on one lead via ?lead=
# every page by its direct URL; "" is the default page (Pipeline now) at the app root
PAGES = [
    ("", "0_pipeline_now", "Pipeline now", 2),
    ("funnel", "1_funnel", "Funnel", 2),
    ("velocity", "2_velocity", "Velocity", 4),
    ("sla", "3_sla", "SLA compliance", 3),
    ("kpi-ladder", "4_kpi_ladder", "KPI ladder", 6),
    ("leads?lead={email}", "5_lead_explorer", "Lead explorer", 3),
    ("scoring-health", "6_scoring_health", "Scoring health", 4),
    # a count of Pipeline now opens the lead list of its cell, with the filters in the URL
    ("leads?stage=mql&sla=breached_stale&segment={segment}", "7_lead_list", "Lead explorer", 0),
]
VIEWPORT = {"width": 1440, "height": 900}


def ensure_chromium() -> None:
    if not CHROMIUM.exists():
        subprocess.run(["bash", str(PROJECT_DIR / "scripts" / "install_browser.sh")], check=False)
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is absent and scripts/install_browser.sh could not install it "
            "(needs apt-get as root: apt-get install chromium chromium-driver)"
        )


@pytest.fixture(scope="module")
def server(dash_warehouse, tmp_path_factory) -> Iterator[str]:  # noqa: F811
    ensure_chromium()
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    try:
        proc, url = streamlit_server(dash_warehouse, log)
    except RuntimeError as exc:
        pytest.fail(str(exc))
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def wait_until_rendered(page, title: str, charts: int) -> None:
    """Until the page's title, its metrics and all its charts are drawn and the script is idle."""
    page.get_by_role("heading", name=title, level=1).wait_for(timeout=30_000)
    # a page of charts shows metrics; a lead list (no charts) a table
    page.locator('[data-testid="stMetric"]' if charts else '[data-testid="stDataFrame"]').first.wait_for(
        timeout=60_000
    )
    page.wait_for_function(f"() => {CHARTS_DRAWN_JS} >= {charts}", timeout=60_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-stale=\"true\"]')",
        timeout=60_000,
    )
    page.wait_for_timeout(500)


def new_page(browser):
    """A page of the test viewport and the list its JavaScript errors are collected into."""
    page = browser.new_page(viewport=VIEWPORT)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page, errors


@pytest.mark.parametrize(("path", "name", "title", "charts"), PAGES, ids=[p[1] for p in PAGES])
def test_page_renders_in_chromium(path, name, title, charts, server, browser, dash_warehouse):  # noqa: F811
    con = duckdb.connect(str(dash_warehouse), read_only=True)
    try:
        email = con.execute(
            "select email from marts.leads where mql_at is not null order by total_score desc, lead_id limit 1"
        ).fetchone()[0]
        segment = con.execute(
            "select segment from marts.lead_pipeline_now where current_stage = 'mql' and sla_state = 'breached_stale' "
            "group by 1 order by count(*) desc, 1 limit 1"
        ).fetchone()[0]
    finally:
        con.close()
    page, errors = new_page(browser)
    try:
        page.goto(f"{server}/{path.format(email=email, segment=segment)}", wait_until="domcontentloaded")
        wait_until_rendered(page, title, charts)
        assert page.locator('[data-testid="stException"]').count() == 0, page.locator(
            '[data-testid="stException"]'
        ).first.inner_text()
        body = page.locator('[data-testid="stMain"]').inner_text()
        assert "Traceback" not in body
        assert "Data as of" in body and "Active filters:" in body
        assert page.locator('[data-testid="stMetric"]').count() > 0 or not charts
        assert page.evaluate(f"() => {CHARTS_DRAWN_JS}") >= charts
        # a direct URL opens its own page (not Streamlit's "Page not found" and the default page)
        assert PAGE_NOT_FOUND not in page.locator("body").inner_text()
        if name == "5_lead_explorer":
            assert email in body
        if name == "7_lead_list":  # the filters came from the URL
            assert "open leads: MQL, breached long ago" in body and "Segment: all" not in body
            assert page.locator('[data-testid="stDataFrame"]').count() == 1
        # a screenshot of the whole page: grow the viewport to the height of the content
        height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
        page.set_viewport_size({"width": VIEWPORT["width"], "height": min(max(int(height) + 80, 900), 8000)})
        page.wait_for_timeout(800)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        assert not errors, errors
    finally:
        page.close()


def test_a_click_on_a_pipeline_now_heatmap_cell_opens_its_lead_list(server, browser, dash_warehouse):  # noqa: F811
    con = duckdb.connect(str(dash_warehouse), read_only=True)
    try:
        segment = con.execute(
            "select segment from marts.lead_pipeline_now group by 1 order by count(*) desc limit 1"
        ).fetchone()[0]
        stage, stage_label, bucket, bucket_label, n = con.execute(
            "select current_stage, any_value(stage_label), age_bucket, any_value(age_bucket_label), count(*) "
            "from marts.lead_pipeline_now where segment = ? group by all order by 5 desc, 1, 3 limit 1",
            [segment],
        ).fetchone()
    finally:
        con.close()
    page, errors = new_page(browser)
    try:
        page.goto(f"{server}/?segment={segment}", wait_until="domcontentloaded")
        wait_until_rendered(page, "Pipeline now", 2)
        heatmap = page.locator('[data-testid="stVegaLiteChart"]').filter(
            has_text="Open leads by stage and time in stage"
        )
        # Vega names each cell in its aria-label (the axis titles and values)
        cell = heatmap.locator(
            f'g.mark-rect path[aria-label*="Current stage: {stage_label};"]'
            f'[aria-label*="Time in current stage: {bucket_label};"]'
        )
        box = cell.bounding_box()
        # the middle of the cell: on its number, which is drawn over the cell and must click too
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        wait_until_rendered(page, "Lead explorer", 0)
        assert page.url.endswith(f"/leads?segment={segment}&stage={stage}&age={bucket}"), page.url
        body = page.locator('[data-testid="stMain"]').inner_text()
        assert f"Open leads: {stage_label}, in stage {bucket_label.lower()}" in body
        assert f"{fmt_int(min(n, 200))} of {fmt_int(n)} leads" in body  # the segment filter applied
        assert "Segment: all" not in body
        assert not errors, errors
    finally:
        page.close()
