"""Lead explorer: find a lead by email, company or id; its score, the reasons, the ledger and its stages."""

from __future__ import annotations

from urllib.parse import quote

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from dashboards import components as ui
from dashboards.data import run as q
from dashboards.formatting import fmt_int, fmt_num, fmt_ts, is_missing
from dashboards.queries import lead_explorer as Q
from dashboards.queries import pipeline as pipeline_q
from dashboards.queries.common import distinct_values, stage_label

CHANGE_COLORS = {
    "fit": "#1f77b4",
    "intent": "#2ca02c",
    "velocity": "#9467bd",
    "negative": "#d62728",
    "decay": "#ff7f0e",
    "expiry": "#8c564b",
}

LIST_LIMIT = 200


def show_open_leads(cell: pipeline_q.Cell) -> None:
    """The open leads of a Pipeline now cell (stage / age in stage / SLA state / unrouted): who they are,
    who owns them, how long they have waited; each links to its own page here."""
    opts = ui.lead_filter_options(info)
    f, active = ui.sidebar_filters(
        "explorer",
        [],
        sources=opts["sources"],
        segments=opts["segments"],
        tiers=opts["tiers"],
        motions=opts["motions"],
        teams=distinct_values(q, "marts.lead_pipeline_now", "team_name"),
    )
    states = pipeline_q.sla_states(q).set_index("sla_state")
    buckets = pipeline_q.age_buckets(q).set_index("age_bucket")["label"]
    what = [
        stage_label(cell.stage) if cell.stage else "every open stage",
        *([f"in stage {buckets.get(cell.age, cell.age).lower()}"] if cell.age else []),
        *([str(states["label"].get(cell.sla, cell.sla)).lower()] if cell.sla else []),
        *(["unrouted"] if cell.owner == pipeline_q.UNROUTED else []),
    ]
    ui.header(
        "Lead explorer", info, [*active, f"open leads: {', '.join(what)}"], "Open leads from Pipeline now."
    )
    rows, total = pipeline_q.pipeline_leads(q, f, cell, LIST_LIMIT)
    st.subheader(f"Open leads: {', '.join(what)}")
    if rows.empty:
        st.info("No open lead is in this cell now.", icon=":material/check_circle:")
        return
    st.caption(
        f"{fmt_int(len(rows))} of {fmt_int(total)} leads"
        + (
            f" (the first {LIST_LIMIT}: most urgent SLA state, then longest in stage)"
            if total > len(rows)
            else ""
        )
        + ". Click a lead to see why it has its score."
    )
    table = rows.assign(
        # the email stays readable in the link (the column shows it): '@' needs no escaping in a query
        link=[
            "leads?lead=" + quote(e or i, safe="@")
            for e, i in zip(rows["email"], rows["lead_id"], strict=True)
        ],
        owner=rows["owner_name"].fillna("Unrouted"),
        team_name=rows["team_name"].fillna("–"),
        sla=[str(states["label"].get(s, s)) for s in rows["sla_state"]],
        score_band=rows["score_band"].map(ui.labeller("score_band")),
    )
    st.dataframe(
        table[
            [
                "link",
                "company_name",
                "owner",
                "team_name",
                "stage_label",
                "days_in_stage",
                "sla",
                "most_urgent_sla_name",
                "most_urgent_sla_due_at",
                "total_score",
                "score_band",
            ]
        ],
        hide_index=True,
        column_config={
            "link": st.column_config.LinkColumn("Lead", display_text=r"lead=(.*)$"),
            "company_name": "Company",
            "owner": "Owner",
            "team_name": "Team",
            "stage_label": "Stage",
            "days_in_stage": st.column_config.NumberColumn("Days in stage", format="%.1f"),
            "sla": "SLA state",
            "most_urgent_sla_name": "Most urgent SLA",
            "most_urgent_sla_due_at": st.column_config.DatetimeColumn("Due (UTC)", format="YYYY-MM-DD HH:mm"),
            "total_score": st.column_config.NumberColumn("Score", format="%.1f"),
            "score_band": "Band",
        },
    )


info = ui.require_warehouse()
band_label, tier_label = ui.labeller("score_band"), ui.labeller("fit_tier")
default_term = st.query_params.get("lead", "")
term = st.sidebar.text_input(
    "Search by email, company or lead id",
    value=default_term,
    key="explorer_search",
    placeholder="e.g. jane@acme.com or Acme",
)
term = (term or "").strip()
cell = pipeline_q.Cell(**{name: st.query_params.get(name, "") for name in ("stage", "age", "sla", "owner")})
if not term and not cell.is_empty() and info.has("marts.lead_pipeline_now"):
    show_open_leads(cell)
    st.stop()

ui.header(
    "Lead explorer",
    info,
    [f'search "{term}"' if term else "no search yet"],
    "Why a lead has its score: the reasons, every change in the score ledger, and the stages it went through.",
)


if not term:
    st.info("Type an email, a company name or a lead id in the sidebar search box.", icon=":material/search:")
    st.subheader("Highest-scoring leads now")
    top = Q.top_leads(q)
    top = top.assign(
        score_band=top["score_band"].map(band_label),
        fit_tier=top["fit_tier"].map(tier_label),
        current_stage=top["current_stage"].map(stage_label),
    )
    st.dataframe(
        top.drop(columns="lead_id").rename(
            columns={
                "email": "Email",
                "company_name": "Company",
                "total_score": "Score",
                "score_band": "Band",
                "fit_tier": "Tier",
                "current_stage": "Stage",
            }
        ),
        hide_index=True,
        column_config={"Score": st.column_config.NumberColumn(format="%.1f")},
    )
    st.stop()

found = Q.search_leads(q, term)
if found.empty:
    st.warning(
        f'No lead matches "{term}" (lead id, or part of an email or company name).',
        icon=":material/person_off:",
    )
    st.stop()
labels = {
    r[
        "lead_id"
    ]: f"{r['email']} · {r['company_name'] or '—'} · {fmt_num(r['total_score'])} ({r['score_band']})"
    for _, r in found.iterrows()
}
if len(found) > 1:
    st.caption(f"{fmt_int(len(found))} leads match{' (showing the first 50)' if len(found) == 50 else ''}.")
lead_id = st.selectbox("Lead", list(labels), format_func=labels.get, key="explorer_lead")
lead = Q.lead_detail(q, lead_id).iloc[0]

st.subheader(f"{lead['first_name'] or ''} {lead['last_name'] or ''} · {lead['email']}".strip())
st.caption(
    f"{lead['title'] or 'no title'} at {lead['company_name'] or 'unknown company'} · "
    f"{ui.labeller('segment')(lead['segment'])} · {lead['industry'] or 'unknown industry'} · "
    f"{ui.labeller('region')(lead['region']) if lead['region'] else 'unknown region'} · "
    f"source {ui.labeller('lead_source')(lead['lead_source'])} ({ui.labeller('motion')(lead['motion'])}) · created {fmt_ts(lead['created_at'])} · model {lead['model_name'] or lead['scoring_model_id']} · "
    f"id `{lead['lead_id']}`"
)
c = [*st.columns(4), *st.columns(4)]
c[0].metric(
    "Score",
    fmt_num(lead["total_score"]),
    help=f"fit {fmt_num(lead['fit_score'])} · negative {fmt_num(lead['negative_score'])} · intent {fmt_num(lead['intent_score'])}",
)
c[1].metric("Band", band_label(lead["score_band"]))
c[2].metric("Fit tier", tier_label(lead["fit_tier"]), help=f"ICP match {fmt_num(lead['icp_match_pct'])} %")
c[3].metric("Intent band", ui.labeller("intent_band")(lead["intent_band"]))
c[4].metric("Peak score", fmt_num(lead["peak_score"]), help=f"peak band {band_label(lead['peak_band'])}")
c[5].metric("ICP match", f"{fmt_num(lead['icp_match_pct'])} %")
c[6].metric("Stage", stage_label(lead["current_stage"]), help=f"since {fmt_ts(lead['stage_entered_at'])}")
c[7].metric("MQL at", "–" if is_missing(lead["mql_at"]) else f"{pd.Timestamp(lead['mql_at']):%Y-%m-%d}")
st.markdown(f"**Why:** {lead['score_reasons']}")

reasons = Q.lead_reasons(q, lead_id)
ledger = Q.lead_ledger(q, lead_id)
stages = Q.lead_stages(q, lead_id)

left, right = st.columns([2, 3])
with left:
    if reasons.empty:
        st.info("No contribution to the current score.")
    else:
        r = reasons.assign(points=reasons["points"].astype(float))
        fig = px.bar(
            r,
            x="points",
            y="label",
            color="dimension",
            color_discrete_map=CHANGE_COLORS,
            orientation="h",
            text=[f"{p:+.1f}" for p in r["points"]],
            labels={"points": "Points (of the current score)", "label": "Reason", "dimension": "Dimension"},
            title="Reasons behind the current score",
        )
        fig.update_yaxes(categoryorder="array", categoryarray=list(r["label"])[::-1])
        fig.update_traces(hovertemplate="%{y}: %{x:+.1f} points<extra></extra>")
        ui.chart(fig, height=max(260, 80 + 32 * len(r)), key="explorer_reasons")
with right:
    if ledger.empty:
        st.info("The score ledger has no entry for this lead.")
    else:
        led = ledger.assign(
            points=ledger["points"].astype(float), score_after=ledger["score_after"].astype(float)
        )
        fig = go.Figure()
        fig.add_trace(
            go.Scatter(
                x=led["changed_at"],
                y=led["score_after"],
                mode="lines",
                line={"shape": "hv", "color": "#555"},
                name="score",
                hoverinfo="skip",
            )
        )
        for change_type, g in led.groupby("change_type"):
            fig.add_trace(
                go.Scatter(
                    x=g["changed_at"],
                    y=g["score_after"],
                    mode="markers",
                    name=str(change_type),
                    marker={"color": CHANGE_COLORS.get(str(change_type), "#7f7f7f"), "size": 8},
                    customdata=list(zip(g["signal"], g["points"], g["band_after"], strict=True)),
                    hovertemplate="%{x|%Y-%m-%d %H:%M}: %{customdata[0]} %{customdata[1]:+.1f} → "
                    "%{y:.1f} (%{customdata[2]})<extra>" + str(change_type) + "</extra>",
                )
            )
        for name, col in (("warm", "warm_threshold"), ("MQL", "mql_threshold"), ("hot", "hot_threshold")):
            if not is_missing(lead[col]):
                fig.add_hline(
                    y=float(lead[col]),
                    line_dash="dot",
                    line_color="#999",
                    annotation_text=f"{name} ≥ {float(lead[col]):g}",
                    annotation_position="top left",
                )
        fig.update_layout(
            title="Score ledger: the score after every change",
            xaxis_title="Changed at (UTC)",
            yaxis_title="Score (points)",
        )
        fig.update_yaxes(rangemode="tozero")
        ui.chart(fig, height=380, key="explorer_ledger")

st.subheader("Stage history")
if stages.empty:
    st.info("No stage history.")
else:
    s = stages.copy()
    s["until"] = s["exited_at"].fillna(pd.Timestamp(info.as_of))
    s["stage_name"] = [stage_label(x) for x in s["stage"]]
    s["days"] = s["hours_in_stage"] / 24
    # a stay of zero length still shows as a thin bar
    s["until"] = [max(u, e + pd.Timedelta(hours=6)) for u, e in zip(s["until"], s["entered_at"], strict=True)]
    fig = px.timeline(
        s,
        x_start="entered_at",
        x_end="until",
        y="stage_name",
        color="stage_name",
        custom_data=["entered_by", "reason_code", "days"],
        labels={"stage_name": "Stage"},
        title="Stages over time (open stage runs to the data date)",
    )
    fig.update_traces(
        hovertemplate="%{y}: %{base|%Y-%m-%d} → %{x|%Y-%m-%d} · by %{customdata[0]} · reason %{customdata[1]} · "
        "%{customdata[2]:.1f} days<extra></extra>"
    )
    order = list(dict.fromkeys(s["stage_name"]))
    fig.update_yaxes(categoryorder="array", categoryarray=order[::-1], title="Stage")
    fig.update_xaxes(title="Date (UTC)")
    fig.update_layout(showlegend=False)
    ui.chart(fig, height=max(240, 60 + 36 * len(order)), key="explorer_stages")
    st.dataframe(
        s[
            ["stage_sequence", "stage_name", "entered_at", "exited_at", "entered_by", "reason_code", "days"]
        ].rename(
            columns={
                "stage_sequence": "#",
                "stage_name": "Stage",
                "entered_at": "Entered (UTC)",
                "exited_at": "Exited (UTC)",
                "entered_by": "Trigger",
                "reason_code": "Reason code",
                "days": "Days in stage",
            }
        ),
        hide_index=True,
        column_config={
            "Entered (UTC)": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
            "Exited (UTC)": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
            "Days in stage": st.column_config.NumberColumn(format="%.1f"),
        },
    )

with st.expander(f"Score ledger ({fmt_int(len(ledger))} changes)"):
    st.dataframe(
        ledger.rename(
            columns={
                "change_sequence": "#",
                "changed_at": "Changed at (UTC)",
                "change_type": "Type",
                "signal": "Signal",
                "points": "Points",
                "score_after": "Score after",
                "band_after": "Band after",
            }
        ),
        hide_index=True,
        column_config={
            "Changed at (UTC)": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
            "Points": st.column_config.NumberColumn(format="%+.1f"),
            "Score after": st.column_config.NumberColumn(format="%.1f"),
        },
    )
