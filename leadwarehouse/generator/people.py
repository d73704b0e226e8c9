"""Persons and lead records of one block: firmographics, personas, junk, duplicates, propensity.

A block holds ``n_rows`` lead records. Most persons have one record; some re-submit and get a
second or third record (new lead_id, email in different case / with whitespace, maybe another
lead source, later created_at). Duplicates stay inside their block so blocks are independent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import catalog
from .world import DAY, World

SOURCES = list(catalog.LEAD_SOURCES)
SRC = {s: i for i, s in enumerate(SOURCES)}
OUTBOUND_SOURCES = np.array([catalog.LEAD_SOURCES[s]["motion"] == "outbound" for s in SOURCES])
PTYPES = ("business", "free_mail", "student", "competitor", "disposable")
BUSINESS, FREE_MAIL, STUDENT, COMPETITOR, DISPOSABLE = range(5)
TITLE_LEVEL = np.array([t[1] for t in catalog.TITLES], dtype=object)
TITLE_SENIOR_TARGET = np.array(
    [t[1] in ("c_level", "vp", "director") and t[2] in catalog.TARGET_FUNCTIONS for t in catalog.TITLES]
)
TITLE_TEXT = np.array([t[0] for t in catalog.TITLES], dtype=object)
REGIONS = list(catalog.REGION_WEIGHTS)
TERR_OF_REGION = {r: [i for i, t in enumerate(catalog.TERRITORIES) if t[2] == r] for r in REGIONS}
TERR_OFFSET = np.array([t[4] for t in catalog.TERRITORIES], dtype=float)
DUP_RATE = 0.045


@dataclass
class Block:
    index: int
    persons: dict  # person-level arrays (length P)
    rows: dict  # record-level arrays (length n_rows), rows["person"] maps to persons


def _pick(rng: np.random.Generator, cdf: np.ndarray, k: int) -> np.ndarray:
    return np.minimum(np.searchsorted(cdf, rng.random(k), side="right"), len(cdf) - 1)


def _titles_for(rng: np.random.Generator, weights: dict[str, float], k: int) -> np.ndarray:
    levels = list(weights)
    p = np.array(list(weights.values()))
    lv = np.array(levels, dtype=object)[rng.choice(len(levels), size=k, p=p / p.sum())]
    out = np.empty(k, dtype=np.int64)
    for level in levels:
        sel = np.flatnonzero(lv == level)
        cand = np.flatnonzero(level == TITLE_LEVEL)
        out[sel] = cand[rng.integers(0, len(cand), len(sel))]
    return out


def _created_at(w: World, rng: np.random.Generator, territory: np.ndarray) -> np.ndarray:
    k = len(territory)
    day = _pick(rng, w.day_cdf, k)
    local_h = np.where(
        rng.random(k) < 0.85, np.clip(rng.normal(13.0, 2.6, k), 6, 22.5), rng.uniform(0, 24, k)
    )
    t = w.day_t[day] + ((local_h - TERR_OFFSET[territory]) * 3600).astype(np.int64)
    return np.clip(t, w.start, w.as_of - 60)


def _campaign(w: World, rng: np.random.Generator, src: np.ndarray, t: np.ndarray) -> np.ndarray:
    out = np.full(len(src), -1, dtype=np.int64)
    null_p = {"web_form": 0.5, "trial_signup": 0.6, "referral": 0.7, "outbound_prospecting": 0.3}
    for s, si in SRC.items():
        sel = np.flatnonzero(src == si)
        if not len(sel):
            continue
        starts, table = w.campaigns["lookup"][s]
        period = np.clip(np.searchsorted(starts, t[sel], side="right") - 1, 0, len(starts) - 1)
        variant = rng.integers(0, table.shape[1], len(sel))
        cid = table[period, variant]
        out[sel] = np.where(rng.random(len(sel)) < null_p.get(s, 0.05), -1, cid)
    return out


def _local_part(rng: np.random.Generator, first: str, last: str, style: int) -> str:
    f, lname = first.lower(), last.lower()
    return (f"{f}.{lname}", f"{f[0]}{lname}", f, f"{f}{lname[0]}", f"{f}_{lname}")[style]


def make_block(w: World, block: int, n_rows: int, rng: np.random.Generator) -> Block:
    acc = w.accounts
    n_dup = min(int(rng.binomial(n_rows, DUP_RATE)), n_rows - 1)
    P = n_rows - n_dup
    # ---- lead source first, then the kind of person behind it
    shares = np.array([catalog.LEAD_SOURCES[s]["share"] for s in SOURCES])
    src = rng.choice(len(SOURCES), size=P, p=shares / shares.sum())
    outbound = OUTBOUND_SOURCES[src]
    ptype = rng.choice(5, size=P, p=[0.745, 0.165, 0.055, 0.012, 0.023])
    ptype[outbound] = BUSINESS
    ptype[(src == SRC["referral"]) & (ptype != FREE_MAIL)] = BUSINESS
    bot = (ptype == BUSINESS) & ~outbound & (rng.random(P) < 0.01)
    # ---- account
    account = np.full(P, -1, dtype=np.int64)
    biz = ptype == BUSINESS
    account[biz] = _pick(rng, acc["cdf"], int(biz.sum()))
    ob = np.flatnonzero(src == SRC["outbound_prospecting"])
    account[ob] = _pick(rng, acc["icp_cdf"], len(ob))  # prospecting targets ICP accounts
    enriched = (ptype == FREE_MAIL) & (rng.random(P) < 0.25)
    account[enriched] = _pick(rng, acc["cdf"], int(enriched.sum()))
    has_acc = account >= 0
    ai = np.maximum(account, 0)
    # ---- geography
    reg_rand = rng.choice(len(REGIONS), size=P, p=list(catalog.REGION_WEIGHTS.values()))
    region = np.where(has_acc, acc["region"][ai], np.array(REGIONS, dtype=object)[reg_rand])
    country = np.empty(P, dtype=object)
    for r in REGIONS:
        sel = np.flatnonzero(region == r)
        cs, cw = zip(*catalog.REGION_COUNTRIES[r], strict=True)
        country[sel] = np.array(cs, dtype=object)[
            rng.choice(len(cs), size=len(sel), p=np.array(cw) / sum(cw))
        ]
    same = has_acc & (rng.random(P) < 0.93)
    country[same] = acc["country"][ai[same]]
    territory = np.array([TERR_OF_REGION[r][0] for r in region], dtype=np.int64)
    territory = np.where(has_acc, acc["territory"][ai], territory)
    na_west = ~has_acc & (region == "north_america") & (rng.random(P) < 0.4)
    territory[na_west] = TERR_OF_REGION["north_america"][1]
    segment = np.where(has_acc, acc["segment"][ai], 0)
    segment = np.where(has_acc & np.isnan(acc["employee_count"][ai]), 0, segment)
    # ---- persona
    title = np.empty(P, dtype=np.int64)
    senior_w = {"c_level": 0.05, "vp": 0.07, "director": 0.13, "manager": 0.33, "ic": 0.42}
    student_w = {"student": 0.8, "ic": 0.2}
    for mask, weights in (
        (biz & ~outbound, catalog.LEVEL_WEIGHTS_BUSINESS),
        (outbound, senior_w),
        ((ptype == FREE_MAIL) | (ptype == DISPOSABLE), catalog.LEVEL_WEIGHTS_FREEMAIL),
        (ptype == STUDENT, student_w),
        (ptype == COMPETITOR, catalog.LEVEL_WEIGHTS_BUSINESS),
    ):
        sel = np.flatnonzero(mask)
        title[sel] = _titles_for(rng, weights, len(sel))
    first = np.array(catalog.FIRST_NAMES, dtype=object)[rng.integers(0, len(catalog.FIRST_NAMES), P)]
    last = np.array(catalog.LAST_NAMES, dtype=object)[rng.integers(0, len(catalog.LAST_NAMES), P)]
    created = _created_at(w, rng, territory)
    # ---- latent buying propensity: fit (intended meaning) + source quality + noise
    emp = np.where(has_acc, acc["employee_count"][ai], np.nan)
    size_ok = (emp >= 200) & (emp <= 5000)
    ind_ok = has_acc & np.isin(acc["industry"][ai], catalog.INDUSTRIES_TARGET)
    reg_ok = np.isin(region, ["north_america", "emea"]) & has_acc
    tech_ok = has_acc & np.array(
        [bool(s & {"salesforce", "hubspot", "snowflake", "segment", "marketo"}) for s in acc["tech_set"][ai]]
    )
    senior = TITLE_SENIOR_TARGET[title]
    fit_true = 0.28 * size_ok + 0.3 * senior + 0.14 * ind_ok + 0.14 * reg_ok + 0.14 * tech_ok
    q_src = np.array([catalog.LEAD_SOURCES[s]["q"] for s in SOURCES])[src]
    type_shift = np.array([0.0, -0.8, -2.6, -3.0, -2.2])[ptype]
    unserved = has_acc & acc["unserved"][ai]
    z = 2.8 * (fit_true - 0.35) + q_src + type_shift + rng.normal(0, 1.0, P) - 0.3 * ~has_acc - 0.8 * unserved
    z[bot] = -3.5
    is_student_title = TITLE_LEVEL[title] == "student"
    z[is_student_title] = np.minimum(z[is_student_title], -2.0)
    # ---- identity fields
    email = np.empty(P, dtype=object)
    company = np.empty(P, dtype=object)
    style = rng.choice(5, size=P, p=[0.5, 0.2, 0.1, 0.1, 0.1])
    num = rng.integers(1, 9999, P)
    free = catalog_free = w.ref.email_domains["free_mail"]
    free_w = np.array([8, 1, 3, 3, 3, 1, 1, 1.5, 0.5, 0.5, 1, 1, 0.5][: len(free)], dtype=float)
    free_pick = rng.choice(len(free), size=P, p=free_w / free_w.sum())
    comp_dom = w.ref.email_domains["competitor"]
    disp_dom = w.ref.email_domains["disposable"]
    uni = rng.integers(0, len(catalog.STUDENT_DOMAINS), P)
    cap_name = rng.random(P) < 0.1
    short = acc["short_name"]
    for i in range(P):
        t = ptype[i]
        fi, la = first[i], last[i]
        if t == BUSINESS:
            lp = _local_part(rng, fi, la, style[i])
            email[i] = f"{lp}@{acc['domain'][account[i]]}"
            company[i] = acc["account_name"][account[i]] if num[i] % 3 else short[account[i]]
        elif t == FREE_MAIL:
            email[i] = (
                f"{fi.lower()}{'.' if num[i] % 2 else ''}{la.lower()}{num[i]}@{catalog_free[free_pick[i]]}"
            )
            company[i] = (
                short[account[i]]
                if account[i] >= 0
                else ("Self-employed", "Freelance", la + " Consulting")[num[i] % 3]
            )
        elif t == STUDENT:
            email[i] = f"{fi.lower()}.{la.lower()}@{catalog.STUDENT_DOMAINS[uni[i]]}"
            company[i] = catalog.UNIVERSITIES[uni[i] % len(catalog.UNIVERSITIES)] if num[i] % 4 else "Student"
        elif t == COMPETITOR:
            dom = comp_dom[num[i] % len(comp_dom)]
            email[i] = f"{fi.lower()}.{la.lower()}@{dom}"
            company[i] = dom.split(".")[0].title()
        else:
            email[i] = f"{fi.lower()[:3]}{num[i]}x@{disp_dom[num[i] % len(disp_dom)]}"
            company[i] = ("Test", "asdf", "n/a", "Acme")[num[i] % 4]
        if cap_name[i]:
            local, _, dom = email[i].partition("@")
            email[i] = ".".join(x.capitalize() for x in local.split(".")) + "@" + dom
    # ---- missing form fields (make mandatory-field checks matter)
    title_text = TITLE_TEXT[title].copy()
    tv = rng.random(P)
    title_text[tv < 0.06] = np.char.lower(title_text[tv < 0.06].astype(str)).astype(object)
    title_text[(tv >= 0.06) & (tv < 0.08)] = np.char.upper(
        title_text[(tv >= 0.06) & (tv < 0.08)].astype(str)
    ).astype(object)
    title_text[(tv >= 0.08) & (tv < 0.11)] = " " + title_text[(tv >= 0.08) & (tv < 0.11)] + "  "
    title_text[rng.random(P) < 0.02] = None
    country_out = country.copy()
    country_out[rng.random(P) < np.where(outbound, 0.15, 0.04)] = None
    company[rng.random(P) < 0.015] = None
    first_out = first.copy()
    first_out[rng.random(P) < 0.015] = None
    last_out = last.copy()
    last_out[rng.random(P) < 0.025] = None
    motion = np.array([catalog.LEAD_SOURCES[s]["motion"] for s in SOURCES], dtype=object)[src]
    consent = rng.random(P) < np.where(outbound, 0.3, np.where(ptype == DISPOSABLE, 0.2, 0.8))
    persons = dict(
        ptype=ptype,
        bot=bot,
        source=src,
        motion=motion,
        account=account,
        region=region,
        country=country,
        territory=territory,
        segment=segment,
        title=title,
        created=created,
        z=z,
        consent=consent,
        unserved=unserved,
        email=email,
        first=first_out,
        last=last_out,
        company=company,
        title_text=title_text,
        country_out=country_out,
        fit_true=fit_true,
    )
    # ---- duplicate records (re-submissions)
    eligible = np.flatnonzero(~bot & (ptype <= FREE_MAIL))
    dup_person = np.sort(rng.choice(eligible, size=n_dup, replace=True)) if n_dup else np.zeros(0, np.int64)
    person = np.concatenate([np.arange(P), dup_person])
    is_primary = np.concatenate([np.ones(P, bool), np.zeros(n_dup, bool)])
    r_src = src[person].copy()
    r_created = created[person].copy()
    r_email = email[person].copy()
    if n_dup:
        d = np.arange(P, n_rows)
        change = rng.random(n_dup) < 0.5
        inbound_src = np.flatnonzero(~OUTBOUND_SOURCES)
        r_src[d[change]] = inbound_src[rng.integers(0, len(inbound_src), int(change.sum()))]
        gap = (rng.exponential(45, n_dup) * DAY + 3600).astype(np.int64)
        t_new = r_created[d] + gap
        late = t_new >= w.as_of - 60
        t_new[late] = r_created[d][late] + (
            rng.random(int(late.sum())) * (w.as_of - 60 - r_created[d][late])
        ).astype(np.int64)
        r_created[d] = t_new
        variant = rng.integers(0, 4, n_dup)
        for k, i in enumerate(d):
            e = r_email[i]
            v = variant[k]
            if v == 0:
                r_email[i] = e.upper()
            elif v == 1:
                r_email[i] = " " + e + " "
            elif v == 2:
                local, _, dom = e.partition("@")
                r_email[i] = local.title() + "@" + dom.capitalize()
            else:
                r_email[i] = e + " "
    channels = [list(catalog.LEAD_SOURCES[s]["channels"].items()) for s in SOURCES]
    r_channel = np.empty(n_rows, dtype=object)
    u = rng.random(n_rows)
    for si, chs in enumerate(channels):
        sel = r_src == si
        acc_p = 0.0
        for ch, p in chs:
            r_channel[sel & (u >= acc_p)] = ch
            acc_p += p
    r_campaign = _campaign(w, rng, r_src, r_created)
    # order records by creation time; local ids follow that order
    o = np.lexsort((np.arange(n_rows), r_created))
    rows = dict(
        person=person[o],
        is_primary=is_primary[o],
        source=r_src[o],
        channel=r_channel[o],
        created=r_created[o],
        email=r_email[o],
        campaign=r_campaign[o],
    )
    rows["lead_id"] = np.array([f"00Q{block:06d}{i:04d}" for i in range(n_rows)], dtype=object)
    primary_row = np.empty(P, dtype=np.int64)
    primary_row[rows["person"][rows["is_primary"]]] = np.flatnonzero(rows["is_primary"])
    persons["primary_row"] = primary_row
    persons["n_records"] = np.bincount(person, minlength=P)
    return Block(index=block, persons=persons, rows=rows)
