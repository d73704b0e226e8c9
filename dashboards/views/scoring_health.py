"""Scoring health: does the score predict wins, and what would another MQL threshold do?"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboards import components as ui
from dashboards.data import run as q
from dashboards.formatting import fmt_int, fmt_num, fmt_pct, fmt_pp
from dashboards.queries import scoring_health as Q

info = ui.require_warehouse()
band_label = ui.labeller("score_band")
opts = ui.lead_filter_options(info)
f, active = ui.sidebar_filters("scoring", opts["months"], **{k: v for k, v in opts.items() if k != "months"})
models = Q.scoring_models(q)
model_names = dict(zip(models["model_id"], models["model_name"], strict=True))
st.sidebar.header("Threshold what-if")
model_id = st.sidebar.selectbox(
    "Scoring model", list(model_names), format_func=model_names.get, key="scoring_model"
)
model = models.set_index("model_id").loc[model_id]
current_threshold = float(model["mql_threshold"])
threshold = st.sidebar.slider(
    "MQL threshold (points)",
    min_value=0,
    max_value=int(model["max_score"]) if pd.notna(model["max_score"]) else 100,
    value=int(round(current_threshold)),
    step=1,
    key=f"scoring_threshold_{model_id}",  # each model starts at its own threshold
    help=f"Today's threshold for {model['model_name']} is {current_threshold:g}.",
)
active = [*active, f"what-if: {model['model_name']} MQL ≥ {threshold} (today {current_threshold:g})"]
ui.header(
    "Scoring health",
    info,
    active,
    "Does a higher score mean a better lead? Conversion by the highest band a lead reached, won-rate by score "
    "decile, and what moving the MQL threshold would do to volume, SDR load and wins.",
)

bands = Q.conversion_by_peak_band(q, f)
if bands.empty or bands["leads"].sum() == 0:
    ui.no_rows()

st.subheader("Conversion by peak score band")
gates = Q.gate_win_rates(q, f)
cols = st.columns(len(gates) + 1)
cols[0].metric("Leads", fmt_int(bands["leads"].sum()))
for col, (_, g) in zip(cols[1:], gates.iterrows(), strict=True):
    col.metric(
        f"{g['gate']} → won",
        fmt_pct(g["won_rate"]),
        help=f"{fmt_int(g['won'])} of {fmt_int(g['passed'])} leads that passed {g['gate']} went on to win",
    )
left, right = st.columns(2)
with left:
    fig = go.Figure()
    band_names = [band_label(b) for b in bands["peak_band"]]  # lowest band first
    for column, name in (
        ("mqls_rate", "MQL"),
        ("sqls_rate", "SQL"),
        ("opportunities_rate", "Opportunity"),
        ("won_rate", "Won"),
    ):
        fig.add_bar(
            x=band_names,
            y=bands[column] * 100,
            name=name,
            customdata=bands["leads"],
            hovertemplate="%{x}: %{y:.1f} % of %{customdata:,} leads<extra></extra>",
        )
    fig.update_layout(barmode="group", title="Share of leads reaching each stage, by peak band")
    fig.update_xaxes(title="Peak score band (highest band reached)")
    fig.update_yaxes(ticksuffix=" %", title="Leads reaching (%)")
    ui.chart(fig, key="scoring_bands")
with right:
    deciles = Q.calibration_by_decile(q, f)
    deciles["label"] = [
        f"D{d} ({a:.0f}–{b:.0f})"
        for d, a, b in zip(deciles["decile"], deciles["min_score"], deciles["max_score"], strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=deciles["label"],
            y=deciles["won_rate"] * 100,
            text=[fmt_pct(v) for v in deciles["won_rate"]],
            marker_color=ui.NEUTRAL_COLOR,
            customdata=list(zip(deciles["won"], deciles["leads"], strict=True)),
            hovertemplate="%{x}: %{y:.1f} % (%{customdata[0]:,} of %{customdata[1]:,})<extra></extra>",
        )
    )
    fig.update_layout(title="Calibration: won-rate by peak-score decile")
    fig.update_xaxes(title="Peak-score decile (score range, points)")
    fig.update_yaxes(ticksuffix=" %", title="Won (%)")
    ui.chart(fig, key="scoring_deciles")
table = bands[["peak_band", "leads", "mqls", "sqls", "opportunities", "won"]].assign(
    won_rate=bands["won_rate"] * 100
)
st.dataframe(
    table.rename(
        columns={
            "peak_band": "Peak band",
            "leads": "Leads",
            "mqls": "MQL",
            "sqls": "SQL",
            "opportunities": "Opportunity",
            "won": "Won",
            "won_rate": "Won (%)",
        }
    ),
    hide_index=True,
    column_config={
        **{
            c: st.column_config.NumberColumn(format="localized")
            for c in ("Leads", "MQL", "SQL", "Opportunity", "Won")
        },
        "Won (%)": st.column_config.NumberColumn(format="%.1f %%"),
    },
)

st.subheader(f"Threshold what-if: {model['model_name']}")
dist = Q.score_distribution(q, f, model_id)
if dist.empty:
    st.info(f"No lead scored by {model['model_name']} in this selection.")
    st.stop()
max_score = int(model["max_score"]) if pd.notna(model["max_score"]) else 100
curve = Q.whatif_curve(dist, max_score).set_index("threshold")
base_row = curve.loc[int(round(current_threshold))]
new_row = curve.loc[threshold]
weekly = Q.whatif_weekly(q, f, model_id, threshold, current_threshold)
load_new = Q.recent_weekly_load(weekly, "what-if")
load_base = Q.recent_weekly_load(weekly, "current")

c = st.columns(4)
c[0].metric(
    f"MQLs at ≥ {threshold}",
    fmt_int(new_row["mqls"]),
    delta=f"{new_row['mqls'] - base_row['mqls']:+,.0f} vs today's {current_threshold:g}",
    delta_color="off",
    help="leads (with the mandatory fields) whose score ever reached the threshold, in the selection",
)
c[1].metric(
    "SDR load (MQLs / week)",
    fmt_num(load_new),
    delta=f"{load_new - load_base:+,.1f} vs today's threshold",
    delta_color="off",
    help=f"average new MQLs per week over the last {Q.RECENT_WEEKS} weeks before the data date, from the score ledger",
)
c[2].metric(
    "Expected wins",
    fmt_num(new_row["expected_wins"]),
    delta=f"{new_row['expected_wins'] - base_row['expected_wins']:+,.1f} vs today's threshold",
    help="sum over the would-be MQLs of the win probability fitted on actual MQLs' peak scores",
)
c[3].metric(
    "Expected win rate of MQLs",
    fmt_pct(new_row["win_rate"]),
    delta=fmt_pp(new_row["win_rate"] - base_row["win_rate"]) + " vs today's threshold",
    help="expected wins ÷ MQLs",
)
st.caption(
    "Computed from history: a lead would have become an MQL the first time its score (in the ledger) reached the "
    "threshold (leads with the mandatory fields). Win probability: a logistic fit of *won* on peak score over the "
    "leads that actually were MQLs; below today's threshold no lead was routed to SDRs, so that part of the curve "
    "is an extrapolation. Recent leads have not had time to win."
)

left, right = st.columns(2)
with left:
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=curve.index,
            y=curve["mqls"],
            name="MQLs (count)",
            mode="lines",
            hovertemplate="≥ %{x}: %{y:,} MQLs<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=curve.index,
            y=curve["expected_wins"],
            name="Expected wins (count)",
            mode="lines",
            yaxis="y2",
            hovertemplate="≥ %{x}: %{y:,.1f} expected wins<extra></extra>",
        )
    )
    fig.add_vline(x=current_threshold, line_dash="dot", line_color="#888")
    fig.add_vline(x=threshold, line_color=ui.NEUTRAL_PALETTE[1])
    fig.update_layout(
        title="MQLs and expected wins by threshold",
        xaxis={"title": "MQL threshold (points)"},
        yaxis={"title": "MQLs (count)", "rangemode": "tozero", "tickformat": ","},
        yaxis2={"title": "Expected wins (count)", "overlaying": "y", "side": "right", "rangemode": "tozero"},
    )
    ui.chart(fig, key="scoring_curve")
    st.caption(
        f"Grey line: today's threshold ({current_threshold:g}); purple line: the what-if ({threshold})."
    )
with right:
    w = weekly.copy()
    w["week_ending"] = [pd.Timestamp(info.as_of) - pd.Timedelta(days=7 * int(k)) for k in w["weeks_before"]]
    w["scenario"] = w["scenario"].map(
        {"current": f"today (≥ {current_threshold:g})", "what-if": f"what-if (≥ {threshold})"}
    )
    fig = go.Figure()
    for (name, g), dash in zip(w.groupby("scenario", sort=False), ("solid", "dash"), strict=False):
        fig.add_scatter(
            x=g["week_ending"],
            y=g["mqls"],
            name=name,
            mode="lines",
            line_dash=dash,
            hovertemplate="week ending %{x|%Y-%m-%d}: %{y:,} MQLs<extra></extra>",
        )
    fig.update_layout(title="SDR load: new MQLs per week", legend_title_text="Threshold")
    fig.update_xaxes(title="Week ending")
    fig.update_yaxes(rangemode="tozero", title="New MQLs per week (count)")
    ui.chart(fig, key="scoring_weekly")
