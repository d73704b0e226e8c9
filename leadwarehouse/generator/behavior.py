"""Marketing and product events of one block, driven by each person's latent propensity.

Propensity ``z`` sets how engaged a person is (web sessions, email opens/clicks/replies, content,
webinars) and how likely they are to be *in market*: in-market persons have a buying window of a
few weeks with clustered high-intent actions (pricing/demo pages, case studies, demo requests,
product signup). Bots (link scanners) click everything within seconds. All vectorized: a block of
1,000 leads yields ~25,000 events in a few dozen numpy calls.
"""

from __future__ import annotations

import numpy as np

from . import catalog
from .people import BUSINESS, OUTBOUND_SOURCES, SOURCES, Block
from .world import DAY, World

ET = [
    "page_view",
    "form_submit",
    "content_download",
    "webinar_registered",
    "webinar_attended",
    "email_open",
    "email_click",
    "email_reply",
    "demo_request",
    "product_signup",
    "product_usage",
]
E = {e: i for i, e in enumerate(ET)}
CREATE_EVENT = np.array([E.get(catalog.LEAD_SOURCES[s]["create"], -1) for s in SOURCES])


class Events:
    """Column lists appended per component, concatenated at the end."""

    def __init__(self) -> None:
        self.cols: dict[str, list[np.ndarray]] = {
            k: [] for k in ("person", "t", "type", "url", "asset", "campaign")
        }

    def add(self, person, t, etype, url=None, asset=None, campaign=None) -> None:
        n = len(person)
        if n == 0:
            return

        def full(v) -> np.ndarray:
            return np.full(n, v, dtype=np.int64) if np.isscalar(v) else np.asarray(v, np.int64)

        self.cols["person"].append(np.asarray(person, np.int64))
        self.cols["t"].append(np.asarray(t, np.int64))
        self.cols["type"].append(full(etype))
        self.cols["url"].append(full(-1 if url is None else url))
        self.cols["asset"].append(full(-1 if asset is None else asset))
        self.cols["campaign"].append(full(-1 if campaign is None else campaign))

    def arrays(self) -> dict[str, np.ndarray]:
        return {k: (np.concatenate(v) if v else np.zeros(0, np.int64)) for k, v in self.cols.items()}


def _rep(counts: np.ndarray) -> np.ndarray:
    return np.repeat(np.arange(len(counts)), counts)


def _trunc_exp(rng: np.random.Generator, span: np.ndarray, tau: float) -> np.ndarray:
    """Offsets in [0, span) seconds, exponentially decaying with mean tau seconds (truncated)."""
    u = rng.random(len(span))
    return (-tau * np.log1p(-u * (1 - np.exp(-span / tau)))).astype(np.int64)


def _pages(w: World, rng: np.random.Generator, k: int, p_high: np.ndarray, hot: bool = False) -> np.ndarray:
    """Page index per page view; p_high = probability of a pricing/demo page."""
    pix = w.page_ix
    if hot:
        kinds = np.array(["product", "customers", "pricing", "demo", "home"])
        kp = np.array([0.35, 0.2, 0.25, 0.12, 0.08])
    else:
        kinds = np.array(["blog", "product", "home", "customers", "docs", "careers"])
        kp = np.array([0.45, 0.25, 0.12, 0.07, 0.07, 0.04])
    kind = kinds[rng.choice(len(kinds), size=k, p=kp)]
    hi = rng.random(k) < p_high
    kind[hi] = np.where(rng.random(int(hi.sum())) < 0.7, "pricing", "demo")
    out = np.empty(k, dtype=np.int64)
    for kd in np.unique(kind):
        sel = np.flatnonzero(kind == kd)
        out[sel] = pix[kd][rng.integers(0, len(pix[kd]), len(sel))]
    return out


def _sessions(
    ev: Events,
    w: World,
    rng: np.random.Generator,
    who: np.ndarray,
    t0: np.ndarray,
    z: np.ndarray,
    n_pages_mean: np.ndarray,
    p_high: np.ndarray,
    hot: bool = False,
) -> None:
    """Web sessions starting at t0 (one per entry of who): consecutive page views 20s-5min apart."""
    npg = 1 + rng.poisson(n_pages_mean)
    person = np.repeat(who, npg)
    start = np.repeat(t0, npg)
    gaps = rng.exponential(70.0, len(person)).astype(np.int64) + 5
    first = np.concatenate([[0], np.cumsum(npg)[:-1]])
    cs = np.cumsum(gaps)
    within = cs - np.repeat(cs[first] - gaps[first], npg) - np.repeat(gaps[first], npg)
    ev.add(
        person, start + within, E["page_view"], url=_pages(w, rng, len(person), np.repeat(p_high, npg), hot)
    )


def make_events(w: World, b: Block, rng: np.random.Generator, silent: np.ndarray) -> dict[str, np.ndarray]:
    """Events of a block as int arrays: person, row (lead record), t, type, url, asset, campaign."""
    p = b.persons
    P = len(p["z"])
    z = p["z"]
    created = p["created"]
    span = np.maximum(w.as_of - created - 1, 1).astype(float)
    days = span / DAY
    consent = p["consent"]
    outbound = OUTBOUND_SOURCES[p["source"]]
    active = ~silent
    eng = np.exp(0.7 * np.clip(z, -3, 3) - 0.25 - 0.5 * outbound) * rng.gamma(2.0, 0.5, P) * active
    camp = b.rows["campaign"][p["primary_row"]]
    ev = Events()
    # 1. the interaction that created the record
    ce = CREATE_EVENT[p["source"]]
    has = (ce >= 0) & active
    who = np.flatnonzero(has)
    asset = np.full(len(who), -1)
    dl = ce[who] == E["content_download"]
    asset[dl] = w.asset_ix["ebook"][rng.integers(0, len(w.asset_ix["ebook"]), int(dl.sum()))]
    wb = ce[who] == E["webinar_registered"]
    wi = np.minimum(np.searchsorted(w.webinars["t"], created[who][wb]), len(w.webinars["t"]) - 1)
    asset[wb] = w.webinars["asset"][wi]
    ev.add(who, created[who], ce[who], asset=asset, campaign=camp[who])
    # 2. ordinary web sessions, engagement fading after creation (tau 120 days)
    n_sess = rng.poisson(0.019 * eng * 120 * (1 - np.exp(-days / 120)) + 0.3 * active)
    who = _rep(n_sess)
    off = np.where(
        rng.random(len(who)) < 0.7,
        _trunc_exp(rng, span[who], 120 * DAY),
        (rng.random(len(who)) * span[who]).astype(np.int64),
    )
    p_high = np.clip(0.008 * np.exp(0.5 * z), 0.002, 0.06)
    _sessions(ev, w, rng, who, created[who] + off, z[who], np.full(len(who), 4.2), p_high[who])
    # 3. marketing email (consent): ~1 send a week; opens, clicks, replies by propensity
    sends = np.where(consent & active & ~outbound, days / 3.5, 0.0)
    p_open = np.clip(0.17 * np.exp(0.35 * z), 0.03, 0.6)
    n_open = rng.poisson(sends * p_open)
    who = _rep(n_open)
    t_open = created[who] + (rng.random(len(who)) * span[who]).astype(np.int64)
    month = (t_open.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)) % 12
    nl = rng.random(len(who)) < 0.6
    asset = np.where(
        nl,
        w.asset_ix["newsletter"][month],
        w.asset_ix["nurture"][rng.integers(0, len(w.asset_ix["nurture"]), len(who))],
    )
    ev.add(who, t_open, E["email_open"], asset=asset, campaign=camp[who])
    click = rng.random(len(who)) < np.clip(0.05 * np.exp(0.3 * z[who]), 0.01, 0.3)
    t_click = t_open[click] + rng.integers(5, 900, int(click.sum()))
    ev.add(who[click], t_click, E["email_click"], asset=asset[click], campaign=camp[who][click])
    reply = click & (rng.random(len(who)) < np.clip(0.03 * np.exp(0.8 * z[who]), 0.001, 0.3))
    ev.add(
        who[reply],
        t_open[reply] + rng.integers(600, 2 * DAY, int(reply.sum())),
        E["email_reply"],
        asset=asset[reply],
        campaign=camp[who][reply],
    )
    # 3b. outbound sequences: 3-6 emails in the first weeks, replies from interested prospects
    ob = np.flatnonzero(outbound & active)
    n_seq = rng.integers(3, 7, len(ob))
    who = np.repeat(ob, n_seq)
    step = np.concatenate([np.arange(k) for k in n_seq]) if len(n_seq) else np.zeros(0, np.int64)
    t_send = created[who] + step * 4 * DAY + rng.integers(3600, DAY, len(who))
    seq_asset = w.asset_ix["outbound"][np.minimum(step, len(w.asset_ix["outbound"]) - 1)]
    opened = rng.random(len(who)) < np.clip(0.3 * np.exp(0.3 * z[who]), 0.05, 0.8)
    ev.add(who[opened], t_send[opened], E["email_open"], asset=seq_asset[opened], campaign=camp[who][opened])
    oc = opened & (rng.random(len(who)) < np.clip(0.12 * np.exp(0.4 * z[who]), 0.01, 0.5))
    ev.add(
        who[oc],
        t_send[oc] + rng.integers(10, 3600, int(oc.sum())),
        E["email_click"],
        asset=seq_asset[oc],
        campaign=camp[who][oc],
    )
    orp = opened & (rng.random(len(who)) < np.clip(0.03 * np.exp(0.9 * z[who]), 0.002, 0.35))
    ev.add(
        who[orp],
        t_send[orp] + rng.integers(600, 3 * DAY, int(orp.sum())),
        E["email_reply"],
        asset=seq_asset[orp],
        campaign=camp[who][orp],
    )
    # 4. content downloads (mostly ebooks; a few case studies) and webinars
    n_dl = rng.poisson(0.35 * eng * np.minimum(days, 365) / 365)
    who = _rep(n_dl)
    cs = rng.random(len(who)) < 0.12
    asset = np.where(
        cs,
        w.asset_ix["case_study"][rng.integers(0, len(w.asset_ix["case_study"]), len(who))],
        w.asset_ix["ebook"][rng.integers(0, len(w.asset_ix["ebook"]), len(who))],
    )
    ev.add(who, created[who] + _trunc_exp(rng, span[who], 150 * DAY), E["content_download"], asset=asset)
    n_web = rng.poisson(0.25 * eng * np.minimum(days, 365) / 365)
    who = _rep(n_web)
    t_reg = created[who] + _trunc_exp(rng, span[who], 150 * DAY)
    wi = np.searchsorted(w.webinars["t"], t_reg)
    okw = wi < len(w.webinars["t"])
    who, t_reg, wi = who[okw], t_reg[okw], wi[okw]
    ev.add(
        who,
        t_reg,
        E["webinar_registered"],
        asset=w.webinars["asset"][wi],
        campaign=w.webinars["campaign"][wi],
    )
    reg_src = np.flatnonzero(active & (CREATE_EVENT[p["source"]] == E["webinar_registered"]))
    w_all = np.concatenate([who, reg_src])
    wi_all = np.concatenate(
        [wi, np.minimum(np.searchsorted(w.webinars["t"], created[reg_src]), len(w.webinars["t"]) - 1)]
    )
    att = rng.random(len(w_all)) < np.clip(0.4 * np.exp(0.25 * z[w_all]), 0.1, 0.8)
    ev.add(
        w_all[att],
        w.webinars["t"][wi_all[att]] + rng.integers(0, 1800, int(att.sum())),
        E["webinar_attended"],
        asset=w.webinars["asset"][wi_all[att]],
        campaign=w.webinars["campaign"][wi_all[att]],
    )
    # 5. buying window: in-market persons cluster high-intent actions within ~3 weeks
    p_market = 1 / (1 + np.exp(-(1.3 * z - 3.3 - 0.8 * outbound)))
    in_market = active & (p["ptype"] == BUSINESS) & ~p["bot"] & (rng.random(P) < p_market)
    im = np.flatnonzero(in_market)
    at_create = rng.random(len(im)) < 0.45
    w_start = created[im] + np.where(
        at_create, rng.integers(0, 3 * DAY, len(im)), (rng.random(len(im)) * span[im]).astype(np.int64)
    )
    n_hot = 1 + rng.poisson(1.0 + 1.1 * np.clip(z[im], 0, 4))
    who_i = np.repeat(np.arange(len(im)), n_hot)
    t_hot = w_start[who_i] + (rng.random(len(who_i)) * 20 * DAY).astype(np.int64)
    _sessions(
        ev,
        w,
        rng,
        im[who_i],
        t_hot,
        z[im][who_i],
        np.full(len(who_i), 1.5),
        np.clip(0.2 + 0.05 * z[im][who_i], 0.1, 0.45),
        hot=True,
    )
    n_cs = rng.poisson(0.35 + 0.25 * np.clip(z[im], 0, 4))
    wc = np.repeat(np.arange(len(im)), n_cs)
    ev.add(
        im[wc],
        w_start[wc] + (rng.random(len(wc)) * 20 * DAY).astype(np.int64),
        E["content_download"],
        asset=w.asset_ix["case_study"][rng.integers(0, len(w.asset_ix["case_study"]), len(wc))],
    )
    demo = rng.random(len(im)) < np.clip(0.12 + 0.1 * z[im], 0.02, 0.6)
    ev.add(
        im[demo],
        w_start[demo] + (rng.random(int(demo.sum())) * 15 * DAY).astype(np.int64),
        E["demo_request"],
        campaign=camp[im[demo]],
    )
    rep = rng.random(len(im)) < np.clip(0.06 + 0.05 * z[im], 0.01, 0.35)
    ev.add(
        im[rep],
        w_start[rep] + (rng.random(int(rep.sum())) * 20 * DAY).astype(np.int64),
        E["email_reply"],
        asset=w.asset_ix["nurture"][rng.integers(0, len(w.asset_ix["nurture"]), int(rep.sum()))],
    )
    # 6. product: trial signups (and some in-market self-serve signups) use the product for a few weeks
    trial = active & (p["source"] == SOURCES.index("trial_signup"))
    plg = np.zeros(P, bool)
    plg[im] = (rng.random(len(im)) < 0.12) & ~trial[im]
    ps = np.flatnonzero(plg)
    t_sign = np.zeros(P, np.int64)
    t_sign[trial] = created[trial]
    t_sign[ps] = w_start[np.searchsorted(im, ps)] + rng.integers(0, 10 * DAY, len(ps))
    ev.add(ps, t_sign[ps], E["product_signup"])
    users = np.flatnonzero(trial | plg)
    n_use = rng.poisson(0.4 + 1.6 * np.clip(np.exp(0.4 * z[users]), 0, 5))
    who = np.repeat(users, n_use)
    ev.add(who, t_sign[who] + (rng.random(len(who)) * 30 * DAY).astype(np.int64) + 600, E["product_usage"])
    # 7. bots: scanners open and click every link of an email within seconds
    bots = np.flatnonzero(p["bot"] & active)
    n_burst = rng.poisson(np.minimum(days[bots], 365) / 20 + 1)
    bw = np.repeat(bots, n_burst)
    t_b = created[bw] + (rng.random(len(bw)) * span[bw]).astype(np.int64)
    n_clk = rng.integers(6, 25, len(bw))
    who = np.repeat(bw, n_clk)
    tb = np.repeat(t_b, n_clk) + rng.integers(0, 20, len(who))
    is_click = rng.random(len(who)) < 0.5
    ev.add(
        who[is_click],
        tb[is_click],
        E["email_click"],
        asset=w.asset_ix["newsletter"][rng.integers(0, 12, int(is_click.sum()))],
    )
    ev.add(
        who[~is_click],
        tb[~is_click],
        E["page_view"],
        url=rng.integers(0, len(catalog.PAGES), int((~is_click).sum())),
    )
    out = ev.arrays()
    keep = (out["t"] <= w.as_of) & (out["t"] >= created[out["person"]])
    out = {k: v[keep] for k, v in out.items()}
    # attribute each event to a record of the person: the newest record created before it (60%)
    rows = b.rows
    n_rec = p["n_records"]
    row = p["primary_row"][out["person"]]
    multi = n_rec[out["person"]] > 1
    if multi.any():
        rp = rows["person"]
        span_k = np.int64(4 * 10**9)
        rkey = rp * span_k + (rows["created"] - w.start + DAY)
        ro = np.argsort(rkey)
        ek = out["person"][multi] * span_k + (out["t"][multi] - w.start + DAY)
        j = ro[np.searchsorted(rkey[ro], ek, side="right") - 1]
        use = rng.random(int(multi.sum())) < 0.6
        row[np.flatnonzero(multi)[use]] = j[use]
    out["row"] = row
    return out
