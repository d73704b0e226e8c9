"""SDR and AE simulation: routing, capacity-limited first touches, accept/reject, discovery, opportunities.

Two stages:

* ``simulate_queues`` (global, after all blocks are scored): every MQL is routed within minutes to
  its team (territory x segment) and round-robin to an active SDR. Each SDR has a daily capacity
  of first touches (a fixed slot length in business time), works hot leads at once most of the
  time and the rest first-in first-out, so backlogs build up when volume peaks and some first
  touches breach 24 business hours.
* ``sales_block`` (per block): what happens after the first touch - more touches, accept or
  reject/disqualify with a reason code, discovery answers per checklist item of the segment's
  framework, SQL, AE next step and opportunity with its outcome; plus sales-sourced opportunities
  for leads that never became MQL, and SDRs closing some duplicate records.

Outcomes depend on the latent propensity ``z`` (plus noise), never on the score itself.
"""

from __future__ import annotations

import bisect
import math
import random
from collections import deque

import numpy as np

from . import catalog
from .bizcal import DAY_SECONDS as BDAY
from .people import COMPETITOR, DISPOSABLE, STUDENT
from .world import DAY, World

HOUR = 3600
ACV_MEDIAN = {"smb": 9000.0, "mid_market": 32000.0, "enterprise": 120000.0}
CYCLE_BDAYS = {"smb": 18.0, "mid_market": 35.0, "enterprise": 70.0}
# latent-propensity response curves (logistic): accept, SQL after accept, win
ACCEPT = (-0.75, 0.8)
SQL = (-0.2, 0.5)
WIN = (-4.1, 0.8, 2.0)  # intercept, z, true ICP fit
WIN_SALES_SOURCED = (-5.9, 1.2, 3.5)  # no marketing qualification: outcome leans harder on fit
ITEM_REASON = {
    "budget": "no_budget",
    "money": "no_budget",
    "authority": "no_authority",
    "economic_buyer": "no_authority",
    "champion": "no_authority",
    "timeline": "timing",
    "prioritization": "timing",
    "decision_process": "timing",
    "decision_criteria": "competitor",
    "need": "no_need",
    "challenges": "no_need",
    "identify_pain": "no_need",
    "metrics": "no_need",
}


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def simulate_queues(
    w: World, arrival: np.ndarray, key: np.ndarray, team: np.ndarray, hot: np.ndarray
) -> dict:
    """First touch per MQL: returns sdr (rep index) and first_touch (UTC seconds, -1 if not by as_of)."""
    rng = np.random.default_rng(np.random.SeedSequence([w.seed, 0x9E0E]))
    n = len(arrival)
    fast = rng.random(n) < 0.85
    react = rng.exponential(2400.0, n).astype(np.int64) + 120
    jitter = rng.random(n)
    ignored = rng.random(n) < 0.02
    terr = w.teams["territory"][team] if n else np.zeros(0, np.int64)
    a_b = np.zeros(n, np.int64)
    for ti, cal in enumerate(w.calendars):
        sel = terr == ti
        a_b[sel] = cal.to_bsec(arrival[sel])
    order = np.lexsort((key, arrival))
    until = w.reps["active_until"]
    sdr = np.full(n, -1, np.int64)
    per_sdr: dict[int, list[int]] = {}
    rr = [0] * len(w.teams["team_id"])
    team_l, arr_l = team.tolist(), arrival.tolist()
    for i in order.tolist():
        t = team_l[i]
        cands = [r for r in w.team_sdrs[t].tolist() if until[r] > arr_l[i]] or w.team_sdrs[t].tolist()
        r = cands[rr[t] % len(cands)]
        rr[t] += 1
        sdr[i] = r
        per_sdr.setdefault(r, []).append(i)
    absences = _absences(w, rng)
    touch_b = np.full(n, -1, np.int64)
    a_l, hot_l, fast_l, react_l, jit_l, ign_l = (x.tolist() for x in (a_b, hot, fast, react, jitter, ignored))
    for r, items in per_sdr.items():
        slot = BDAY // int(w.team_cap[w.reps["team"][r]])
        free = 0
        q: deque[int] = deque()
        starts, ends = absences[r]

        def avail(b: int, starts=starts, ends=ends) -> int:
            k = bisect.bisect_right(starts, b) - 1
            return ends[k] if k >= 0 and b < ends[k] else b

        def serve(j: int, free: int, avail=avail, slot=slot) -> int:
            start = avail(max(free, a_l[j]))
            touch_b[j] = start + int(jit_l[j] * slot * 0.5)
            return start + slot

        for i in items:
            ai = a_l[i]
            while q and max(free, a_l[q[0]]) < ai:
                free = serve(q.popleft(), free)
            if hot_l[i] and fast_l[i]:
                touch_b[i] = avail(ai) + react_l[i]
                free = max(free, avail(ai)) + slot
            elif not ign_l[i]:
                q.append(i)
        while q:
            free = serve(q.popleft(), free)
    touch = np.full(n, -1, np.int64)
    for ti, cal in enumerate(w.calendars):
        sel = (terr == ti) & (touch_b >= 0)
        touch[sel] = cal.from_bsec(touch_b[sel])
    touch[touch > w.as_of] = -1
    return {"sdr": sdr, "first_touch": touch}


def _absences(w: World, rng: np.random.Generator) -> list[tuple[list[int], list[int]]]:
    """Vacations (1-2 weeks, ~2 a year) and sick days per rep, as merged business-second intervals.

    Leads routed to an absent SDR wait for their return: a main cause of SLA breaches.
    """
    out = []
    years = (w.as_of - w.start) / (365 * DAY)
    for r in range(len(w.reps["rep_id"])):
        cal = w.calendars[int(w.teams["territory"][w.reps["team"][r]])]
        lo, hi = int(cal.to_bsec(w.start)) // BDAY, int(cal.to_bsec(w.as_of + 60 * DAY)) // BDAY
        n_vac, n_sick = rng.poisson(2.2 * years), rng.poisson(4.0 * years)
        first = rng.integers(lo, hi, n_vac + n_sick)
        length = np.concatenate([rng.integers(4, 11, n_vac), rng.integers(1, 3, n_sick)])
        iv = sorted(zip((first * BDAY).tolist(), ((first + length) * BDAY).tolist(), strict=True))
        starts, ends = [], []
        for s, e in iv:
            if ends and s <= ends[-1]:
                ends[-1] = max(ends[-1], e)
            else:
                starts.append(s)
                ends.append(e)
        out.append((starts, ends))
    return out


class _Acts:
    def __init__(self) -> None:
        self.rows: list[tuple] = []  # (lead_id, rep, type, reason, note, item, confirmed, bsec, territory)

    def add(self, lead, rep, typ, b, terr, reason=None, note=None, item=None, confirmed=None) -> None:
        self.rows.append((lead, rep, typ, reason, note, item, confirmed, int(b), terr))


def _pick_rep(r: random.Random, w: World, reps: np.ndarray, t: int) -> int:
    until = w.reps["active_until"]
    cands = [x for x in reps.tolist() if until[x] > t] or reps.tolist()
    return cands[r.randrange(len(cands))]


def sales_block(w: World, c: dict, rng: np.random.Generator) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """Activities, opportunities (times still in business seconds) and owners of sales-sourced leads."""
    r = random.Random(int(rng.integers(0, 2**62)))
    ref = w.ref
    acts = _Acts()
    # opportunities: (lead_id, account_id, ae, created_b, close_b, won, amount, lost_reason, terr, seg)
    opps: list[tuple] = []
    owners: list[tuple[int, int, int]] = []  # (lead row in block, rep, UTC seconds) for sales-sourced leads
    recycle = set(ref.reasons("recycle"))
    nurture_reasons = [
        ("bad_fit", 0.3),
        ("no_need", 0.22),
        ("timing", 0.2),
        ("no_budget", 0.12),
        ("unresponsive", 0.1),
        ("no_authority", 0.06),
    ]
    lost_reasons = [
        ("no_budget", 0.22),
        ("timing", 0.25),
        ("competitor", 0.28),
        ("no_need", 0.15),
        ("unresponsive", 0.1),
    ]

    def choice(pairs):
        x, acc = r.random() * sum(p for _v, p in pairs), 0.0
        for v, p in pairs:
            acc += p
            if x <= acc:
                return v
        return pairs[-1][0]

    def note_for(reason: str) -> str:
        return r.choice(catalog.REASON_NOTES[reason])

    def open_opp(lead, acc_id, team, seg, terr, cal, start_b, z, fit, coef=WIN):
        ae = _pick_rep(r, w, w.team_aes[team], int(cal.from_bsec(start_b)))
        created_b = start_b + int(r.uniform(0.02, 2.0) * BDAY)
        amount = round(r.lognormvariate(math.log(ACV_MEDIAN[seg]), 0.55), -2)
        close_b = created_b + int(r.lognormvariate(math.log(CYCLE_BDAYS[seg]), 0.5) * BDAY)
        won = r.random() < sigmoid(coef[0] + coef[1] * z + coef[2] * fit)
        lost = None if won else choice(lost_reasons)
        opps.append((lead, acc_id, ae, created_b, close_b, won, amount, lost, terr, seg))
        acts.add(
            lead,
            ae,
            "next_step_scheduled",
            start_b + int(r.lognormvariate(math.log(1.6), 0.9) * BDAY),
            terr,
            note=r.choice(("Demo booked", "Technical deep dive booked", "Proposal review booked")),
        )
        for _ in range(r.randint(1, 4)):
            acts.add(
                lead,
                ae,
                "meeting",
                created_b + int(r.random() * (close_b - created_b)),
                terr,
                note=r.choice(catalog.TOUCH_NOTES["meeting"]),
            )

    m = c["mql"]
    for k in range(len(m["lead_id"])):
        ft = int(m["first_touch"][k])
        if ft < 0:
            continue
        lead, team, z = m["lead_id"][k], int(m["team"][k]), float(m["z"][k])
        terr = int(w.teams["territory"][team])
        cal = w.calendars[terr]
        seg = m["segment"][k]
        sdr = int(m["sdr"][k])
        b = int(cal.to_bsec(ft))
        ptype = int(m["ptype"][k])
        junk = True
        if m["unserved"][k]:
            reason = "not_serviceable_geo"
        elif ptype == COMPETITOR:
            reason = "competitor"
        elif ptype == STUDENT or m["student_title"][k]:
            reason = "no_authority"
        elif m["bot"][k]:
            reason = "unresponsive"
        elif ptype == DISPOSABLE:
            reason = "bad_fit"
        elif r.random() < 0.02:
            reason = "partner"
        else:
            junk = False
            reason = None if r.random() < sigmoid(ACCEPT[0] + ACCEPT[1] * z) else choice(nurture_reasons)
        if reason == "unresponsive":
            n_touch = r.randint(4, 6)
        elif junk:
            n_touch = r.randint(0, 1)
        elif reason is None:
            n_touch = 1 + (r.random() < 0.5) + (r.random() < 0.2)
        else:
            n_touch = 1 + min(int(r.expovariate(0.9)), 4)
        hot = bool(m["hot"][k])
        for j in range(n_touch):
            if j:
                b += int(r.uniform(0.3, 2.5) * BDAY)
            typ = "call" if (j == 0 and hot) or r.random() < 0.55 else "email"
            acts.add(lead, sdr, typ, b, terr, note=r.choice(catalog.TOUCH_NOTES[typ]))
        b += int(r.expovariate(1 / (2.5 * HOUR))) + 60
        if reason is not None:
            typ = "reject" if reason in recycle else "disqualify"
            acts.add(lead, sdr, typ, b, terr, reason=reason, note=note_for(reason))
            continue
        acts.add(
            lead,
            sdr,
            "accept",
            b,
            terr,
            note=r.choice(("Good fit, booking discovery", "Accepted", "Hand-raiser, qualified interest")),
        )
        # discovery
        items = ref.checklists[ref.framework(seg)]
        will_sql = r.random() < sigmoid(SQL[0] + SQL[1] * z)
        n_meet = 1 + (r.random() < (0.35 if len(items) <= 4 else 0.7)) + (len(items) > 4 and r.random() < 0.4)
        meets = []
        mb = b + int(r.uniform(0.3, 5.0) * BDAY)
        for _ in range(n_meet):
            meets.append(mb)
            acts.add(lead, sdr, "meeting", mb, terr, note=r.choice(("Discovery call", "Discovery follow-up")))
            mb += int(r.uniform(2.0, 8.0) * BDAY)
        fail = set() if will_sql else set(r.sample(items, 1 + (r.random() < 0.3)))
        done_b = 0
        for item in items:
            mi = r.randrange(n_meet)
            ta = meets[mi] + r.randint(300, 3000)
            if item in fail:
                if r.random() < 0.75:
                    acts.add(lead, sdr, "discovery_answer", ta, terr, item=item, confirmed=False)
                continue
            if mi < n_meet - 1 and r.random() < 0.2:  # first unclear, confirmed at a later meeting
                acts.add(lead, sdr, "discovery_answer", ta, terr, item=item, confirmed=False)
                mi = r.randrange(mi + 1, n_meet)
                ta = meets[mi] + r.randint(300, 3000)
            acts.add(lead, sdr, "discovery_answer", ta, terr, item=item, confirmed=True)
            done_b = max(done_b, ta)
        if not will_sql:
            if r.random() < 0.65:
                reason = ITEM_REASON.get(sorted(fail)[0], "no_need")
                typ = "reject" if reason in recycle else "disqualify"
                acts.add(
                    lead,
                    sdr,
                    typ,
                    meets[-1] + int(r.uniform(0.2, 5.0) * BDAY),
                    terr,
                    reason=reason,
                    note=note_for(reason),
                )
            continue
        open_opp(lead, m["account_id"][k], team, seg, terr, cal, done_b, z, float(m["fit"][k]))
    # sales-sourced opportunities (referrals, outbound) on leads that never became MQL
    s = c["ss"]
    for k in range(len(s["lead_id"])):
        team = int(s["team"][k])
        terr = int(w.teams["territory"][team])
        cal = w.calendars[terr]
        t0 = int(s["created"][k]) + int(r.uniform(2, 120) * DAY)
        if t0 >= w.as_of:
            continue
        b0 = int(cal.to_bsec(t0))
        b_created = int(cal.to_bsec(int(s["created"][k])))
        ae = _pick_rep(r, w, w.team_aes[team], t0)
        b_meet = max(b_created + 1800, b0 - int(r.uniform(0.5, 4) * BDAY))
        acts.add(s["lead_id"][k], ae, "meeting", b_meet, terr, note="Intro meeting (sales-sourced)")
        t_meet = int(cal.from_bsec(b_meet))
        if t_meet <= w.as_of:
            owners.append((int(s["row"][k]), ae, t_meet))
        open_opp(
            s["lead_id"][k],
            s["account_id"][k],
            team,
            s["segment"][k],
            terr,
            cal,
            b0,
            float(s["z"][k]),
            float(s["fit"][k]),
            WIN_SALES_SOURCED,
        )
    # SDRs close some duplicate records
    d = c["dup"]
    for k in range(len(d["lead_id"])):
        if r.random() >= 0.35:
            continue
        team = int(d["team"][k])
        terr = int(w.teams["territory"][team])
        cal = w.calendars[terr]
        t0 = int(d["created"][k])
        sdr = _pick_rep(r, w, w.team_sdrs[team], t0)
        b0 = int(cal.to_bsec(t0)) + int(r.uniform(0.1, 3.0) * BDAY)
        acts.add(d["lead_id"][k], sdr, "disqualify", b0, terr, reason="duplicate", note=note_for("duplicate"))
    return acts.rows, opps, owners
