"""Scoring health: does the score predict wins, and what would another MQL threshold do?"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboards import charts as ch
from dashboards import components as ui
from dashboards.data import run as q
from dashboards.formatting import fmt_delta, fmt_int, fmt_num, fmt_pct, fmt_pp
from dashboards.queries import scoring_health as Q
from dashboards.queries.common import stage_label

# the gate win rate that is a KPI ladder metric (cohort basis: per cohort month, the same leads as
# marts.kpi_ladder, tests/test_dashboards_apptest.py); the ladder has none for the other gates
GATE_LADDER_METRIC = {stage_label("mql"): "mql_to_won_rate"}

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
cols[0].metric("Leads", fmt_int(bands["leads"].sum()), help=ui.kpi_definition(info, "lead_volume"))
for col, (_, g) in zip(cols[1:], gates.iterrows(), strict=True):
    metric = GATE_LADDER_METRIC.get(g["gate"])
    col.metric(
        f"{g['gate']} → won",
        fmt_pct(g["won_rate"]),
        help=ui.help_text(
            f"{fmt_int(g['won'])} of {fmt_int(g['passed'])} leads that passed {g['gate']} went on to win",
            ui.kpi_definition(info, metric)
            if metric
            else ui.not_kpi(
                info, "win_rate", "divides by the leads won or lost, not by those that passed the gate"
            ),
        ),
    )
left, right = st.columns(2)
with left:
    band_names = [band_label(b) for b in bands["peak_band"]]  # lowest band first
    stages = {"mqls_rate": "MQL", "sqls_rate": "SQL", "opportunities_rate": "Opportunity", "won_rate": "Won"}
    reaching = bands.assign(band=band_names).melt(
        id_vars=["band", "leads"], value_vars=list(stages), var_name="column", value_name="rate"
    )
    reaching = reaching.assign(stage=reaching["column"].map(stages), rate_pct=reaching["rate"] * 100)
    ch.show(
        ch.bars(
            reaching,
            value="rate_pct",
            category="band",
            order=band_names,
            series="stage",
            series_order=list(stages.values()),
            grouped=True,
            horizontal=False,
            title="Share of leads reaching each stage, by peak band",
            value_title="Leads reaching (%)",
            category_title="Peak score band (highest band reached)",
            tooltip=[
                alt.Tooltip("band:N", title="Peak band"),
                alt.Tooltip("stage:N", title="Stage reached"),
                alt.Tooltip("rate_pct:Q", title="Leads reaching (%)", format=".1f"),
                alt.Tooltip("leads:Q", title="Leads in the band", format=","),
            ],
        ),
        height=380,
        key="scoring_bands",
    )
with right:
    deciles = Q.calibration_by_decile(q, f)
    deciles["label"] = [
        f"D{d} ({a:.0f}–{b:.0f})"
        for d, a, b in zip(deciles["decile"], deciles["min_score"], deciles["max_score"], strict=True)
    ]
    deciles = deciles.assign(
        won_pct=deciles["won_rate"] * 100, text=[fmt_pct(v) for v in deciles["won_rate"]]
    )
    ch.show(
        ch.bars(
            deciles,
            value="won_pct",
            category="label",
            order=list(deciles["label"]),
            horizontal=False,
            title="Calibration: won-rate by peak-score decile",
            value_title="Won (%)",
            category_title="Peak-score decile (score range, points)",
            value_format=",~f",
            label="text",
            tooltip=[
                alt.Tooltip("label:N", title="Decile (points)"),
                alt.Tooltip("won_pct:Q", title="Won (%)", format=".1f"),
                alt.Tooltip("won:Q", title="Won", format=","),
                alt.Tooltip("leads:Q", title="Leads", format=","),
            ],
        ).configure_axisX(labelExpr="split(datum.label, ' ')", labelOverlap=False),  # "D10" over "(82–100)"
        height=380,
        key="scoring_deciles",
    )
table = bands[["peak_band", "leads", "mqls", "sqls", "opportunities", "won"]].assign(
    peak_band=band_names, won_rate=bands["won_rate"] * 100
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

# a what-if change is neither good nor bad (more MQLs: more wins and more SDR work): grey deltas
c = st.columns(4)
c[0].metric(
    f"MQLs at ≥ {threshold}",
    fmt_int(new_row["mqls"]),
    delta=f"{fmt_delta(new_row['mqls'], base_row['mqls'], 'mqls')} vs today's {current_threshold:g}",
    delta_color="off",
    help=ui.help_text(
        "leads (with the mandatory fields) whose score ever reached the threshold, in the selection",
        ui.not_kpi(
            info, "mql_rate", "counts as MQLs the leads that entered the MQL stage, under every scoring model"
        ),
    ),
)
c[1].metric(
    "SDR load (MQLs / week)",
    fmt_num(load_new),
    delta=f"{load_new - load_base:+,.1f} MQLs / week vs today's threshold",
    delta_color="off",
    help=f"average new MQLs per week over the last {Q.RECENT_WEEKS} weeks before the data date, from the score ledger",
)
c[2].metric(
    "Expected wins",
    fmt_num(new_row["expected_wins"]),
    delta=f"{new_row['expected_wins'] - base_row['expected_wins']:+,.1f} wins vs today's threshold",
    delta_color="off",
    help="sum over the would-be MQLs of the win probability fitted on actual MQLs' peak scores",
)
c[3].metric(
    "Expected win rate of MQLs",
    fmt_pct(new_row["win_rate"]),
    delta=fmt_pp(new_row["win_rate"] - base_row["win_rate"], spelled=True) + " vs today's threshold",
    delta_color="off",
    help=ui.help_text(
        "expected wins ÷ MQLs",
        ui.not_kpi(info, "mql_to_won_rate", "is actual wins ÷ MQLs, under every scoring model"),
    ),
)
st.caption(
    "Computed from history: a lead would have become an MQL the first time its score (in the ledger) reached the "
    "threshold (leads with the mandatory fields). Win probability: a logistic fit of *won* on peak score over the "
    "leads that actually were MQLs; below today's threshold no lead was routed to SDRs, so that part of the curve "
    "is an extrapolation. Recent leads have not had time to win."
)

left, right = st.columns(2)
with left:
    mqls_name, wins_name = "MQLs (count)", "Expected wins (count)"
    what_if = curve.reset_index().melt(
        id_vars="threshold", value_vars=["mqls", "expected_wins"], var_name="column", value_name="value"
    )
    what_if["series"] = what_if["column"].map({"mqls": mqls_name, "expected_wins": wins_name})
    curve_colors = {
        mqls_name: ch.NEUTRAL_PALETTE[0],
        wins_name: ch.NEUTRAL_PALETTE[3],
    }  # purple is the what-if line

    def curve_line(name: str, value_format: str) -> alt.Chart:
        line = ch.lines(
            what_if[what_if["series"] == name],
            x="threshold",
            y="value",
            series="series",
            series_order=[mqls_name, wins_name],
            colors=curve_colors,
            x_type="Q",
            x_format=",.0f",
            x_title="MQL threshold (points)",
            y_title=name,
            y_format=",.0f",
            tooltip=[
                alt.Tooltip("threshold:Q", title="MQL threshold (≥ points)"),
                alt.Tooltip("value:Q", title=name, format=value_format),
            ],
        )
        line.mark.point = alt.OverlayMarkDef(size=12)  # small points: hover targets along the line
        return line

    ch.show(
        alt.layer(
            curve_line(mqls_name, ","),
            curve_line(wins_name, ",.1f"),
            ch.rules([(current_threshold, f"today's threshold ({current_threshold:g})")]),
            ch.rules([(threshold, f"what-if ({threshold})")], color=ch.NEUTRAL_PALETTE[1], dash=(1, 0)),
        )
        .resolve_scale(y="independent")  # expected wins on the right axis
        .properties(title=alt.TitleParams("MQLs and expected wins by threshold")),
        height=380,
        key="scoring_curve",
    )
    st.caption(
        f"Grey line: today's threshold ({current_threshold:g}); purple line: the what-if ({threshold})."
    )
with right:
    w = weekly.copy()
    w["week_ending"] = [pd.Timestamp(info.as_of) - pd.Timedelta(days=7 * int(k)) for k in w["weeks_before"]]
    today_name, what_if_name = f"today (≥ {current_threshold:g})", f"what-if (≥ {threshold})"
    w["scenario"] = w["scenario"].map({"current": today_name, "what-if": what_if_name})
    weekly_chart = ch.lines(
        w,
        x="week_ending",
        y="mqls",
        series="scenario",
        series_order=[today_name, what_if_name],
        dashes={what_if_name: [6, 4]},
        title="SDR load: new MQLs per week",
        x_title="Week ending",
        y_title="New MQLs per week (count)",
        tooltip=[
            alt.Tooltip("scenario:N", title="Threshold"),
            alt.Tooltip("week_ending:T", title="Week ending", format="%Y-%m-%d"),
            alt.Tooltip("mqls:Q", title="New MQLs", format=","),
        ],
    )
    weekly_chart.mark.point = alt.OverlayMarkDef(size=12)
    ch.show(weekly_chart, height=380, key="scoring_weekly")
