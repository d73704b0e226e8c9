"""Measures funnel shape from generated landing files: ``python -m leadwarehouse.generator.check DIR``.

Reads only the files (not generator internals): drops malformed rows the way staging would,
merges records on the normalized email, scores persons with ``scoring_approx`` and reports
inquiry->MQL, MQL->SAL, SAL->SQL, SQL->won (of closed), won-rate by peak score band and SDR
first-touch times in business hours. Meant for small/medium runs (pandas, all in memory).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from .bizcal import BizCalendar
from .refdata import load_refdata
from .scoring_approx import Scorer
from .world import utc_date

TS_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def read_table(landing: Path, name: str) -> pd.DataFrame:
    """All columns as read (CSV: strings); parts of a folder concatenated in name order."""
    files = sorted((landing / name).glob("part-*")) if (landing / name).is_dir() else []
    files += [p for p in (landing / f"{name}.parquet", landing / f"{name}.csv") if p.exists()]
    frames = []
    for f in files:
        if f.suffix == ".parquet":
            frames.append(pq.read_table(f).to_pandas())
        else:
            frames.append(pd.read_csv(f, dtype=str, keep_default_na=False, na_values=[""]))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def parse_ts(s: pd.Series) -> pd.Series:
    """UTC seconds (float), NaN where unparseable."""
    t = pd.to_datetime(s, format=TS_FORMAT, errors="coerce", utc=True)
    return (t - pd.Timestamp("1970-01-01", tz="UTC")).dt.total_seconds()


def valid_email(s: pd.Series) -> pd.Series:
    e = s.fillna("").str.strip()
    return e.str.contains("@", regex=False) & ~e.str.contains(" ", regex=False) & (e.str.lower() != "n/a")


def measure(landing: str | Path, seeds_dir: str | Path | None = None) -> dict:
    landing = Path(landing)
    manifest = json.loads((landing / "_manifest.json").read_text())
    as_of = int(pd.Timestamp(manifest["as_of"]).timestamp())
    ref = load_refdata(seeds_dir)
    sc = Scorer(seeds_dir)
    ok_src = set(ref.values("leads", "lead_source"))
    ok_et = set(ref.values("marketing_events", "event_type"))
    leads = read_table(landing, "leads")
    leads["t"] = parse_ts(leads["created_at"])
    leads = leads[
        leads["lead_id"].notna()
        & valid_email(leads["email"])
        & leads["t"].notna()
        & (leads["t"] <= as_of)
        & leads["lead_source"].isin(ok_src)
        & ~leads["lead_id"].duplicated(keep=False)
    ].copy()
    leads["person"] = leads["email"].str.strip().str.lower()
    leads = leads.sort_values(["t", "lead_id"])
    first = leads.drop_duplicates("person").reset_index(drop=True)
    pix = {p: i for i, p in enumerate(first["person"])}
    lead_person = dict(zip(leads["lead_id"], leads["person"].map(pix), strict=True))
    acc = read_table(landing, "accounts")
    acc = acc[acc["account_id"].notna()].drop_duplicates("account_id").set_index("account_id")
    a = acc.reindex(first["account_id"])
    emp = pd.to_numeric(a["employee_count"], errors="coerce").to_numpy(dtype=float)
    sen, role, fun = sc.title_attributes(first["title"].to_numpy(dtype=object))
    seg = sc.segment(emp)
    tech = [
        frozenset(x.strip().lower() for x in str(v).split(";") if x.strip())
        if isinstance(v, str)
        else frozenset()
        for v in a["tech_stack"]
    ]
    obj = lambda s: s.astype(object).where(s.notna(), None).to_numpy()  # noqa: E731
    attrs = dict(
        employee_count=emp,
        annual_revenue=pd.to_numeric(a["annual_revenue"], errors="coerce").to_numpy(dtype=float),
        industry=obj(a["industry"]),
        region=obj(a["region"]),
        country=obj(first["country"]),
        technology=np.array(tech + [frozenset()], dtype=object)[:-1],
        seniority=sen,
        buying_role=role,
        job_function=fun,
        email_type=sc.email_type(first["email"].to_numpy(dtype=object)),
        segment=seg,
        lead_source=obj(first["lead_source"]),
        channel=obj(first["channel"]),
        motion=obj(first["motion"]),
    )
    model = sc.select_model(attrs["motion"], seg)
    fit, neg, _ = sc.fit(attrs, model)
    mand = sc.mandatory_ok(
        model,
        {
            k: obj(first[k])
            for k in ("email", "company_name", "title", "country", "account_id", "first_name", "last_name")
        },
    )
    ev = read_table(landing, "marketing_events")
    ev["t"] = parse_ts(ev["occurred_at"])
    ev = ev[
        ev["event_id"].notna()
        & ev["t"].notna()
        & ev["event_type"].isin(ok_et)
        & ~ev["event_id"].duplicated(keep=False)
    ]
    ev = ev.assign(person=ev["lead_id"].map(lead_person)).dropna(subset=["person"])
    sig = sc.signal_index(ev["event_type"].to_numpy(), ev["page_url"].to_numpy(), ev["asset_name"].to_numpy())
    order = ev["event_id"].rank(method="first").to_numpy(dtype=np.int64)
    res = sc.score(
        model,
        fit + neg,
        first["t"].to_numpy(dtype=np.int64),
        mand,
        ev["person"].to_numpy(dtype=np.int64),
        ev["t"].to_numpy(dtype=np.int64),
        sig,
        order,
        as_of,
    )
    n = len(first)
    is_mql = res["mql_at"] >= 0
    band = sc.band(res["peak"], model)
    # sales activities and opportunities per person
    act = read_table(landing, "sales_activities")
    act["t"] = parse_ts(act["occurred_at"])
    act = act[act["activity_id"].notna() & act["t"].notna()]
    act = act.assign(person=act["lead_id"].map(lead_person)).dropna(subset=["person"])
    act["person"] = act["person"].astype(np.int64)
    sal = np.zeros(n, bool)
    sal[act.loc[act["activity_type"] == "accept", "person"].unique()] = True
    conf = act[
        (act["activity_type"] == "discovery_answer") & act["is_confirmed"].astype(str).str.lower().eq("true")
    ]
    have = conf.groupby("person")["checklist_item"].agg(set)
    fw_items = {
        s: set(ref.checklists[ref.framework(s)]) for s in ("smb", "mid_market", "enterprise", "unknown")
    }
    sql = np.zeros(n, bool)
    for p_, items in have.items():
        sql[p_] = fw_items[seg[p_]] <= items
    opp = read_table(landing, "opportunities")
    opp = opp[
        opp["opportunity_id"].notna()
        & opp["stage"].isin(["closed_won", "closed_lost", "discovery", "proposal", "negotiation"])
    ]
    opp = opp.assign(person=opp["lead_id"].map(lead_person)).dropna(subset=["person"])
    opp["person"] = opp["person"].astype(np.int64)
    opp["won"] = opp["stage"] == "closed_won"
    opp["closed"] = opp["stage"].isin(["closed_won", "closed_lost"])
    opp["band"] = band[opp["person"].to_numpy()]
    opp["from_mql"] = is_mql[opp["person"].to_numpy()]
    closed = opp[opp["closed"]]
    fun_closed = closed[closed["from_mql"] & sql[closed["person"].to_numpy()]]
    peak = res["peak"][closed["person"].to_numpy()]
    fixed = np.select([peak >= 80, peak >= 60, peak >= 40], ["hot", "mql", "warm"], "nurture")

    def by(bands: np.ndarray) -> dict:
        out = {}
        for b_ in ("nurture", "warm", "mql", "hot"):
            cb = closed[bands == b_]
            out[b_] = {
                "closed": len(cb),
                "won": int(cb["won"].sum()),
                "won_rate": round(float(cb["won"].mean()), 4) if len(cb) else None,
            }
        return out

    # SDR first touch after MQL, business hours in the owner's territory
    reps = read_table(landing, "reps").set_index("rep_id")
    teams = read_table(landing, "teams").set_index("team_id")
    terrs = read_table(landing, "territories").set_index("territory_id")
    touches = act[act["activity_type"].isin(["call", "email"])].copy()
    touches["mql_at"] = res["mql_at"][touches["person"].to_numpy()]
    touches = touches[(touches["mql_at"] >= 0) & (touches["t"] >= touches["mql_at"])]
    ft = touches.sort_values("t").drop_duplicates("person")
    ft_terr = ft["rep_id"].map(reps["team_id"]).map(teams["territory_id"])
    cal_from, cal_to = utc_date(int(first["t"].min()) - 86400 * 30), utc_date(as_of + 86400 * 400)
    bh = np.full(len(ft), np.nan)
    for tid, tz in terrs["time_zone"].items():
        sel = (ft_terr == tid).to_numpy()
        cal = BizCalendar(tz, ref.holidays.get(tid, set()), cal_from, cal_to)
        bh[sel] = (
            cal.to_bsec(ft["t"].to_numpy(np.int64)[sel]) - cal.to_bsec(ft["mql_at"].to_numpy(np.int64)[sel])
        ) / 3600
    hot_ft = res["mql_score"][ft["person"].to_numpy()] >= sc.m_hot[model[ft["person"].to_numpy()]]
    rate = lambda a_, b_: round(float(a_) / float(b_), 4) if b_ else None  # noqa: E731
    return {
        "persons": n,
        "mql": int(is_mql.sum()),
        "sal": int((sal & is_mql).sum()),
        "sql": int((sql & sal & is_mql).sum()),
        "inquiry_to_mql": rate(is_mql.sum(), n),
        "mql_to_sal": rate((sal & is_mql).sum(), is_mql.sum()),
        "sal_to_sql": rate((sql & sal & is_mql).sum(), (sal & is_mql).sum()),
        "sql_to_won_of_closed": rate(fun_closed["won"].sum(), len(fun_closed)),
        "opportunities": len(opp),
        "sales_sourced_opportunities": int((~opp["from_mql"]).sum()),
        "won_rate_by_peak_band": by(closed["band"].to_numpy()),  # thresholds of each lead's model
        "won_rate_by_peak_band_fixed": by(fixed),  # 40 / 60 / 80 for every lead
        "first_touch_business_hours": {
            "touched": len(ft),
            "median": round(float(np.nanmedian(bh)), 2) if len(bh) else None,
            "share_over_24h": rate((bh > 24).sum(), len(bh)),
            "hot_median": round(float(np.nanmedian(bh[hot_ft])), 2) if hot_ft.any() else None,
            "hot_share_within_2h": rate((bh[hot_ft] <= 2).sum(), hot_ft.sum()),
        },
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("usage: python -m leadwarehouse.generator.check LANDING_DIR", file=sys.stderr)
        return 2
    print(json.dumps(measure(args[0]), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
