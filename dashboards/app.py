"""Entry point: `streamlit run dashboards/app.py` (reads $LEAD_PUBLISHED_PATH, read-only)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run` puts only dashboards/ on the path
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboards import data  # noqa: E402

# not `pages/`: Streamlit would serve those files as pages of their own (without this navigation,
# layout and connection) before app.py runs, e.g. on a direct URL like /funnel
PAGES = Path(__file__).resolve().parent / "views"

st.set_page_config(page_title="Lead qualification", page_icon=":material/leaderboard:", layout="wide")

navigation = st.navigation(
    {
        "Leadership": [
            st.Page(
                PAGES / "pipeline.py",
                title="Pipeline now",
                icon=":material/view_kanban:",
                default=True,  # served at / (a default page has no other URL)
            ),
            st.Page(PAGES / "funnel.py", title="Funnel", icon=":material/filter_alt:", url_path="funnel"),
            st.Page(PAGES / "velocity.py", title="Velocity", icon=":material/speed:", url_path="velocity"),
            st.Page(PAGES / "sla.py", title="SLA", icon=":material/timer:", url_path="sla"),
            st.Page(
                PAGES / "kpi_ladder.py", title="KPI ladder", icon=":material/stairs:", url_path="kpi-ladder"
            ),
        ],
        "RevOps": [
            st.Page(
                PAGES / "lead_explorer.py",
                title="Lead explorer",
                icon=":material/person_search:",
                url_path="leads",
            ),
            st.Page(
                PAGES / "scoring_health.py",
                title="Scoring health",
                icon=":material/monitor_heart:",
                url_path="scoring-health",
            ),
        ],
    }
)
with data.session():  # one short-lived read-only connection per script run
    navigation.run()
