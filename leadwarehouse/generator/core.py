"""Orchestration: world -> pass 1 (leads, events, scoring per block) -> SDR queues -> pass 2 (sales).

Leads are generated in fixed blocks of ``BLOCK`` records, each with its own numpy Generator
seeded from (seed, block, stream). ``chunk_size`` only groups whole blocks into output parts, so
the rows (and their order) are the same for every chunk size; only the part boundaries move.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from tqdm import tqdm

from . import __version__, catalog, malform
from .behavior import ET, make_events
from .people import SOURCES, STUDENT, TITLE_LEVEL, make_block
from .refdata import load_refdata
from .sales import sales_block, simulate_queues
from .scoring_approx import Scorer
from .world import World, build_world, spend_rows, staff, target_rows
from .writer import BIG_TABLES, LandingWriter, build_table

BLOCK = 1000
DEFAULT_AS_OF = "2026-11-01T00:00:00Z"
STREAM_PEOPLE, STREAM_LEAD_DEFECTS, STREAM_EVENTS, STREAM_EVENT_DEFECTS, STREAM_SALES_SOURCED = 1, 2, 3, 4, 5
STREAM_SALES, STREAM_SALES_DEFECTS = 6, 7
SOURCE_ARR = np.array(SOURCES, dtype=object)
MOTION_ARR = np.array([catalog.LEAD_SOURCES[s]["motion"] for s in SOURCES], dtype=object)
SS_SOURCE_MULT = np.array(
    [
        {"referral": 8.0, "outbound_prospecting": 3.0, "list_import": 1.5, "event": 2.0}.get(s, 1.0)
        for s in SOURCES
    ]
)


def parse_as_of(value: str | dt.datetime | int) -> int:
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return int(value.timestamp())


def _tech(tech_set: np.ndarray, ai: np.ndarray, has: np.ndarray) -> np.ndarray:
    out = tech_set[ai].copy()
    for i in np.flatnonzero(~has):
        out[i] = frozenset()
    return out


def _rng(seed: int, block: int, stream: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, block, stream]))


def _s(values) -> pa.Array:
    return pa.array(values, type=pa.string(), from_pandas=True)


def _take(catalog_arr: pa.Array, idx: np.ndarray) -> pa.Array:
    return catalog_arr.take(pa.array(idx, mask=idx < 0))


def _ids(prefix: str, block: int, n: int, width: int) -> pa.Array:
    num = pa.array(np.arange(n, dtype=np.int64) + block * 10**width)
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(pc.cast(num, pa.string()), width + 6, "0"), "")


class Generator:
    def __init__(self, seed: int, leads: int, as_of: int, seeds_dir: Path | None = None):
        self.seed, self.leads, self.as_of = seed, leads, as_of
        self.ref = load_refdata(seeds_dir)
        if set(ET) != set(self.ref.values("marketing_events", "event_type")):
            raise ValueError("event types out of sync with seeds/reference/canonical_values.csv")
        self.scorer = Scorer(seeds_dir)
        self.w: World = build_world(seed, leads, as_of, self.ref, self.scorer)
        w = self.w
        self.acc_id = w.accounts["account_id"].copy()
        self.acc_id[w.account_defects["null_id"]] = None  # leads still point at the (lost) original id
        self.a_url = _s([u for u, _k in catalog.PAGES])
        self.a_asset = _s(w.assets)
        self.a_camp = _s(w.campaigns["campaign_id"])
        self.a_et = _s(ET)
        self.sig_cache: dict[int, int] = {}
        self.email_hashes: list[np.ndarray] = []

    # ---- pass 1 ---------------------------------------------------------------------------
    def _signals(self, etype: np.ndarray, url: np.ndarray, asset: np.ndarray) -> np.ndarray:
        na = len(self.w.assets) + 1
        nu = len(catalog.PAGES) + 1
        key = (etype * nu + (url + 1)) * na + (asset + 1)
        uk, inv = np.unique(key, return_inverse=True)
        vals = np.empty(len(uk), np.int64)
        urls = [u for u, _k in catalog.PAGES]
        for i, k in enumerate(uk.tolist()):
            if k not in self.sig_cache:
                a, rest = k % na - 1, k // na
                u, e = rest % nu - 1, rest // nu
                self.sig_cache[k] = self.scorer.signal_one(
                    ET[e], urls[u].lower() if u >= 0 else "", self.w.assets[a].lower() if a >= 0 else ""
                )
            vals[i] = self.sig_cache[k]
        return vals[inv]

    def pass1(self, b: int, n_rows: int) -> dict:
        w, sc, as_of = self.w, self.scorer, self.as_of
        acc = w.accounts
        blk = make_block(w, b, n_rows, _rng(self.seed, b, STREAM_PEOPLE))
        p, rows = blk.persons, blk.rows
        P = len(p["z"])
        rp = rows["person"]
        # lead defects first: quarantined persons never reach an SDR; id-less ones have no events
        rng_ld = _rng(self.seed, b, STREAM_LEAD_DEFECTS)
        lead_def = malform.choose(rng_ld, "leads", n_rows, p["n_records"][rp] == 1)
        quarantined = np.zeros(P, bool)
        silent = np.zeros(P, bool)
        for kind, r_ in lead_def.items():
            if not kind.startswith("_"):
                quarantined[rp[r_]] = True
        silent[rp[np.concatenate([lead_def["null_id"], lead_def["duplicate_id"]])]] = True
        ev = make_events(w, blk, _rng(self.seed, b, STREAM_EVENTS), silent)
        o = np.lexsort((ev["type"], ev["row"], ev["t"]))
        ev = {k: v[o] for k, v in ev.items()}
        n_ev = len(ev["t"])
        assert n_ev < 10**6, "too many events in one block"
        rng_ed = _rng(self.seed, b, STREAM_EVENT_DEFECTS)
        ev_def = malform.choose(rng_ed, "marketing_events", n_ev)
        bad_ev = np.zeros(n_ev, bool)
        for kind, r_ in ev_def.items():
            if not kind.startswith("_"):
                bad_ev[r_] = True
        # ---- score persons (attributes from the primary record and its account)
        ai = np.maximum(p["account"], 0)
        has = p["account"] >= 0
        pr = p["primary_row"]
        emp = np.where(has, acc["employee_count"][ai], np.nan)
        sen, role, fun = sc.title_attributes(p["title_text"])
        seg_name = sc.segment(emp)
        motion = MOTION_ARR[rows["source"][pr]]
        email = rows["email"][pr]
        acc_id = np.where(has, self.acc_id[ai], None)
        attrs = dict(
            employee_count=emp,
            annual_revenue=np.where(has, acc["annual_revenue"][ai], np.nan),
            industry=np.where(has, acc["industry"][ai], None),
            region=np.where(has, acc["region"][ai], None),
            country=np.where(
                pd.isna(p["country_out"]), np.where(has, acc["country"][ai], None), p["country_out"]
            ),
            technology=_tech(acc["tech_set"], ai, has),
            seniority=sen,
            buying_role=role,
            job_function=fun,
            email_type=sc.email_type(email),
            segment=seg_name,
            lead_source=SOURCE_ARR[rows["source"][pr]],
            channel=rows["channel"][pr],
            motion=motion,
        )
        model = sc.select_model(motion, seg_name)
        fit, neg, _icp = sc.fit(attrs, model)
        fields = dict(
            email=email,
            company_name=p["company"],
            title=p["title_text"],
            country=p["country_out"],
            account_id=acc_id,
            first_name=p["first"],
            last_name=p["last"],
        )
        mand = sc.mandatory_ok(model, fields) & ~quarantined
        sig = self._signals(ev["type"], ev["url"], ev["asset"])
        good = ~bad_ev
        res = sc.score(
            model,
            fit + neg,
            p["created"],
            mand,
            ev["person"][good],
            ev["t"][good],
            sig[good],
            np.flatnonzero(good),
            as_of,
        )
        # ---- carry to pass 2
        team = w.team_of(p["territory"], p["segment"])
        team_seg = np.array(catalog.SEGMENTS, dtype=object)[w.teams["segment"][team]]
        common = lambda sel: dict(  # noqa: E731
            lead_id=rows["lead_id"][pr][sel],
            row=pr[sel],
            team=team[sel],
            segment=team_seg[sel],
            z=p["z"][sel],
            fit=p["fit_true"][sel],
            account_id=acc_id[sel],
            created=p["created"][sel],
        )
        is_mql = res["mql_at"] >= 0
        mql = np.flatnonzero(is_mql)
        carry_mql = common(mql) | dict(
            key=(np.int64(b) << 20) + mql,
            mql_at=res["mql_at"][mql],
            hot=res["mql_score"][mql] >= sc.m_hot[model[mql]],
            ptype=p["ptype"][mql],
            bot=p["bot"][mql],
            unserved=p["unserved"][mql],
            student_title=TITLE_LEVEL[p["title"][mql]] == "student",
        )
        rng_ss = _rng(self.seed, b, STREAM_SALES_SOURCED)
        p_ss = 1 / (1 + np.exp(4.1 - 0.7 * p["z"])) * SS_SOURCE_MULT[p["source"]]
        ss = np.flatnonzero(
            (rng_ss.random(P) < p_ss) & ~is_mql & ~quarantined & ~p["bot"] & (p["ptype"] == 0)
        )
        dup_rows = np.flatnonzero(~rows["is_primary"])
        carry = dict(
            lead_cols=None,
            mql=carry_mql,
            ss=common(ss),
            dup=dict(
                lead_id=rows["lead_id"][dup_rows], created=rows["created"][dup_rows], team=team[rp[dup_rows]]
            ),
        )
        # ---- leads table
        camp = rows["campaign"]
        lead_cols = dict(
            lead_id=_s(rows["lead_id"]),
            email=_s(rows["email"]),
            first_name=_s(p["first"][rp]),
            last_name=_s(p["last"][rp]),
            title=_s(p["title_text"][rp]),
            account_id=_s(acc_id[rp]),
            company_name=_s(p["company"][rp]),
            country=_s(p["country_out"][rp]),
            lead_source=_s(SOURCE_ARR[rows["source"]]),
            channel=_s(rows["channel"]),
            motion=_s(MOTION_ARR[rows["source"]]),
            campaign_id=_take(self.a_camp, camp),
            created_at=malform.fmt_ts(rows["created"]),
            has_marketing_consent=pa.array(p["consent"][rp]),
        )
        lead_cols = malform.apply("leads", lead_cols, lead_def, rng_ld, as_of)
        carry["lead_cols"] = lead_cols  # written in pass 2, once owners are routed
        em = lead_cols["email"]
        norm = pc.utf8_lower(pc.utf8_trim_whitespace(em)).to_numpy(zero_copy_only=False)
        self.email_hashes.append(pd.util.hash_array(norm[~pd.isna(norm)].astype(object)))
        # ---- events table
        ev_cols = dict(
            event_id=_ids("EV", b, n_ev, 6),
            lead_id=_s(rows["lead_id"]).take(pa.array(ev["row"])),
            event_type=self.a_et.take(pa.array(ev["type"])),
            page_url=_take(self.a_url, ev["url"]),
            asset_name=_take(self.a_asset, ev["asset"]),
            campaign_id=_take(self.a_camp, ev["campaign"]),
            occurred_at=malform.fmt_ts(ev["t"]),
        )
        orphans = [f"00Q{b:06d}{9000 + j:04d}" for j in range(len(ev_def["orphan"]))]
        ev_cols = malform.apply("marketing_events", ev_cols, ev_def, rng_ed, as_of, orphans)
        stats = dict(
            persons=P,
            persons_with_multiple_records=int((p["n_records"] > 1).sum()),
            duplicate_records=int(n_rows - P),
            mql=int(is_mql.sum()),
            mql_hot=int(carry_mql["hot"].sum()),
            sales_sourced_candidates=len(ss),
            bots=int(p["bot"].sum()),
            students=int((p["ptype"] == STUDENT).sum()),
        )
        return dict(
            events=build_table("marketing_events", ev_cols),
            carry=carry,
            defects={"leads": malform.counts(lead_def), "marketing_events": malform.counts(ev_def)},
            stats=stats,
        )

    # ---- pass 2 ---------------------------------------------------------------------------
    def pass2(self, b: int, carry: dict) -> dict:
        w, as_of = self.w, self.as_of
        rng = _rng(self.seed, b, STREAM_SALES)
        acts, opps, owners = sales_block(w, carry, rng)
        # lead owners: the SDR an MQL was routed to, the AE of a sales-sourced lead
        m = carry["mql"]
        lc = dict(carry.pop("lead_cols"))
        n_rows = len(lc["lead_id"])
        owner = np.full(n_rows, -1, np.int64)
        owner_t = np.zeros(n_rows, np.int64)
        routed = m["routed_at"] <= as_of
        owner[m["row"][routed]], owner_t[m["row"][routed]] = m["sdr"][routed], m["routed_at"][routed]
        for row, rep, t_own in owners:
            if owner[row] < 0:
                owner[row], owner_t[row] = rep, t_own
        has_owner = owner >= 0
        lc["owner_rep_id"] = _s(np.where(has_owner, w.reps["rep_id"][np.maximum(owner, 0)], None))
        lc["owner_assigned_at"] = pc.if_else(
            pa.array(has_owner), malform.fmt_ts(owner_t), pa.scalar(None, pa.string())
        )
        # activities: business seconds -> UTC, drop the future, order by time
        n = len(acts)
        cols = list(zip(*acts, strict=True)) if n else [[] for _ in range(9)]
        bsec = np.array(cols[7], dtype=np.int64)
        terr = np.array(cols[8], dtype=np.int64)
        t = np.zeros(n, np.int64)
        for ti, cal in enumerate(w.calendars):
            sel = terr == ti
            t[sel] = cal.from_bsec(bsec[sel])
        keep = np.flatnonzero(t <= as_of)
        lead_arr = np.array(cols[0], dtype=object)
        keep = keep[np.lexsort((keep, lead_arr[keep].astype(str), t[keep]))] if len(keep) else keep
        na = len(keep)
        assert na < 10**6

        def pick(j: int, dtype=object) -> np.ndarray:
            return np.array(cols[j], dtype=dtype)[keep] if n else np.zeros(0, dtype)

        act_cols = dict(
            activity_id=_ids("00T", b, na, 6),
            lead_id=_s(pick(0)),
            rep_id=_s(w.reps["rep_id"][pick(1, np.int64)]),
            activity_type=_s(pick(2)),
            reason_code=_s(pick(3)),
            note=_s(pick(4)),
            checklist_item=_s(pick(5)),
            is_confirmed=pa.array(list(pick(6)), type=pa.bool_()),
            occurred_at=malform.fmt_ts(t[keep]),
        )
        rng_d = _rng(self.seed, b, STREAM_SALES_DEFECTS)
        a_def = malform.choose(rng_d, "sales_activities", na)
        orphans = [f"00Q{b:06d}{9500 + j:04d}" for j in range(len(a_def["orphan"]))]
        act_cols = malform.apply("sales_activities", act_cols, a_def, rng_d, as_of, orphans)
        # opportunities
        no = len(opps)
        oc = list(zip(*opps, strict=True)) if no else [[] for _ in range(10)]
        o_terr = np.array(oc[8], dtype=np.int64)
        created_b, close_b = np.array(oc[3], dtype=np.int64), np.array(oc[4], dtype=np.int64)
        created, close = np.zeros(no, np.int64), np.zeros(no, np.int64)
        for ti, cal in enumerate(w.calendars):
            sel = o_terr == ti
            created[sel], close[sel] = cal.from_bsec(created_b[sel]), cal.from_bsec(close_b[sel])
        keep = np.flatnonzero(created <= as_of)
        keep = keep[np.argsort(created[keep], kind="stable")]
        created, close = created[keep], close[keep]
        won = np.array(oc[5], dtype=bool)[keep] if no else np.zeros(0, bool)
        closed = close <= as_of
        progress = (as_of - created) / np.maximum(close - created, 1)
        stage = np.where(
            closed,
            np.where(won, "closed_won", "closed_lost"),
            np.where(progress < 0.35, "discovery", np.where(progress < 0.7, "proposal", "negotiation")),
        )
        slip = ~closed & (rng.random(len(keep)) < 0.25)
        close_date_t = np.where(slip, close - rng.integers(10, 45, len(keep)) * 86400, close)
        close_date = pc.strftime(pa.array(close_date_t, type=pa.timestamp("s")), format="%Y-%m-%d")
        lost = np.array(oc[7], dtype=object)[keep] if no else np.zeros(0, object)
        o_cols = dict(
            opportunity_id=_ids("006", b, len(keep), 5),
            lead_id=_s(np.array(oc[0], dtype=object)[keep] if no else []),
            account_id=_s(np.array(oc[1], dtype=object)[keep] if no else []),
            owner_rep_id=_s(w.reps["rep_id"][np.array(oc[2], dtype=np.int64)[keep]] if no else []),
            created_at=malform.fmt_ts(created),
            stage=_s(stage.astype(object)),
            amount=np.array(oc[6], dtype=float)[keep] if no else np.zeros(0),
            close_date=close_date,
            closed_at=pc.if_else(pa.array(closed), malform.fmt_ts(close), pa.scalar(None, pa.string())),
            lost_reason=_s(np.where(closed & ~won, lost, None)),
        )
        rng_o = _rng(self.seed, b, STREAM_SALES_DEFECTS + 100)
        o_def = malform.choose(rng_o, "opportunities", len(keep))
        orphans = [f"00Q{b:06d}{9800 + j:04d}" for j in range(len(o_def["orphan"]))]
        o_cols = malform.apply("opportunities", o_cols, o_def, rng_o, as_of, orphans)
        return dict(
            leads=build_table("leads", lc),
            activities=build_table("sales_activities", act_cols),
            opportunities=build_table("opportunities", o_cols),
            defects={"sales_activities": malform.counts(a_def), "opportunities": malform.counts(o_def)},
        )

    # ---- small tables ---------------------------------------------------------------------
    def small_tables(self) -> tuple[dict[str, pa.Table], dict]:
        w = self.w
        a = w.accounts
        rng = np.random.default_rng(np.random.SeedSequence([self.seed, 0xACC7]))
        acc_cols = dict(
            account_id=_s(a["account_id"]),
            domain=_s(a["domain"]),
            account_name=_s(a["account_name"]),
            industry=_s(a["industry"]),
            employee_count=a["employee_count"],
            annual_revenue=a["annual_revenue"],
            country=_s(a["country"]),
            region=_s(a["region"]),
            tech_stack=_s(a["tech_stack"]),
        )
        acc_def = dict(w.account_defects)
        acc_cols = malform.apply("accounts", acc_cols, acc_def, rng, self.as_of)
        team_ids = w.teams["team_id"]
        c = w.campaigns
        ended = c["ended_at"]
        tables = {
            "accounts": build_table("accounts", acc_cols),
            "reps": build_table(
                "reps",
                dict(
                    rep_id=w.reps["rep_id"],
                    rep_name=w.reps["rep_name"],
                    role=w.reps["role"],
                    team_id=team_ids[w.reps["team"]],
                    is_active=pa.array(w.reps["is_active"]),
                ),
            ),
            "teams": build_table(
                "teams",
                dict(
                    team_id=team_ids,
                    team_name=w.teams["team_name"],
                    territory_id=[catalog.TERRITORIES[t][0] for t in w.teams["territory"]],
                    segment=[catalog.SEGMENTS[s] for s in w.teams["segment"]],
                ),
            ),
            "territories": build_table(
                "territories",
                dict(
                    territory_id=[t[0] for t in catalog.TERRITORIES],
                    territory_name=[t[1] for t in catalog.TERRITORIES],
                    region=[t[2] for t in catalog.TERRITORIES],
                    time_zone=[t[3] for t in catalog.TERRITORIES],
                ),
            ),
            "campaigns": build_table(
                "campaigns",
                dict(
                    campaign_id=c["campaign_id"],
                    campaign_name=c["campaign_name"],
                    lead_source=c["lead_source"],
                    channel=c["channel"],
                    started_at=malform.fmt_ts(c["started_at"]),
                    ended_at=pc.if_else(
                        pa.array(ended >= 0),
                        malform.fmt_ts(np.maximum(ended, 0)),
                        pa.scalar(None, pa.string()),
                    ),
                ),
            ),
            "marketing_spend": build_table("marketing_spend", spend_rows(w)),
            "sales_targets": build_table("sales_targets", target_rows(w)),
        }
        return tables, {"accounts": malform.counts(acc_def)}


def generate(
    out_dir: str | Path,
    leads: int,
    seed: int = 42,
    fmt: str = "parquet",
    as_of: str | dt.datetime = DEFAULT_AS_OF,
    chunk_size: int = 50_000,
    seeds_dir: str | Path | None = None,
    progress: bool = False,
) -> dict:
    """Generates the landing files into out_dir and returns the manifest (also written as _manifest.json)."""
    if leads < 1:
        raise ValueError("leads must be >= 1")
    as_of_t = parse_as_of(as_of)
    g = Generator(seed, leads, as_of_t, Path(seeds_dir) if seeds_dir else None)
    writer = LandingWriter(out_dir, fmt)
    n_blocks = math.ceil(leads / BLOCK)
    per_chunk = max(1, math.ceil(chunk_size / BLOCK))
    chunks = [list(range(s, min(n_blocks, s + per_chunk))) for s in range(0, n_blocks, per_chunk)]
    rows: dict[str, int] = {t: 0 for t in BIG_TABLES}
    defects: dict[str, dict[str, int]] = {}
    stats: dict[str, int] = {}

    def add_defects(d: dict) -> None:
        for t, kinds in d.items():
            tgt = defects.setdefault(t, {})
            for k, v in kinds.items():
                tgt[k] = tgt.get(k, 0) + v

    carries: list[dict] = []
    bar = tqdm(total=2 * len(chunks), unit="chunk", desc="leads+events", disable=not progress)
    for ci, chunk in enumerate(chunks):
        et = []
        for b in chunk:
            res = g.pass1(b, min(BLOCK, leads - b * BLOCK))
            et.append(res["events"])
            carries.append(res["carry"])
            add_defects(res["defects"])
            for k, v in res["stats"].items():
                stats[k] = stats.get(k, 0) + v
        rows["marketing_events"] += writer.write_part("marketing_events", ci, pa.concat_tables(et))
        del et
        bar.update()
    # global SDR queues over all MQLs, in arrival order
    bar.set_description("sdr queues")
    cat = lambda k, src="mql": np.concatenate([c[src][k] for c in carries])  # noqa: E731
    # routing: a few minutes after the MQL crossing; now and then a routing rule fails for hours
    n_mql = sum(len(c["mql"]["mql_at"]) for c in carries)
    rng_route = np.random.default_rng(np.random.SeedSequence([seed, 0x5EED]))
    delay = np.where(
        rng_route.random(n_mql) < 0.96,
        rng_route.integers(30, 290, n_mql),
        rng_route.integers(360, 3 * 3600, n_mql),
    )
    arrival = cat("mql_at") + delay
    staff(g.w, arrival, cat("team"))
    q = simulate_queues(g.w, arrival, cat("key"), cat("team"), cat("hot"))
    pos = 0
    for c in carries:
        k = len(c["mql"]["mql_at"])
        c["mql"]["sdr"], c["mql"]["first_touch"] = q["sdr"][pos : pos + k], q["first_touch"][pos : pos + k]
        c["mql"]["routed_at"] = arrival[pos : pos + k]
        pos += k
    stats["mql_first_touched"] = int((q["first_touch"] >= 0).sum())
    bar.set_description("sales")
    rows["leads"] = rows["sales_activities"] = rows["opportunities"] = 0
    for ci, chunk in enumerate(chunks):
        lt, at, ot = [], [], []
        for b in chunk:
            res = g.pass2(b, carries[b])
            carries[b] = None
            lt.append(res["leads"])
            at.append(res["activities"])
            ot.append(res["opportunities"])
            add_defects(res["defects"])
        rows["leads"] += writer.write_part("leads", ci, pa.concat_tables(lt))
        rows["sales_activities"] += writer.write_part("sales_activities", ci, pa.concat_tables(at))
        rows["opportunities"] += writer.write_part("opportunities", ci, pa.concat_tables(ot))
        bar.update()
    bar.close()
    tables, small_defects = g.small_tables()
    add_defects(small_defects)
    for name, tbl in tables.items():
        rows[name] = writer.write_single(name, tbl)
    hashes = np.concatenate(g.email_hashes) if g.email_hashes else np.zeros(0, np.uint64)
    _u, cnt = np.unique(hashes, return_counts=True)
    manifest = {
        "generator": "leadwarehouse.generator",
        "generator_version": __version__,
        "seed": seed,
        "leads": leads,
        "as_of": dt.datetime.fromtimestamp(as_of_t, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "format": fmt,
        "block_size": BLOCK,
        "row_counts": {t: rows[t] for t in sorted(rows)},
        "defects": {t: dict(sorted(defects[t].items())) for t in sorted(defects)},
        "duplicates": {
            "persons_with_multiple_records": stats["persons_with_multiple_records"],
            "duplicate_records": stats["duplicate_records"],
            "normalized_emails_with_multiple_records": int((cnt > 1).sum()),
        },
        "simulation": {
            k: stats[k]
            for k in sorted(stats)
            if k not in ("persons_with_multiple_records", "duplicate_records")
        },
    }
    Path(out_dir, "_manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest
