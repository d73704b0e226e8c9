"""Queries of the Scoring health page: conversion by score band, calibration, gate win rates and the
MQL threshold what-if (a logistic fit of win on peak score)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from dashboards.queries.common import Filters, Runner, stage_label


def conversion_by_peak_band(q: Runner, f: Filters) -> pd.DataFrame:
    """Per peak band, lowest band first: bands are score ranges (the score_band macro over the scoring
    model's thresholds), so their order is that of the scores in them, with no list kept here."""
    cond, params = f.where(period="created_at")
    df = q(
        f"""
        select peak_band, count(*) as leads, count(mql_at) as mqls, count(sql_at) as sqls,
               count(opportunity_at) as opportunities, count(*) filter (where is_won) as won
        from marts.leads where {cond}
        group by 1
        order by min(peak_score), peak_band
        """,
        params,
    )
    for col in ("mqls", "sqls", "opportunities", "won"):
        df[f"{col}_rate"] = [n / d if d else math.nan for n, d in zip(df[col], df["leads"], strict=True)]
    return df


def calibration_by_decile(q: Runner, f: Filters) -> pd.DataFrame:
    """Won-rate by peak-score decile (decile 1 = lowest scores).

    Leads are ranked by peak score and cut into tenths; leads with the same score stay in the
    same decile (so a score shared by many leads can leave a decile empty).
    """
    cond, params = f.where(period="created_at")
    return q(
        f"""
        with s as (
            select peak_score, count(*) as n, count(*) filter (where is_won) as won
            from marts.leads where {cond} and peak_score is not null
            group by 1
        ),
        c as (
            select *, sum(n) over (order by peak_score rows between unbounded preceding and current row) - n as before,
                   sum(n) over () as total
            from s
        )
        select least(floor(before * 10 / total) + 1, 10)::int as decile,
               min(peak_score) as min_score, max(peak_score) as max_score,
               sum(n)::bigint as leads, sum(won)::bigint as won, sum(won) / sum(n) as won_rate
        from c group by 1 order by 1
        """,
        params,
    )


def gate_win_rates(q: Runner, f: Filters) -> pd.DataFrame:
    """How often leads that passed a gate went on to win."""
    cond, params = f.where(period="created_at")
    wide = q(
        f"""
        select count(mql_at) as mql, count(*) filter (where mql_at is not null and is_won) as mql_won,
               count(sal_at) as sal, count(*) filter (where sal_at is not null and is_won) as sal_won,
               count(sql_at) as sql, count(*) filter (where sql_at is not null and is_won) as sql_won,
               count(opportunity_at) as opportunity,
               count(*) filter (where opportunity_at is not null and is_won) as opportunity_won
        from marts.leads where {cond}
        """,
        params,
    ).iloc[0]
    rows = []
    for gate in ("mql", "sal", "sql", "opportunity"):
        passed, won = int(wide[gate]), int(wide[f"{gate}_won"])
        rows.append(
            {
                "gate": stage_label(gate),
                "passed": passed,
                "won": won,
                "won_rate": won / passed if passed else math.nan,
            }
        )
    return pd.DataFrame(rows)


def scoring_models(q: Runner) -> pd.DataFrame:
    return q(
        "select model_id, model_name, warm_threshold, mql_threshold, hot_threshold, max_score "
        "from config.scoring_models order by priority desc, model_id",
        [],
    )


def score_distribution(q: Runner, f: Filters, model_id: str) -> pd.DataFrame:
    """Per whole peak score: leads (with mandatory fields), actual MQLs, wins among them."""
    cond, params = f.where(period="created_at")
    return q(
        f"""
        select floor(peak_score)::int as score, count(*) as leads,
               count(mql_at) as mqls,
               count(*) filter (where mql_at is not null and is_won) as mql_won
        from marts.leads
        where scoring_model_id = ? and has_mandatory_fields and peak_score is not null and {cond}
        group by 1
        order by 1
        """,
        [model_id, *params],
    )


def fit_win_curve(dist: pd.DataFrame, scores: Sequence[int] = range(0, 101)) -> pd.Series:
    """P(win | MQL, peak score): a logistic fit of win on peak score over the leads that were
    actually MQLs (aggregated per whole score), evaluated at `scores`.

    Scores below today's threshold were never routed to SDRs, so their rate is the fitted curve
    extended downwards. With no variation (no win, or only wins) the pooled rate is used.
    """
    idx = pd.Index(list(scores), name="score")
    d = dist[dist["mqls"] > 0]
    n = d["mqls"].to_numpy(float)
    y = d["mql_won"].to_numpy(float)
    x = d["score"].to_numpy(float)
    total = n.sum()
    if total == 0:
        return pd.Series(0.0, index=idx)
    pooled = y.sum() / total
    if y.sum() in (0, total) or len(d) < 2 or np.ptp(x) == 0:
        return pd.Series(pooled, index=idx)
    mu = float(np.average(x, weights=n))
    sd = float(np.sqrt(np.average((x - mu) ** 2, weights=n))) or 1.0
    z = (x - mu) / sd
    beta = np.array([math.log(pooled / (1 - pooled)), 0.0])
    for _ in range(100):  # Newton-Raphson on the binomial log-likelihood
        p = 1 / (1 + np.exp(-(beta[0] + beta[1] * z)))
        w = n * p * (1 - p)
        grad = np.array([np.sum(y - n * p), np.sum((y - n * p) * z)])
        hess = np.array([[w.sum(), (w * z).sum()], [(w * z).sum(), (w * z * z).sum()]])
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            break
        beta = beta + step
        if np.max(np.abs(step)) < 1e-9:
            break
    zz = (idx.to_numpy(float) - mu) / sd
    return pd.Series(1 / (1 + np.exp(-(beta[0] + beta[1] * zz))), index=idx)


def whatif_curve(dist: pd.DataFrame, max_score: int = 100) -> pd.DataFrame:
    """For every whole threshold 0..max_score: would-be MQLs and their expected wins."""
    thresholds = range(0, int(max_score) + 1)
    if dist.empty:
        return pd.DataFrame(
            {"threshold": list(thresholds), "mqls": 0, "expected_wins": 0.0, "win_rate": math.nan}
        )
    p_win = fit_win_curve(dist, range(0, int(max(max_score, dist["score"].max())) + 1))
    d = dist.assign(p=[p_win.get(int(s), 0.0) for s in dist["score"]])
    d["exp_wins"] = d["leads"] * d["p"]
    rows = []
    for t in thresholds:
        sel = d[d["score"] >= t]
        n = int(sel["leads"].sum())
        wins = float(sel["exp_wins"].sum())
        rows.append(
            {"threshold": t, "mqls": n, "expected_wins": wins, "win_rate": wins / n if n else math.nan}
        )
    return pd.DataFrame(rows)


RECENT_WEEKS = 13


def whatif_weekly(
    q: Runner, f: Filters, model_id: str, threshold: float, model_threshold: float
) -> pd.DataFrame:
    """New MQLs per week at `threshold` ('what-if') and at the model's own threshold ('current').

    A lead becomes an MQL the first time its score reaches the threshold (leads with the
    mandatory fields only). At the model's threshold that moment is `leads.first_mql_crossing_at`;
    at another threshold it is found in the score ledger. Weeks end at as_of: `weeks_before` 0
    is the last 7 days.
    """
    cond, params = f.where(period="created_at")
    current = q(
        f"""
        select 'current' as scenario,
               floor(date_diff('second', first_mql_crossing_at, as_of) / 604800)::int as weeks_before,
               count(*) as mqls
        from marts.leads
        where scoring_model_id = ? and first_mql_crossing_at < as_of and {cond}
        group by all
        """,
        [model_id, *params],
    )
    if float(threshold) == float(model_threshold):
        what_if = current.assign(scenario="what-if")
    else:
        what_if = q(
            f"""
            with l as (
                select lead_id, as_of from marts.leads
                where scoring_model_id = ? and has_mandatory_fields and peak_score >= ?::decimal(9, 1) and {cond}
            ),
            c as (
                select lead_id, min(changed_at) as crossed_at
                from marts.lead_score_changes
                where score_after >= ?::decimal(9, 1)
                group by 1
            )
            select 'what-if' as scenario,
                   floor(date_diff('second', c.crossed_at, l.as_of) / 604800)::int as weeks_before,
                   count(*) as mqls
            from c join l on l.lead_id = c.lead_id
            where c.crossed_at < l.as_of
            group by all
            """,
            [model_id, float(threshold), *params, float(threshold)],
        )
    both = pd.concat([current, what_if], ignore_index=True)
    return both.sort_values(["weeks_before", "scenario"], ascending=[False, True]).reset_index(drop=True)


def recent_weekly_load(weekly: pd.DataFrame, scenario: str, weeks: int = RECENT_WEEKS) -> float:
    """Average MQLs per week over the last `weeks` weeks before as_of."""
    w = weekly[(weekly["scenario"] == scenario) & (weekly["weeks_before"] < weeks)]
    return float(w["mqls"].sum()) / weeks
