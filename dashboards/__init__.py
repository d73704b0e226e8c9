"""Streamlit dashboards over the published lead warehouse (`streamlit run dashboards/app.py`)."""
