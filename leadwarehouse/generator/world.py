"""The static world: territories, teams, reps, accounts, campaigns, webinars, spend and targets.

Built once per run from the seed alone (never from per-block randomness), sized from the
number of leads so that per-SDR load, CAC and coverage stay plausible at every scale.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np

from . import catalog
from .bizcal import BizCalendar
from .refdata import RefData
from .scoring_approx import Scorer

DAY = 86400
WON_PER_LEAD_GUESS = 0.012
ACV_MEDIAN = {"smb": 9000.0, "mid_market": 32000.0, "enterprise": 120000.0}


def ts(d: dt.datetime | dt.date) -> int:
    if isinstance(d, dt.datetime):
        return int(d.replace(tzinfo=dt.UTC).timestamp()) if d.tzinfo is None else int(d.timestamp())
    return int(dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC).timestamp())


def utc_date(t: int) -> dt.date:
    return dt.datetime.fromtimestamp(int(t), dt.UTC).date()


def month_starts(start: int, end: int) -> list[dt.date]:
    d = utc_date(start).replace(day=1)
    out = []
    while ts(d) < end:
        out.append(d)
        d = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


@dataclass
class World:
    seed: int
    n_leads: int
    as_of: int
    start: int
    ref: RefData
    scorer: Scorer
    territories: tuple = catalog.TERRITORIES
    calendars: list[BizCalendar] = field(default_factory=list)
    teams: dict = field(default_factory=dict)
    reps: dict = field(default_factory=dict)
    team_sdrs: list = field(default_factory=list)
    team_aes: list = field(default_factory=list)
    team_cap: np.ndarray | None = None
    accounts: dict = field(default_factory=dict)
    account_defects: dict = field(default_factory=dict)
    campaigns: dict = field(default_factory=dict)
    day_t: np.ndarray | None = None
    day_cdf: np.ndarray | None = None
    assets: list = field(default_factory=list)
    webinars: dict = field(default_factory=dict)

    # lookups filled in build()
    def team_of(self, territory: np.ndarray, segment: np.ndarray) -> np.ndarray:
        return territory * len(catalog.SEGMENTS) + segment


def build_world(seed: int, n_leads: int, as_of: int, ref: RefData, scorer: Scorer, months: int = 18) -> World:
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0xB0A1D]))
    as_of_d = dt.datetime.fromtimestamp(as_of, dt.UTC)
    y, m = as_of_d.year, as_of_d.month - months
    while m <= 0:
        y, m = y - 1, m + 12
    start = ts(as_of_d.replace(year=y, month=m, day=min(as_of_d.day, 28)))
    w = World(seed=seed, n_leads=n_leads, as_of=as_of, start=start, ref=ref, scorer=scorer)
    cal_from = utc_date(start - 60 * DAY)
    cal_to = utc_date(as_of + 3 * 365 * DAY)
    w.calendars = [
        BizCalendar(tz, ref.holidays.get(tid, set()), cal_from, cal_to)
        for tid, _n, _r, tz, _o in w.territories
    ]
    _lead_volume(w, rng)
    _accounts(w, rng)
    _teams(w)
    _campaigns(w, rng)
    _assets(w)
    return w


def _lead_volume(w: World, rng: np.random.Generator) -> None:
    n_days = (w.as_of - w.start) // DAY
    day_t = w.start + DAY * np.arange(n_days, dtype=np.int64)
    frac = np.arange(n_days) / max(n_days - 1, 1)
    weekday = (day_t // DAY + 3) % 7  # 0 = Monday
    wt = (1.0 + 0.6 * frac) * np.where(weekday < 5, 1.0, 0.3)
    doy = np.array([utc_date(t).timetuple().tm_yday for t in day_t])
    wt *= np.where((doy > 355) | (doy < 3), 0.45, 1.0) * (1 + 0.12 * np.cos(2 * np.pi * (doy - 80) / 365))
    spikes = rng.choice(n_days, size=max(1, n_days // 60), replace=False)
    wt[spikes] *= 2.5
    wt[np.minimum(spikes + 1, n_days - 1)] *= 1.6
    w.day_t = day_t
    w.day_cdf = np.cumsum(wt) / wt.sum()


def _accounts(w: World, rng: np.random.Generator) -> None:
    n = max(300, int(w.n_leads / 5.5))
    log_emp = np.clip(rng.normal(2.2, 0.95, n), 0.0, 5.4)
    emp = np.round(10**log_emp).astype(np.int64)
    emp = np.maximum(emp, 1)
    emp_f = emp.astype(float)
    emp_f[rng.random(n) < 0.04] = np.nan
    regions = list(catalog.REGION_WEIGHTS)
    reg = rng.choice(len(regions), size=n, p=list(catalog.REGION_WEIGHTS.values()))
    country = np.empty(n, dtype=object)
    for ri, r in enumerate(regions):
        sel = np.flatnonzero(reg == ri)
        cs, cw = zip(*catalog.REGION_COUNTRIES[r], strict=True)
        country[sel] = np.array(cs, dtype=object)[
            rng.choice(len(cs), size=len(sel), p=np.array(cw) / sum(cw))
        ]
    terr_ids = [t[0] for t in catalog.TERRITORIES]
    terr_of_region = {r: [i for i, t in enumerate(catalog.TERRITORIES) if t[2] == r] for r in regions}
    territory = np.array([terr_of_region[regions[r]][0] for r in reg], dtype=np.int64)
    na = reg == regions.index("north_america")
    west = na & (rng.random(n) < np.where(country == "US", 0.45, 0.3))
    territory[west] = terr_ids.index("na_west")
    industries = catalog.INDUSTRIES_TARGET + catalog.INDUSTRIES_OTHER
    iw = np.array(
        [0.2, 0.12, 0.1, 0.12, 0.08] + [0.38 / len(catalog.INDUSTRIES_OTHER)] * len(catalog.INDUSTRIES_OTHER)
    )
    industry = np.array(industries, dtype=object)[rng.choice(len(industries), size=n, p=iw / iw.sum())]
    # tech stack: k tools drawn without replacement (Gumbel top-k), more for larger companies
    tech_names = [t[0] for t in catalog.TECH]
    tw = np.array([0.45, 0.3, 0.18, 0.1, 0.1] + [0.12] * (len(tech_names) - 5))
    k = np.minimum(rng.poisson(1.2 + 0.5 * log_emp), len(tech_names))
    g = np.log(tw)[None, :] - np.log(-np.log(rng.random((n, len(tech_names)))))
    order = np.argsort(-g, axis=1)
    seps = np.array([";", "; ", " ; "], dtype=object)[rng.choice(3, size=n, p=[0.6, 0.3, 0.1])]
    tech_str = np.empty(n, dtype=object)
    tech_set = np.empty(n, dtype=object)
    no_tech = rng.random(n) < 0.07
    for i in range(n):
        tools = [tech_names[j] for j in order[i, : k[i]]]
        tech_set[i] = frozenset(x.lower() for x in tools) if not no_tech[i] else frozenset()
        tech_str[i] = seps[i].join(tools) if (tools and not no_tech[i]) else None
    # names and domains: unique (word a, word b, word c, number) combinations
    a, b, c = catalog.COMPANY_A, catalog.COMPANY_B, catalog.COMPANY_C
    c_unique = tuple(dict.fromkeys(c))
    base = len(a) * len(b) * len(c_unique)
    reps = max(1, math.ceil(3 * n / base))
    pick = rng.choice(base * reps, size=n, replace=False)
    num, rest = pick // base, pick % base
    ai, bi, ci = rest // (len(b) * len(c_unique)), (rest // len(c_unique)) % len(b), rest % len(c_unique)
    names = np.empty(n, dtype=object)
    domains = np.empty(n, dtype=object)
    for i in range(n):
        parts = [a[ai[i]], b[bi[i]]] + ([c_unique[ci[i]]] if c_unique[ci[i]] else [])
        nm = " ".join(parts) + (f" {num[i] + 1}" if num[i] else "")
        names[i] = nm
        domains[i] = (
            "".join(parts).lower() + (str(num[i] + 1) if num[i] else "") + catalog.COUNTRY_TLD[country[i]]
        )
    legal = np.array([catalog.LEGAL_SUFFIX.get(x, "") for x in country], dtype=object)
    add_legal = (rng.random(n) < 0.5) & (legal != "")
    acc_name = np.where(add_legal, names + " " + legal, names)
    rev = np.round(np.where(np.isnan(emp_f), np.nan, emp_f * np.exp(rng.normal(np.log(180000), 0.5, n))), -3)
    rev[rng.random(n) < 0.15] = np.nan
    seg = np.zeros(n, dtype=np.int64)
    for si, s in enumerate(catalog.SEGMENTS):
        lo, hi = next((lo, hi) for sg, lo, hi, _fw in w.ref.segments if sg == s)
        seg[(emp_f >= lo) & ((emp_f <= hi) if hi is not None else True)] = si
    # sampling weight of an account for inbound leads (bigger companies produce more leads)
    weight = np.exp(rng.normal(0, 0.9, n)) * np.nan_to_num(emp_f, nan=50.0) ** 0.3
    cdf = np.cumsum(weight) / weight.sum()
    in_band = (emp_f >= 200) & (emp_f <= 5000)
    icp_w = weight * np.where(in_band, 2.0, 1.0) * np.isin(industry, catalog.INDUSTRIES_TARGET) + 1e-9
    w.accounts = dict(
        n=n,
        account_id=np.array([f"001{i:09d}" for i in range(n)], dtype=object),
        domain=domains,
        account_name=acc_name,
        short_name=names,
        industry=industry,
        employee_count=emp_f,
        annual_revenue=rev,
        country=country,
        region=np.array(regions, dtype=object)[reg],
        tech_stack=tech_str,
        tech_set=tech_set,
        territory=territory,
        segment=seg,
        team=w.team_of(territory, seg),
        unserved=np.isin(country, list(catalog.UNSERVED_COUNTRIES)),
        cdf=cdf,
        icp_cdf=np.cumsum(icp_w) / icp_w.sum(),
        team_share=np.bincount(w.team_of(territory, seg), weights=weight, minlength=15) / weight.sum(),
    )
    # a few malformed accounts (null id, unknown region)
    bad = rng.choice(n, size=rng.binomial(n, 0.005), replace=False)
    half = len(bad) // 2
    w.account_defects = {"null_id": np.sort(bad[:half]), "unknown_enum": np.sort(bad[half:])}


def _teams(w: World) -> None:
    team_id, team_name, team_terr, team_seg = [], [], [], []
    for ti, (tid, tname, _r, _tz, _o) in enumerate(catalog.TERRITORIES):
        for si, s in enumerate(catalog.SEGMENTS):
            team_id.append(f"team_{tid}_{s}")
            team_name.append(f"{tname} {s.replace('_', '-').title()}")
            team_terr.append(ti)
            team_seg.append(si)
    w.teams = dict(
        team_id=np.array(team_id, dtype=object),
        team_name=np.array(team_name, dtype=object),
        territory=np.array(team_terr),
        segment=np.array(team_seg),
    )


def staff(w: World, mql_at: np.ndarray, team: np.ndarray) -> None:
    """Hires SDRs, AEs and managers per team, sized from the MQL load the run actually produced.

    Headcount and the daily first-touch capacity per SDR are set so that a team runs at ~85 %
    utilisation in a busy month (85th percentile): quiet months clear the queue, busy ones and
    weekends/holidays build backlogs. Capacity is scaled to the run, so small demo runs have
    small teams with realistic utilisation rather than realistic headcount.
    """
    rng = np.random.default_rng(np.random.SeedSequence([w.seed, 0x5747F]))
    nteam = len(w.teams["team_id"])
    months = np.array([ts(m) for m in month_starts(w.start, w.as_of)], dtype=np.int64)
    mi = np.clip(np.searchsorted(months, mql_at, side="right") - 1, 0, len(months) - 1)
    per_month = np.zeros((nteam, len(months)))
    np.add.at(per_month, (team, mi), 1.0)
    bdays_month = np.diff(np.append(months, w.as_of)) / DAY * 5 / 7
    load = per_month / np.maximum(bdays_month, 1.0)[None, :]
    peak = np.percentile(load, 85, axis=1)
    n_sdr = np.clip(np.ceil(peak / 12.0), 1, 80).astype(int)
    cap = np.maximum(1, np.ceil(peak / n_sdr / 0.85)).astype(int)
    rep_id, rep_name, role, team, active, until = [], [], [], [], [], []
    w.team_sdrs, w.team_aes = [], []

    def add(t: int, r: str, is_active: bool = True, active_until: int = 2**62) -> int:
        rep_id.append(f"005{len(rep_id):07d}")
        rep_name.append(f"{rng.choice(catalog.FIRST_NAMES)} {rng.choice(catalog.LAST_NAMES)}")
        role.append(r)
        team.append(t)
        active.append(is_active)
        until.append(active_until)
        return len(rep_id) - 1

    for t in range(nteam):
        add(t, "manager")
        sdrs = [add(t, "sdr") for _ in range(n_sdr[t])]
        if rng.random() < 0.35:  # an SDR who left mid-window
            sdrs.append(add(t, "sdr", False, int(w.start + rng.uniform(0.3, 0.8) * (w.as_of - w.start))))
        aes = [add(t, "ae") for _ in range(max(1, math.ceil(n_sdr[t] * 0.7)))]
        if rng.random() < 0.2:
            aes.append(add(t, "ae", False, int(w.start + rng.uniform(0.3, 0.8) * (w.as_of - w.start))))
        w.team_sdrs.append(np.array(sdrs))
        w.team_aes.append(np.array(aes))
    w.reps = dict(
        rep_id=np.array(rep_id, dtype=object),
        rep_name=np.array(rep_name, dtype=object),
        role=np.array(role, dtype=object),
        team=np.array(team),
        is_active=np.array(active),
        active_until=np.array(until, dtype=np.int64),
    )
    w.team_cap = cap


def _campaigns(w: World, rng: np.random.Generator) -> None:
    """Quarterly campaigns per lead source (two variants), monthly webinars for source 'webinar'."""
    q_starts = []
    d = utc_date(w.start).replace(day=1)
    d = d.replace(month=(d.month - 1) // 3 * 3 + 1)
    while ts(d) < w.as_of:
        q_starts.append(d)
        m = d.month + 3
        d = d.replace(year=d.year + (m > 12), month=(m - 1) % 12 + 1)
    months = month_starts(w.start, w.as_of)
    themes = ("Awareness", "Scoring Launch", "RevOps Push", "Pipeline Boost", "ICP Focus", "Retargeting")
    cid, cname, csrc, cch, cstart, cend = [], [], [], [], [], []
    lookup = {}
    for s, spec in catalog.LEAD_SOURCES.items():
        periods = months if s == "webinar" else q_starts
        variants = 1 if s == "webinar" else 2
        table = np.zeros((len(periods), variants), dtype=np.int64)
        for pi, p in enumerate(periods):
            nxt = periods[pi + 1] if pi + 1 < len(periods) else None
            p_end = ts(nxt) if nxt else ts((p.replace(day=28) + dt.timedelta(days=100)).replace(day=1))
            for v in range(variants):
                table[pi, v] = len(cid)
                cid.append(f"701{len(cid):07d}")
                if s == "webinar":
                    topic = catalog.WEBINAR_TOPICS[pi % len(catalog.WEBINAR_TOPICS)]
                    cname.append(f"Webinar {p:%Y-%m} {topic.replace('-', ' ').title()}")
                else:
                    cname.append(
                        f"{p.year}-Q{(p.month - 1) // 3 + 1} {s.replace('_', ' ').title()} "
                        f"{themes[int(rng.integers(len(themes)))]}"
                    )
                channels = list(spec["channels"])
                cch.append(channels[v % len(channels)])
                csrc.append(s)
                cstart.append(ts(p) - int(rng.integers(0, 10)) * DAY)
                cend.append(p_end - DAY if p_end <= w.as_of else -1)
        lookup[s] = (np.array([ts(p) for p in periods], dtype=np.int64), table)
    w.campaigns = dict(
        campaign_id=np.array(cid, dtype=object),
        campaign_name=np.array(cname, dtype=object),
        lead_source=np.array(csrc, dtype=object),
        channel=np.array(cch, dtype=object),
        started_at=np.array(cstart, dtype=np.int64),
        ended_at=np.array(cend, dtype=np.int64),
        lookup=lookup,
        months=months,
        quarters=q_starts,
    )


def _assets(w: World) -> None:
    """One asset catalog (content, emails, webinars); webinars are held on the 15th at 16:00 UTC."""
    assets = [a for a, _k in catalog.CONTENT] + list(catalog.EMAILS)
    months = w.campaigns["months"] + [
        (w.campaigns["months"][-1].replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    ]
    web_names, web_t, web_camp = [], [], []
    src_t, table = w.campaigns["lookup"]["webinar"]
    for i, mo in enumerate(months):
        topic = catalog.WEBINAR_TOPICS[i % len(catalog.WEBINAR_TOPICS)]
        web_names.append(f"webinar-{mo:%Y-%m}-{topic}")
        web_t.append(ts(mo) + 14 * DAY + 16 * 3600)
        web_camp.append(table[min(i, len(table) - 1), 0])
    w.webinars = dict(
        asset=np.arange(len(assets), len(assets) + len(web_names)),
        t=np.array(web_t, dtype=np.int64),
        campaign=np.array(web_camp, dtype=np.int64),
    )
    w.assets = assets + web_names
    kinds = [k for _a, k in catalog.CONTENT]
    w.asset_ix = dict(
        ebook=np.array([i for i, k in enumerate(kinds) if k == "ebook"]),
        case_study=np.array([i for i, k in enumerate(kinds) if k == "case_study"]),
        newsletter=np.arange(len(kinds), len(kinds) + 12),
        nurture=np.array(
            [
                len(kinds) + i
                for i, e in enumerate(catalog.EMAILS)
                if not e.startswith(("newsletter", "outbound"))
            ]
        ),
        outbound=np.array([len(kinds) + i for i, e in enumerate(catalog.EMAILS) if e.startswith("outbound")]),
    )
    pk = np.array([k for _u, k in catalog.PAGES], dtype=object)
    w.page_ix = {k: np.flatnonzero(pk == k) for k in set(pk)}


def spend_rows(w: World) -> dict[str, list]:
    """Monthly marketing spend per lead source and channel, proportional to expected lead volume."""
    rng = np.random.default_rng(np.random.SeedSequence([w.seed, 0x5BE9D]))
    months = w.campaigns["months"]
    m_t = np.array([ts(m) for m in months] + [w.as_of], dtype=np.int64)
    day_p = np.diff(np.concatenate([[0.0], w.day_cdf]))
    month_share = np.array(
        [day_p[(w.day_t >= m_t[i]) & (w.day_t < m_t[i + 1])].sum() for i in range(len(months))]
    )
    out = {k: [] for k in ("spend_id", "spend_month", "lead_source", "channel", "amount")}
    for mi, mo in enumerate(months):
        for s, spec in catalog.LEAD_SOURCES.items():
            for ch, chw in spec["channels"].items():
                amt = (
                    w.n_leads
                    * month_share[mi]
                    * spec["share"]
                    * chw
                    * spec["cpl"]
                    * math.exp(rng.normal(0, 0.12))
                )
                out["spend_id"].append(f"sp_{len(out['spend_id']) + 1:06d}")
                out["spend_month"].append(mo.isoformat())
                out["lead_source"].append(s)
                out["channel"].append(ch)
                out["amount"].append(round(amt, 2))
    return out


def target_rows(w: World) -> dict[str, list]:
    """Monthly bookings and pipeline targets per team (targets run 3 months past as_of)."""
    rng = np.random.default_rng(np.random.SeedSequence([w.seed, 0x7A46E7]))
    months = w.campaigns["months"]
    extra = months[-1]
    for _ in range(3):
        extra = (extra.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        months = months + [extra]
    share = w.accounts["team_share"]
    growth = np.linspace(0.8, 1.25, len(months))
    out = {k: [] for k in ("target_id", "target_month", "team_id", "bookings_target", "pipeline_target")}
    per_month = w.n_leads * WON_PER_LEAD_GUESS / 18
    for mi, mo in enumerate(months):
        for t, tid in enumerate(w.teams["team_id"]):
            seg = catalog.SEGMENTS[w.teams["segment"][t]]
            book = per_month * share[t] * ACV_MEDIAN[seg] * 1.3 * growth[mi] * math.exp(rng.normal(0, 0.05))
            book = max(1000.0, round(book, -3))
            out["target_id"].append(f"tg_{len(out['target_id']) + 1:06d}")
            out["target_month"].append(mo.isoformat())
            out["team_id"].append(tid)
            out["bookings_target"].append(book)
            out["pipeline_target"].append(round(book * 3.5, -3))
    return out
