"""A vectorized approximation of the scoring spec (docs/scoring.md), driven by the seeds.

The generator uses it to find each person's MQL moment (so simulated SDRs only act on MQLs)
and peak score; ``check.py`` uses it to band leads when measuring won-rate by score band.
It implements model selection, title/email/segment derivation, fit and negative rules, signal
mapping, daily caps, lookback, velocity and decay. It is *not* the oracle: it works on numpy
arrays of one batch of leads at a time, and favours speed over reporting (no ledger, no reasons).
Between counted events the total only falls (expiry, decay), so the first MQL crossing and the
peak are found by evaluating the total at each counted event and at ``created_at``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from .refdata import SEEDS_DIR, read_csv

DAY = 86400
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def like_regex(pattern: str) -> re.Pattern:
    """SQL LIKE pattern (% and _ wildcards, case-sensitive) as an anchored regex."""
    out = [".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern]
    return re.compile("".join(out) + r"\Z", re.S)


def _f(x: str) -> float | None:
    return float(x) if x not in ("", None) else None


@dataclass(frozen=True)
class Model:
    model_id: str
    motion: str
    segment: str
    priority: int
    warm: float
    mql: float
    hot: float
    max_score: float
    lookback_days: float
    decay_period_days: float
    decay_rate: float
    velocity_window_days: float
    velocity_min_actions: int
    velocity_points: float
    tier_a: float
    tier_b: float
    mandatory_fields: tuple[str, ...]


@dataclass(frozen=True)
class Condition:
    attribute: str
    operator: str
    values: frozenset
    lo: float | None
    hi: float | None


@dataclass(frozen=True)
class FitRule:
    rule_id: str
    dimension: str
    points: float
    icp_criterion: str
    conditions: tuple[Condition, ...]


class Scorer:
    def __init__(self, seeds_dir: Path | None = None):
        seeds = Path(seeds_dir) if seeds_dir else SEEDS_DIR
        sc, enrich = seeds / "scoring", seeds / "enrichment"
        self.models = [
            Model(
                r["model_id"],
                r["motion"],
                r["segment"],
                int(r["priority"]),
                float(r["warm_threshold"]),
                float(r["mql_threshold"]),
                float(r["hot_threshold"]),
                float(r["max_score"]),
                float(r["lookback_days"]),
                float(r["decay_period_days"]),
                float(r["decay_rate"]),
                float(r["velocity_window_days"]),
                int(r["velocity_min_actions"]),
                float(r["velocity_points"]),
                float(r["icp_tier_a_min_pct"]),
                float(r["icp_tier_b_min_pct"]),
                tuple(x for x in r["mandatory_fields"].split("|") if x),
            )
            for r in read_csv(sc / "scoring_models.csv")
        ]
        self.model_ids = [m.model_id for m in self.models]
        self._selection_order = sorted(
            range(len(self.models)), key=lambda i: (self.models[i].priority, self.models[i].model_id)
        )
        conds: dict[tuple[str, str], list[Condition]] = {}
        for r in read_csv(sc / "scoring_fit_conditions.csv"):
            conds.setdefault((r["model_id"], r["rule_id"]), []).append(
                Condition(
                    r["attribute"],
                    r["operator"],
                    frozenset(v for v in r["match_values"].split("|") if v),
                    _f(r["min_value"]),
                    _f(r["max_value"]),
                )
            )
        self.fit_rules: dict[str, list[FitRule]] = {m: [] for m in self.model_ids}
        for r in read_csv(sc / "scoring_fit_rules.csv"):
            self.fit_rules.setdefault(r["model_id"], []).append(
                FitRule(
                    r["rule_id"],
                    r["dimension"],
                    float(r["points"]),
                    r["icp_criterion"],
                    tuple(conds.get((r["model_id"], r["rule_id"]), ())),
                )
            )
        smap = read_csv(sc / "signal_map.csv")
        intent = read_csv(sc / "scoring_intent_rules.csv")
        self.signals = sorted({r["signal"] for r in smap} | {r["signal"] for r in intent})
        sig_ix = {s: i for i, s in enumerate(self.signals)}
        nm, ns = len(self.models), len(self.signals)
        self.points = np.full((nm, ns), np.nan)
        self.cap = np.zeros((nm, ns), dtype=np.int64)
        self.high = np.zeros((nm, ns), dtype=bool)
        for r in intent:
            if r["model_id"] not in self.model_ids:
                continue
            m, s = self.model_ids.index(r["model_id"]), sig_ix[r["signal"]]
            self.points[m, s] = float(r["points"])
            self.cap[m, s] = int(r["daily_cap"]) if r["daily_cap"] else 10**9
            self.high[m, s] = r["is_high_intent"].strip().lower() == "true"
        self.signal_rules = [
            (
                r["event_type"],
                like_regex(r["url_pattern"]) if r["url_pattern"] else None,
                like_regex(r["asset_pattern"]) if r["asset_pattern"] else None,
                sig_ix[r["signal"]],
            )
            for r in sorted(smap, key=lambda r: (int(r["priority"]), r["signal"]))
        ]
        self.seniority_rules = [
            (like_regex(r["title_pattern"]), r["seniority"], r["buying_role"])
            for r in sorted(read_csv(enrich / "title_seniority_rules.csv"), key=lambda r: int(r["priority"]))
        ]
        self.function_rules = [
            (like_regex(r["title_pattern"]), r["job_function"])
            for r in sorted(read_csv(enrich / "title_function_rules.csv"), key=lambda r: int(r["priority"]))
        ]
        # several rules may match one domain: the lowest type_precedence wins (seed column)
        self.email_rules = [
            (like_regex(r["domain_pattern"]), r["email_type"], float(r["type_precedence"]))
            for r in read_csv(enrich / "email_domain_rules.csv")
        ]
        self.segments = [
            (r["segment"], float(r["min_employees"]), _f(r["max_employees"]))
            for r in read_csv(seeds / "reference" / "segments.csv")
        ]
        arr = lambda f: np.array([f(m) for m in self.models])  # noqa: E731
        self.m_lookback = arr(lambda m: int(m.lookback_days * DAY)).astype(np.int64)
        self.m_window = arr(lambda m: int(m.velocity_window_days * DAY)).astype(np.int64)
        self.m_vmin = arr(lambda m: m.velocity_min_actions)
        self.m_vpts = arr(lambda m: m.velocity_points)
        self.m_period = arr(lambda m: int(m.decay_period_days * DAY)).astype(np.int64)
        self.m_rate = arr(lambda m: m.decay_rate)
        self.m_max = arr(lambda m: m.max_score)
        self.m_warm = arr(lambda m: m.warm)
        self.m_mql = arr(lambda m: m.mql)
        self.m_hot = arr(lambda m: m.hot)

    # ---- derived attributes ---------------------------------------------------------------
    @cache  # noqa: B019 - one scorer per run
    def title_one(self, title: str) -> tuple[str, str, str]:
        norm = " " + _NON_ALNUM.sub(" ", title.lower()).strip() + " "
        sen, role = next(
            ((s, b) for rx, s, b in self.seniority_rules if rx.match(norm)), ("unknown", "unknown")
        )
        fun = next((f for rx, f in self.function_rules if rx.match(norm)), "unknown")
        return sen, role, fun

    def title_attributes(self, titles) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        codes, uniq = pd.factorize(pd.Series(titles, dtype=object))
        table = np.array([self.title_one(t) for t in uniq] + [("unknown",) * 3], dtype=object).reshape(-1, 3)
        rows = table[np.where(codes < 0, len(uniq), codes)]
        return rows[:, 0], rows[:, 1], rows[:, 2]

    @cache  # noqa: B019
    def email_type_of_domain(self, domain: str) -> str:
        matches = [(precedence, t) for rx, t, precedence in self.email_rules if rx.match(domain)]
        return min(matches)[1] if matches else "business"

    def email_type(self, emails) -> np.ndarray:
        s = pd.Series(emails, dtype=object)
        dom = s.str.strip().str.lower().str.rsplit("@", n=1).str[-1]
        codes, uniq = pd.factorize(dom)
        table = np.array([self.email_type_of_domain(d) for d in uniq] + [None], dtype=object)
        return table[np.where(codes < 0, len(uniq), codes)]

    def segment(self, employee_count) -> np.ndarray:
        x = np.asarray(employee_count, dtype=float)
        out = np.full(len(x), "unknown", dtype=object)
        for seg, lo, hi in self.segments:
            out[(x >= lo) & ((x <= hi) if hi is not None else True) & (out == "unknown")] = seg
        return out

    @cache  # noqa: B019
    def signal_one(self, event_type: str, page_url: str, asset_name: str) -> int:
        for et, url_rx, asset_rx, sig in self.signal_rules:
            if et != event_type:
                continue
            if url_rx is not None and not url_rx.match(page_url):
                continue
            if asset_rx is not None and not asset_rx.match(asset_name):
                continue
            return sig
        return -1

    def signal_index(self, event_type, page_url, asset_name) -> np.ndarray:
        """Signal index per event (-1: no signal); url/asset compared lower-cased, null as ''."""
        df = pd.DataFrame(
            {
                "e": pd.Series(event_type, dtype=object).fillna(""),
                "u": pd.Series(page_url, dtype=object).fillna("").str.lower(),
                "a": pd.Series(asset_name, dtype=object).fillna("").str.lower(),
            }
        )
        codes = df.groupby(["e", "u", "a"], sort=False).ngroup().to_numpy()
        uniq = df.drop_duplicates()
        table = np.array(
            [self.signal_one(e, u, a) for e, u, a in uniq.itertuples(index=False)], dtype=np.int64
        )
        return table[codes]

    def select_model(self, motion, segment) -> np.ndarray:
        motion = np.asarray(motion, dtype=object)
        segment = np.asarray(segment, dtype=object)
        out = np.full(len(motion), -1, dtype=np.int64)
        for i in self._selection_order:
            m = self.models[i]
            ok = (
                (out < 0)
                & ((motion == m.motion) | (m.motion == "any"))
                & ((segment == m.segment) | (m.segment == "any"))
            )
            out[ok] = i
        return out

    # ---- fit ------------------------------------------------------------------------------
    @staticmethod
    def _condition(c: Condition, attrs: dict) -> np.ndarray:
        x = attrs.get(c.attribute)
        if x is None:
            raise KeyError(f"scoring attribute {c.attribute!r} not provided")
        if c.attribute == "technology":  # array of frozensets (lower-case, trimmed)
            hit = np.fromiter((bool(s) and not c.values.isdisjoint(s) for s in x), bool, len(x))
            return hit if c.operator == "in" else np.fromiter((bool(s) for s in x), bool, len(x)) & ~hit
        if c.operator == "between":
            v = np.asarray(x, dtype=float)
            ok = ~np.isnan(v)
            if c.lo is not None:
                ok &= v >= c.lo
            if c.hi is not None:
                ok &= v <= c.hi
            return ok
        s = pd.Series(x, dtype=object)
        isin = s.isin(c.values).to_numpy()
        if c.operator == "in":
            return isin
        if c.operator == "not_in":
            return s.notna().to_numpy() & ~isin
        raise ValueError(f"unknown operator {c.operator}")

    def fit(self, attrs: dict, model_idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(fit_score, negative_score, icp_match_pct) per lead."""
        n = len(model_idx)
        fit, neg, icp = np.zeros(n), np.zeros(n), np.zeros(n)
        for mi, m in enumerate(self.models):
            sel = model_idx == mi
            if not sel.any():
                continue
            rules = self.fit_rules[m.model_id]
            crit_all = {r.icp_criterion for r in rules if r.icp_criterion}
            crit_hit: dict[str, np.ndarray] = {c: np.zeros(n, bool) for c in crit_all}
            for r in rules:
                ok = sel.copy()
                for c in r.conditions:
                    ok &= self._condition(c, attrs)
                if r.dimension == "fit":
                    fit += np.where(ok, r.points, 0)
                    if r.icp_criterion:
                        crit_hit[r.icp_criterion] |= ok
                elif r.dimension == "negative":
                    neg += np.where(ok, r.points, 0)
            if crit_all:
                icp[sel] = (100.0 * sum(h.astype(int) for h in crit_hit.values()) / len(crit_all))[sel]
        return fit, neg, icp

    def band(self, total: np.ndarray, model_idx: np.ndarray) -> np.ndarray:
        mi = np.maximum(model_idx, 0)
        return np.select(
            [total >= self.m_hot[mi], total >= self.m_mql[mi], total >= self.m_warm[mi]],
            ["hot", "mql", "warm"],
            "nurture",
        ).astype(object)

    # ---- intent timeline ------------------------------------------------------------------
    def score(
        self,
        model_idx: np.ndarray,
        base: np.ndarray,
        created_at: np.ndarray,
        mandatory_ok: np.ndarray,
        ev_lead: np.ndarray,
        ev_t: np.ndarray,
        ev_sig: np.ndarray,
        ev_tie: np.ndarray,
        as_of: int,
    ) -> dict[str, np.ndarray]:
        """Scores a batch of leads from their events.

        model_idx/base/created_at/mandatory_ok are per lead (base = fit + negative); events give the
        lead index, UTC seconds, signal index (-1 none) and a tie-breaker (event id order).
        Returns per lead: mql_at (-1 if never), mql_score, peak, peak_at, current (at as_of).
        """
        n = len(model_idx)
        ev_lead = np.asarray(ev_lead, dtype=np.int64)
        ev_t = np.asarray(ev_t, dtype=np.int64)
        ev_sig = np.asarray(ev_sig, dtype=np.int64)
        m_ev = model_idx[ev_lead] if len(ev_lead) else np.zeros(0, np.int64)
        pts = np.full(len(ev_lead), np.nan)
        ok = (ev_sig >= 0) & (m_ev >= 0)
        pts[ok] = self.points[m_ev[ok], ev_sig[ok]]
        keep = ~np.isnan(pts) & (ev_t <= as_of)
        lead, t, sig, tie, pts, m_ev = (
            ev_lead[keep],
            ev_t[keep],
            ev_sig[keep],
            np.asarray(ev_tie)[keep],
            pts[keep],
            m_ev[keep],
        )
        # 1. daily cap per (lead, signal, UTC day), ordered by time then tie-breaker
        day = t // DAY
        o = np.lexsort((tie, t, day, sig, lead))
        lead, t, sig, tie, pts, m_ev, day = (a[o] for a in (lead, t, sig, tie, pts, m_ev, day))
        idx = np.arange(len(lead))
        new = np.ones(len(lead), bool)
        new[1:] = (lead[1:] != lead[:-1]) | (sig[1:] != sig[:-1]) | (day[1:] != day[:-1])
        rank = idx - np.maximum.accumulate(np.where(new, idx, 0)) if len(idx) else idx
        counted = rank < self.cap[m_ev, sig]
        lead, t, sig, tie, pts, m_ev = (a[counted] for a in (lead, t, sig, tie, pts, m_ev))
        o = np.lexsort((tie, t, lead))
        lead, t, sig, pts, m_ev = lead[o], t[o], sig[o], pts[o], m_ev[o]
        high = self.high[m_ev, sig]
        # 2. keys: lead * span + time offset, so that searchsorted works per lead on one array
        pad = int(self.m_lookback.max() + self.m_window.max() + self.m_period.max() + 1)
        created_at = np.asarray(created_at, dtype=np.int64)
        lo_t = min(int(t.min()) if len(t) else as_of, int(created_at.min()) if n else as_of, as_of) - pad
        hi_t = max(int(t.max()) if len(t) else as_of, int(created_at.max()) if n else as_of, as_of)
        span = hi_t - lo_t + 1
        key = lead * span + (t - lo_t)
        cs0 = np.concatenate([[0.0], np.cumsum(pts)])
        hkey = key[high]
        win = self.m_window[m_ev[high]]
        nwin = np.searchsorted(hkey, hkey, "right") - np.searchsorted(hkey, hkey - win, "right")
        akey = hkey[nwin >= self.m_vmin[m_ev[high]]]

        def evaluate(q_lead: np.ndarray, q_t: np.ndarray) -> np.ndarray:
            qm = model_idx[q_lead]
            lb = self.m_lookback[qm]
            qk = q_lead * span + (q_t - lo_t)
            hi = np.searchsorted(key, qk, "right")
            lo = np.searchsorted(key, qk - lb, "right")
            raw = cs0[hi] - cs0[lo]
            first = np.searchsorted(key, q_lead * span, "left")
            has = hi > first
            last_t = np.where(has, t[np.maximum(hi - 1, 0)] if len(t) else 0, q_t)
            ai = np.searchsorted(akey, qk, "right") - 1
            aval = akey[np.maximum(ai, 0)] if len(akey) else np.zeros(len(qk), np.int64)
            vel = (ai >= 0) & (aval >= q_lead * span) & (aval > qk - lb)
            k = np.floor_divide(q_t - last_t, self.m_period[qm])
            intent = np.where(has, (raw + self.m_vpts[qm] * vel) * (1.0 - self.m_rate[qm]) ** k, 0.0)
            base_eff = np.where(q_t >= created_at[q_lead], base[q_lead], 0.0)
            return np.clip(base_eff + intent, 0.0, self.m_max[qm])

        q_lead = np.concatenate([np.arange(n), lead])
        q_t = np.concatenate([created_at, t])
        tot = evaluate(q_lead, q_t)
        current = evaluate(np.arange(n), np.full(n, as_of, dtype=np.int64))
        valid = q_t <= as_of
        # peak
        peak = np.zeros(n)
        peak_at = np.full(n, -1, dtype=np.int64)
        o = np.lexsort((q_t, -tot, q_lead))
        o = o[valid[o]]
        ul, first = np.unique(q_lead[o], return_index=True)
        peak[ul], peak_at[ul] = tot[o[first]], q_t[o[first]]
        # first MQL crossing at or after created_at with mandatory fields
        cond = (
            valid
            & (q_t >= created_at[q_lead])
            & mandatory_ok[q_lead]
            & (tot >= self.m_mql[model_idx[q_lead]])
        )
        ci = np.flatnonzero(cond)
        ci = ci[np.lexsort((q_t[ci], q_lead[ci]))]
        ul, first = np.unique(q_lead[ci], return_index=True)
        mql_at = np.full(n, -1, dtype=np.int64)
        mql_score = np.zeros(n)
        mql_at[ul], mql_score[ul] = q_t[ci[first]], tot[ci[first]]
        return {
            "mql_at": mql_at,
            "mql_score": mql_score,
            "peak": peak,
            "peak_at": peak_at,
            "current": current,
        }

    def mandatory_ok(self, model_idx: np.ndarray, fields: dict) -> np.ndarray:
        """Mandatory fields of each lead's model are non-empty (fields: name -> array)."""
        ok = np.ones(len(model_idx), bool)
        for mi, m in enumerate(self.models):
            sel = model_idx == mi
            for f in m.mandatory_fields:
                v = pd.Series(fields[f], dtype=object)
                ok &= ~sel | (v.notna() & (v.astype(str).str.strip() != "")).to_numpy()
        return ok
