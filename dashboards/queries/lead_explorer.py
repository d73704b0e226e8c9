"""Queries of the Lead explorer page: find a lead; its score, reasons, ledger and stages."""

from __future__ import annotations

import pandas as pd

from dashboards.queries.common import Runner


def top_leads(q: Runner, limit: int = 10) -> pd.DataFrame:
    """The highest-scoring leads now."""
    return q(
        "select lead_id, email, company_name, total_score, score_band, fit_tier, current_stage "
        f"from marts.leads order by total_score desc, lead_id limit {int(limit)}",
        [],
    )


def escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_leads(q: Runner, term: str, limit: int = 50) -> pd.DataFrame:
    term = term.strip()
    pattern = f"%{escape_like(term)}%"
    return q(
        f"""
        select lead_id, email, company_name, total_score, score_band, fit_tier, current_stage
        from marts.leads
        where lead_id = ? or email ilike ? escape '\\' or company_name ilike ? escape '\\'
        order by (lead_id = ?) desc, (lower(email) = lower(?)) desc, total_score desc, lead_id
        limit {int(limit)}
        """,
        [term, pattern, pattern, term, term],
    )


def lead_detail(q: Runner, lead_id: str) -> pd.DataFrame:
    return q(
        """
        select l.*, m.warm_threshold, m.mql_threshold, m.hot_threshold, m.model_name
        from marts.leads l
        left join config.scoring_models m on m.model_id = l.scoring_model_id
        where l.lead_id = ?
        """,
        [lead_id],
    )


def lead_reasons(q: Runner, lead_id: str) -> pd.DataFrame:
    return q(
        "select reason_rank, dimension, label, event_count, points from marts.lead_score_reasons "
        "where lead_id = ? order by reason_rank",
        [lead_id],
    )


def lead_ledger(q: Runner, lead_id: str) -> pd.DataFrame:
    return q(
        "select change_sequence, changed_at, change_type, signal, points, score_after, band_after "
        "from marts.lead_score_changes where lead_id = ? order by change_sequence",
        [lead_id],
    )


def lead_stages(q: Runner, lead_id: str) -> pd.DataFrame:
    return q(
        "select stage_sequence, stage, entered_at, exited_at, entered_by, reason_code, hours_in_stage "
        "from marts.lead_stage_history where lead_id = ? order by stage_sequence",
        [lead_id],
    )


def reason_labels(q: Runner, tables: set[str] | frozenset[str]) -> dict[str, str]:
    """Labels of the stage history's reason codes, where the warehouse holds their seeds: the SDR
    rejection and loss reasons (config.reason_codes, seeds/reference/reason_codes.csv) and the
    requalification triggers (config.requalification_triggers: trigger_id -> trigger_name).
    Empty without them: the page then shows the code humanized."""
    labels: dict[str, str] = {}
    if "config.requalification_triggers" in tables:
        found = q("select trigger_id, trigger_name from config.requalification_triggers", [])
        labels.update(zip(found["trigger_id"], found["trigger_name"], strict=True))
    if "config.reason_codes" in tables:
        found = q("select reason_code, label from config.reason_codes", [])
        labels.update(zip(found["reason_code"], found["label"], strict=True))
    return labels


def signal_labels(q: Runner) -> dict[str, str]:
    """signal -> label of its scoring rule (seeds/scoring: scoring_intent_rules, scoring_fit_rules),
    as marts.lead_score_reasons names the reasons (reason_key = the ledger's signal)."""
    found = q(
        "select reason_key, min(label) as label from marts.lead_score_reasons "
        "where label is not null group by 1",
        [],
    )
    return dict(zip(found["reason_key"], found["label"], strict=True))
