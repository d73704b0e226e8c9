"""`streamlit run dashboards/app.py` on a warehouse file, and the flags of the Debian Chromium:
shared by the browser test and scripts/benchmark_dashboard_pages.py."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]

# JavaScript: how many charts are drawn (Vega-Lite renders one svg per chart when done)
CHARTS_DRAWN_JS = "document.querySelectorAll('[data-testid=\"stVegaLiteChart\"] svg').length"
# Streamlit's dialog for a URL that names no page (it then runs the default page instead)
PAGE_NOT_FOUND = "Page not found"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def streamlit_server(published: Path, log: Path, timeout: float = 60) -> tuple[subprocess.Popen, str]:
    """Start the dashboards on a free local port reading `published`; return (process, base url)
    once it answers its health check. Raises RuntimeError with the server's log if it does not."""
    port = free_port()
    env = dict(os.environ, LEAD_PUBLISHED_PATH=str(published), STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "dashboards/app.py",
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                # no rerun on a saved source file: the pages do not change under a test, and the
                # watcher polls every module the app imported (~12 s of CPU in a `make test`)
                "--server.fileWatcherType",
                "none",
            ],
            cwd=PROJECT_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"streamlit did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.3)
