"""Lead explorer: find a lead by email, company or id; its score, the reasons, the ledger and its stages."""

from __future__ import annotations

from urllib.parse import quote

import altair as alt
import pandas as pd
import streamlit as st

from dashboards import charts as ch
from dashboards import components as ui
from dashboards.data import run as q
from dashboards.formatting import fmt_int, fmt_num, fmt_ts, humanize, is_missing
from dashboards.queries import lead_explorer as Q
from dashboards.queries import pipeline as pipeline_q
from dashboards.queries.common import distinct_values, stage_label

# one colour per kind of score change (and reason dimension), from the neutral palette: the kind
# of a change is no judgement, and green / red mean good / bad on every page (components.RAG_COLORS).
# A change's sign is its points (the ledger's line goes down), not its colour.
CHANGE_COLORS = {
    "fit": ch.NEUTRAL_PALETTE[0],  # blue
    "intent": ch.NEUTRAL_PALETTE[2],  # cyan
    "velocity": ch.NEUTRAL_PALETTE[1],  # purple
    "negative": ch.NEUTRAL_PALETTE[7],  # navy
    "decay": ch.NEUTRAL_PALETTE[3],  # brown
    "expiry": ch.NEUTRAL_PALETTE[6],  # pink
}
OTHER_COLOR = ch.NEUTRAL_PALETTE[4]  # grey: a kind not listed above
MISSING = "–"  # a value the row does not have (said what it means next to each table)

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
        team_name=rows["team_name"].fillna(MISSING),
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
# codes of the ledger and the stage history: display_labels rows where the seed has the dimension,
# else the code humanized ('sdr_accept' -> 'SDR accept'), never the raw code
change_label = ui.labeller("score_change_type")  # fit, intent, velocity, negative, decay, expiry
trigger_label = ui.labeller("stage_trigger")  # seeds/lifecycle/lifecycle_trigger_order.csv
industry_label = ui.labeller("industry")
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
    r["lead_id"]: f"{r['email']} · {r['company_name'] or MISSING} · {fmt_num(r['total_score'])} "
    f"({band_label(r['score_band'])})"
    for _, r in found.iterrows()
}
if len(found) > 1:
    st.caption(f"{fmt_int(len(found))} leads match{' (showing the first 50)' if len(found) == 50 else ''}.")
lead_id = st.selectbox("Lead", list(labels), format_func=labels.get, key="explorer_lead")
lead = Q.lead_detail(q, lead_id).iloc[0]

st.subheader(f"{lead['first_name'] or ''} {lead['last_name'] or ''} · {lead['email']}".strip())
st.caption(
    f"{lead['title'] or 'no title'} at {lead['company_name'] or 'unknown company'} · "
    f"{ui.labeller('segment')(lead['segment'])} · "
    f"{'unknown industry' if is_missing(lead['industry']) else industry_label(lead['industry'])} · "
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
c[7].metric("MQL at", MISSING if is_missing(lead["mql_at"]) else f"{pd.Timestamp(lead['mql_at']):%Y-%m-%d}")
st.markdown(f"**Why:** {lead['score_reasons']}")

reasons = Q.lead_reasons(q, lead_id)
ledger = Q.lead_ledger(q, lead_id)
stages = Q.lead_stages(q, lead_id)
signals = Q.signal_labels(q) if not ledger.empty else {}


def signal_label(code: object) -> str:
    """A ledger signal by its scoring rule's label ('demo request' -> 'Demo request')."""
    if is_missing(code):
        return MISSING
    label = str(signals.get(code) or humanize(code))
    return label[:1].upper() + label[1:]


def labelled(values: pd.Series, label) -> list[str]:
    """The values by their labels; MISSING where there is none."""
    return [MISSING if is_missing(v) else str(label(v)) for v in values]


def timestamps(values: pd.Series) -> list[str]:
    """UTC timestamps as text, MISSING where there is none (a datetime column shows "None")."""
    return [MISSING if is_missing(v) else f"{pd.Timestamp(v):%Y-%m-%d %H:%M}" for v in values]


left, right = st.columns([2, 3])
with left:
    if reasons.empty:
        st.info("No contribution to the current score.")
    else:
        r = reasons.assign(
            points=reasons["points"].astype(float), kind=labelled(reasons["dimension"], change_label)
        )
        r["text"] = [f"{p:+.1f}" for p in r["points"]]
        dimensions = list(dict.fromkeys(r["kind"]))
        dimension_colors = {
            change_label(d): CHANGE_COLORS.get(str(d), OTHER_COLOR) for d in dict.fromkeys(r["dimension"])
        }
        ch.show(
            ch.bars(
                r,
                value="points",
                category="label",
                order=list(r["label"]),  # top to bottom as the query orders them
                series="kind",
                series_order=dimensions,
                colors=dimension_colors,
                title="Reasons behind the current score",
                value_title="Points (of the current score)",
                category_title="Reason",
                value_format=",~f",
                label="text",
                tooltip=[
                    alt.Tooltip("label:N", title="Reason"),
                    alt.Tooltip("kind:N", title="Dimension"),
                    alt.Tooltip("points:Q", title="Points", format="+.1f"),
                ],
            ).configure_axisY(labelOverlap=False),  # every reason named, however thin its bar
            height=max(220, 110 + 28 * len(r)),
            key="explorer_reasons",
            legend_columns=2,  # the legend starts where the bars do: the column is narrow
        )
with right:
    if ledger.empty:
        st.info("The score ledger has no entry for this lead.")
    else:
        led = ledger.assign(
            points=ledger["points"].astype(float),
            score_after=ledger["score_after"].astype(float),
            kind=labelled(ledger["change_type"], change_label),
            signal=labelled(ledger["signal"], signal_label),
            band_after=labelled(ledger["band_after"], band_label),
        )
        kinds = list(dict.fromkeys(led["kind"]))
        kind_colors = {
            change_label(k): CHANGE_COLORS.get(str(k), OTHER_COLOR)
            for k in dict.fromkeys(ledger["change_type"])
        }
        line = ch.lines(
            led,
            x="changed_at",
            y="score_after",
            x_title="Changed at (UTC)",
            y_title="Score (points)",
            y_format=",~f",
            points=False,
            step=True,
            tooltip=[],
        )
        line.mark.color = "#555555"  # the score: dark grey; the markers are coloured by type of change
        line.encoding.tooltip = alt.Undefined  # the markers carry the hover
        line.encoding.x.axis = ch.time_axis(
            led["changed_at"].min(), led["changed_at"].max(), title="Changed at (UTC)"
        )
        markers = (
            alt.Chart(led)
            .mark_point(filled=True, size=60, opacity=1)
            .encode(
                x=alt.X("changed_at:T"),
                y=alt.Y("score_after:Q"),
                color=alt.Color("kind:N", scale=ch.series_scale(kinds, kind_colors), sort=kinds),
                tooltip=[
                    alt.Tooltip("changed_at:T", title="Changed at (UTC)", format="%Y-%m-%d %H:%M"),
                    alt.Tooltip("kind:N", title="Type"),
                    alt.Tooltip("signal:N", title="Signal"),
                    alt.Tooltip("points:Q", title="Points", format="+.1f"),
                    alt.Tooltip("score_after:Q", title="Score after", format=".1f"),
                    alt.Tooltip("band_after:N", title="Band after"),
                ],
            )
        )
        bands = [
            (float(lead[col]), f"{band_label(code)} ≥ {float(lead[col]):g}")
            for code, col in (("warm", "warm_threshold"), ("mql", "mql_threshold"), ("hot", "hot_threshold"))
            if not is_missing(lead[col])
        ]
        layers = [line, markers]
        if bands:
            # just right of the plot, where the score line never runs (inside, the label at the right
            # end crossed the line whenever the current score was near a threshold)
            band_labels = (
                alt.Chart(pd.DataFrame(bands, columns=["at", "what"]))
                .mark_text(align="left", baseline="middle", dx=4, color=ch.REFERENCE_COLOR, fontSize=11)
                .encode(y=alt.Y("at:Q"), x=alt.value("width"), text=alt.Text("what:N"))
            )
            layers = [ch.rules(bands, axis="y"), band_labels, *layers]
        ch.show(
            alt.layer(*layers).properties(
                title=alt.TitleParams("Score ledger: the score after every change")
            ),
            height=380,
            key="explorer_ledger",
        )

st.subheader("Stage history")
if stages.empty:
    st.info("No stage history.")
else:
    reason_names = Q.reason_labels(q, info.tables)

    def reason_label(code: object) -> str:
        return reason_names.get(str(code)) or ui.labeller("reason_code")(code)

    s = stages.copy()
    s["until"] = s["exited_at"].fillna(pd.Timestamp(info.as_of))
    s["stage_name"] = [stage_label(x) for x in s["stage"]]
    s["trigger"] = labelled(s["entered_by"], trigger_label)
    s["reason"] = labelled(s["reason_code"], reason_label)
    s["exited"] = timestamps(s["exited_at"])
    s["days"] = s["hours_in_stage"] / 24
    # a stay of zero length still shows as a thin bar
    s["until"] = [max(u, e + pd.Timedelta(hours=6)) for u, e in zip(s["until"], s["entered_at"], strict=True)]
    order = list(dict.fromkeys(s["stage_name"]))  # top to bottom in the order first entered
    timeline = (
        alt.Chart(s[["stage_name", "entered_at", "until", "exited", "trigger", "reason", "days"]])
        .mark_bar(height={"band": 0.7})
        .encode(
            x=alt.X(
                "entered_at:T",
                axis=ch.time_axis(s["entered_at"].min(), s["until"].max(), title="Date (UTC)", ticks=8),
            ),
            x2=alt.X2("until:T"),
            y=alt.Y("stage_name:N", sort=order, title="Stage", axis=alt.Axis(labelLimit=200)),
            color=alt.Color("stage_name:N", scale=ch.series_scale(order), sort=order, legend=None),
            tooltip=[
                alt.Tooltip("stage_name:N", title="Stage"),
                alt.Tooltip("entered_at:T", title="Entered (UTC)", format="%Y-%m-%d %H:%M"),
                alt.Tooltip("exited:N", title="Exited (UTC)"),
                alt.Tooltip("trigger:N", title="Trigger"),
                alt.Tooltip("reason:N", title="Reason"),
                alt.Tooltip("days:Q", title="Days in stage", format=".1f"),
            ],
        )
        .properties(title=alt.TitleParams("Stages over time (open stage runs to the data date)"))
    )
    ch.show(timeline, height=max(180, 60 + 30 * len(order)), key="explorer_stages")
    st.dataframe(
        s[["stage_sequence", "stage_name", "entered_at", "exited", "trigger", "reason", "days"]].rename(
            columns={
                "stage_sequence": "#",
                "stage_name": "Stage",
                "entered_at": "Entered (UTC)",
                "exited": "Exited (UTC)",
                "trigger": "Trigger",
                "reason": "Reason",
                "days": "Days in stage",
            }
        ),
        hide_index=True,
        column_config={
            "Entered (UTC)": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
            "Exited (UTC)": st.column_config.TextColumn(help=f"{MISSING}: the lead is still in this stage"),
            "Trigger": st.column_config.TextColumn(help="What moved the lead into the stage"),
            "Reason": st.column_config.TextColumn(
                help=f"The SDR's rejection or loss reason, or what requalified the lead; {MISSING}: none "
                "recorded (most stages are entered without one)"
            ),
            "Days in stage": st.column_config.NumberColumn(format="%.1f"),
        },
    )
    st.caption(
        f"{MISSING} in Exited: the lead is still in that stage; in Reason: the move had no reason code "
        "(only rejections, disqualifications, losses and requalifications carry one)."
    )

with st.expander(f"Score ledger ({fmt_int(len(ledger))} changes)"):
    st.dataframe(
        ledger.assign(
            change_type=labelled(ledger["change_type"], change_label),
            signal=labelled(ledger["signal"], signal_label),
            band_after=labelled(ledger["band_after"], band_label),
        ).rename(
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
            "Type": st.column_config.TextColumn(
                help="Fit and negative: a profile rule matched; intent: an action scored; velocity: the "
                "bonus for repeated high-intent actions starting or ending; expiry: an action's points "
                "ending after the lookback window; decay: intent points fading without activity"
            ),
            "Signal": st.column_config.TextColumn(
                help=f"The scoring rule or action; {MISSING}: none recorded"
            ),
            "Points": st.column_config.NumberColumn(format="%+.1f"),
            "Score after": st.column_config.NumberColumn(format="%.1f"),
            "Band after": st.column_config.TextColumn(help="The score band after the change"),
        },
    )
