"""Time every dashboard page in a real browser: `streamlit run dashboards/app.py` on a published
warehouse, each page opened in headless Chromium (the Debian /usr/bin/chromium, via Playwright).

    python scripts/benchmark_dashboard_pages.py --published data/warehouse/published.duckdb

Per page: first paint (the page's title drawn) and full render (every chart drawn, the script
idle) from the moment the URL is opened: "cold" is a first visit (a new browser profile, and
Streamlit's query cache empty for that page), "warm" the median of --repeat later visits of a
returning reader (browser cache and query cache warm). Targets (issue 13): first paint < 2 s, full
render < 4 s at the demo scale. Writes the figures as JSON with --json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.dashboard_server import CHARTS_DRAWN_JS, CHROMIUM, CHROMIUM_ARGS, streamlit_server  # noqa: E402

# (url path, title, charts drawn when complete); {email} is a lead with a score history
PAGES = [
    ("", "Pipeline now", 2),
    ("funnel", "Funnel", 2),
    ("velocity", "Velocity", 4),
    ("sla", "SLA compliance", 4),
    ("kpi-ladder", "KPI ladder", 6),
    ("leads?lead={email}", "Lead explorer", 3),
    ("leads?stage=mql&sla=breached_stale", "Lead explorer", 0),
    ("scoring-health", "Scoring health", 4),
]


VIEWPORT = {"width": 1440, "height": 900}


def start_server(published: Path) -> tuple[subprocess.Popen, str]:
    """`streamlit run` on the published warehouse (as the browser test starts it); (process, url)."""
    log = Path(tempfile.mkdtemp()) / "server.log"
    return streamlit_server(published, log)


def time_page(context, url: str, title: str, charts: int) -> tuple[float, float]:
    """(first paint, full render) in seconds from opening the URL in a new tab of `context`."""
    page = context.new_page()
    try:
        started = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.get_by_role("heading", name=title, level=1).wait_for(timeout=60_000)
        first = time.perf_counter() - started
        if charts:
            page.wait_for_function(f"() => {CHARTS_DRAWN_JS} >= {charts}", timeout=60_000)
        else:
            page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=60_000)
        page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
            " && !document.querySelector('[data-stale=\"true\"]')",
            timeout=60_000,
        )
        return first, time.perf_counter() - started
    finally:
        page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--published", type=Path, default=ROOT / "data" / "warehouse" / "published.duckdb")
    parser.add_argument("--repeat", type=int, default=3, help="warm visits per page (median reported)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    con = duckdb.connect(str(args.published), read_only=True)
    try:
        email = con.execute(
            "select email from marts.leads where mql_at is not null order by total_score desc, lead_id limit 1"
        ).fetchone()[0]
        leads = con.execute("select count(*) from marts.leads").fetchone()[0]
    finally:
        con.close()
    server, base = start_server(args.published.resolve())
    results = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            # a returning reader: one browser profile (its HTTP cache keeps Streamlit's scripts)
            returning = browser.new_context(viewport=VIEWPORT)
            time_page(returning, f"{base}/", "Pipeline now", 2)  # the server's first run
            print(f"{leads:,} leads · {args.published}")
            print(f"{'page':40} {'cold paint':>10} {'cold full':>10} {'warm paint':>10} {'warm full':>10}")
            for path, title, charts in PAGES:
                url = f"{base}/{path.format(email=email)}"
                first_visit = browser.new_context(viewport=VIEWPORT)  # a new reader: empty browser cache
                try:
                    cold = time_page(first_visit, url, title, charts)
                finally:
                    first_visit.close()
                warm = [time_page(returning, url, title, charts) for _ in range(args.repeat)]
                row = {
                    "page": (path.split("?")[0] or "pipeline")
                    + ("?lead" if "lead=" in path else "?cell" if "?" in path else ""),
                    "cold_first_paint_s": round(cold[0], 2),
                    "cold_full_render_s": round(cold[1], 2),
                    "warm_first_paint_s": round(statistics.median(w[0] for w in warm), 2),
                    "warm_full_render_s": round(statistics.median(w[1] for w in warm), 2),
                }
                results.append(row)
                print(
                    f"{row['page']:40} {row['cold_first_paint_s']:>10.2f} {row['cold_full_render_s']:>10.2f} "
                    f"{row['warm_first_paint_s']:>10.2f} {row['warm_full_render_s']:>10.2f}"
                )
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=15)
    if args.json:
        args.json.write_text(json.dumps({"leads": leads, "pages": results}, indent=2))


if __name__ == "__main__":
    main()
