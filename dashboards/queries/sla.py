"""Queries of the SLA page: compliance by SLA, team and rep, the weekly trend, open breaches, and the
red / amber / green rule that judges compliance against its target: each SLA's own
(seeds/sla/sla_policies.csv) where set, the global one (seeds/kpi/kpi_parameters.csv) otherwise."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import pandas as pd

from dashboards.queries.common import Filters, Runner, available_tables

SLA_CLOSED = ("met", "breached", "open_breached")  # instances whose outcome is decided
# Running clocks by lead_sla.sla_state (thresholds per SLA in seeds/sla/sla_policies.csv): the tabs
# of "Now", most actionable first, and how each is ordered.
OPEN_STATES = {
    "breached_recent": "elapsed_business_minutes - target_minutes desc",
    "at_risk": "target_minutes - elapsed_business_minutes asc",
    "breached_stale": "due_at asc",
}

MIN_JUDGED = 5  # fewer decided clocks than this: grey, too few to judge
# seeds/kpi/kpi_parameters.csv rows of the global cut-offs (ComplianceCutoffs)
CUTOFF_PARAMETERS = ("sla_compliance_target", "sla_compliance_red_below")
# seeds/sla/sla_policies.csv columns of an SLA's own cut-offs (empty: the global ones), in that order
SLA_CUTOFF_COLUMNS = ("compliance_target", "compliance_red_below")
GLOBAL_SOURCE = "seeds/kpi/kpi_parameters.csv: sla_compliance_target, sla_compliance_red_below"
OWN_SOURCE = "seeds/sla/sla_policies.csv: compliance_target, compliance_red_below"
DEFAULTS_SOURCE = "defaults: this copy of the warehouse predates the seed's cut-offs"
# the legend's wording when the rows of a chart are judged against different cut-offs (by SLA)
MIXED_STATES = {
    "green": "on its target",
    "amber": "below its target",
    "red": "failing (below its red cut-off)",
    "grey": f"too few decided clocks (< {MIN_JUDGED})",
}


def _pct(share: float) -> str:
    return f"{share * 100:.0f} %"


@dataclass(frozen=True)
class ComplianceCutoffs:
    """How compliance (met ÷ decided, decided = met + breached + still running past its due time) is
    judged: green at or above `target`, amber from `red_below` up to it, red below `red_below`, grey
    with fewer than MIN_JUDGED decided clocks. The global values are the seed's (compliance_cutoffs);
    the defaults serve a published copy made before the seed had them (`from_seed` False). An SLA's
    own values (for_sla) replace them; `own` names those (SLA_CUTOFF_COLUMNS)."""

    target: float = 0.90
    red_below: float = 0.80
    from_seed: bool = True
    own: tuple[str, ...] = ()

    def for_sla(self, target: float | None, red_below: float | None) -> ComplianceCutoffs:
        """These (global) cut-offs with an SLA's own target and red cut-off where it has them (an
        empty one keeps the global value); a global red cut-off above the SLA's own target is
        lowered to that target (no amber band)."""
        own = {
            column: float(value)
            for column, value in zip(SLA_CUTOFF_COLUMNS, (target, red_below), strict=True)
            if value is not None and not pd.isna(value)
        }
        if not own:
            return self
        new_target = own.get("compliance_target", self.target)
        new_red = min(own.get("compliance_red_below", self.red_below), new_target)
        return replace(self, target=new_target, red_below=new_red, own=tuple(own))

    def rag(self, compliance: float, decided: float) -> str:
        """red / amber / green / grey of a compliance share."""
        if pd.isna(decided) or decided < MIN_JUDGED or pd.isna(compliance):
            return "grey"
        if compliance >= self.target:
            return "green"
        return "amber" if compliance >= self.red_below else "red"

    def states(self) -> dict[str, str]:
        """rag -> the legend's wording, in the legend's order (colours: components.RAG_COLORS)."""
        target, red = _pct(self.target), _pct(self.red_below)
        return {
            "green": f"on target (≥ {target})",
            "amber": f"below target ({red} – {target})",
            "red": f"failing (< {red})",
            "grey": f"too few decided clocks (< {MIN_JUDGED})",
        }

    def source(self) -> str:
        """Where the values come from: the SLA's own (seeds/sla/sla_policies.csv), the global ones
        (seeds/kpi/kpi_parameters.csv) or the defaults, or a mix of them."""
        global_source = GLOBAL_SOURCE if self.from_seed else DEFAULTS_SOURCE
        if not self.own:
            return f"the global target, {global_source}"
        if len(self.own) == len(SLA_CUTOFF_COLUMNS):
            return f"the SLA's own target, {OWN_SOURCE}"
        own_column = self.own[0]
        (global_parameter,) = [
            p for c, p in zip(SLA_CUTOFF_COLUMNS, CUTOFF_PARAMETERS, strict=True) if c != own_column
        ]
        other = (
            f"the global {global_parameter} (seeds/kpi/kpi_parameters.csv)"
            if self.from_seed
            else "the default (this copy of the warehouse predates the seed's cut-offs)"
        )
        return f"the SLA's own {own_column} (seeds/sla/sla_policies.csv), otherwise {other}"

    def describe(self) -> str:
        """The target and red cut-off with where they come from, e.g. for a hover text."""
        return f"{_pct(self.target)}, red below {_pct(self.red_below)} ({self.source()})"

    def rule(self) -> str:
        """The colour rule in words, for captions and hover texts."""
        target, red = _pct(self.target), _pct(self.red_below)
        return (
            f"Colour = compliance against the {target} target, compliance = met ÷ (met + breached + still "
            f"running past its due time, counted as breached): green at or above {target}, amber from {red} "
            f"up to the target, red below {red}, grey with fewer than {MIN_JUDGED} decided clocks "
            f"({self.source()})"
        )


@dataclass(frozen=True)
class SlaCutoffs:
    """Each SLA's cut-offs: its own (config.sla_policies: SLA_CUTOFF_COLUMNS) where set, the global
    ones (ComplianceCutoffs of config.kpi_parameters) otherwise. `sla_ids` are the SLAs of
    config.sla_policies (empty in a copy without it); `per_sla` is False in a copy published before
    the columns existed (every SLA is then judged against the global values)."""

    default: ComplianceCutoffs = field(default_factory=ComplianceCutoffs)
    by_sla: Mapping[str, ComplianceCutoffs] = field(default_factory=dict)
    sla_ids: tuple[str, ...] = ()
    per_sla: bool = True

    def of(self, sla_id: str) -> ComplianceCutoffs:
        """The cut-offs of one SLA."""
        return self.by_sla.get(sla_id, self.default)

    def of_selection(self, sla_ids: Iterable[str] = ()) -> ComplianceCutoffs:
        """The cut-offs of a row mixing the clocks of several SLAs (a team, a rep, a week, all of
        them), `sla_ids` (empty: every SLA): theirs when they all have the same target and red
        cut-off, otherwise the global ones."""
        ids = list(sla_ids) or list(self.sla_ids)
        found = {(c.target, c.red_below): c for c in map(self.of, ids)}
        return next(iter(found.values())) if len(found) == 1 else self.default

    def differ(self, sla_ids: Iterable[str] = ()) -> bool:
        """Whether the SLAs `sla_ids` (empty: every SLA) have different cut-offs."""
        ids = list(sla_ids) or list(self.sla_ids)
        return len({(self.of(s).target, self.of(s).red_below) for s in ids}) > 1

    def rule(self, names: Mapping[str, str], sla_ids: Iterable[str] = ()) -> str:
        """The colour rule in words with the target and red cut-off of each SLA of `sla_ids`
        (empty: every SLA of `names`, sla_id -> name), grouped by where they come from."""
        ids = list(sla_ids) or list(names)
        if not self.differ(ids) and not any(self.of(s).own for s in ids):
            return self.of_selection(ids).rule()
        groups: dict[str, list[str]] = {}  # where the values come from -> the SLAs with them
        for sla_id in ids:
            cut = self.of(sla_id)
            groups.setdefault(cut.source(), []).append(
                f"{names.get(sla_id, sla_id)} {_pct(cut.target)} (red below {_pct(cut.red_below)})"
            )
        targets = "; ".join(f"{', '.join(slas)}: {where}" for where, slas in groups.items())
        return (
            "Colour = compliance against each SLA's own target, compliance = met ÷ (met + breached + still "
            "running past its due time, counted as breached): green at or above the target, amber from the "
            f"red cut-off up to it, red below the red cut-off, grey with fewer than {MIN_JUDGED} decided clocks. "
            f"Targets: {targets}. An SLA's own target and red cut-off are its compliance_target and "
            "compliance_red_below in seeds/sla/sla_policies.csv; left empty, the global ones apply"
        )


def compliance_cutoffs(q: Runner) -> ComplianceCutoffs:
    """The global compliance target and red cut-off of seeds/kpi/kpi_parameters.csv (config.kpi_parameters)."""
    if "config.kpi_parameters" not in available_tables(q):
        return ComplianceCutoffs(from_seed=False)
    names = ", ".join(f"'{p}'" for p in CUTOFF_PARAMETERS)
    df = q(
        f"select parameter, value::double as value from config.kpi_parameters where parameter in ({names})",
        [],
    )
    values = dict(zip(df["parameter"], df["value"], strict=True))
    if set(values) != set(CUTOFF_PARAMETERS):
        return ComplianceCutoffs(from_seed=False)
    return ComplianceCutoffs(
        target=values["sla_compliance_target"], red_below=values["sla_compliance_red_below"]
    )


def sla_cutoffs(q: Runner) -> SlaCutoffs:
    """Each SLA's compliance target and red cut-off: its own of seeds/sla/sla_policies.csv
    (config.sla_policies) where set, else the global ones (compliance_cutoffs). A copy without
    config.sla_policies, or published before it had the columns, judges every SLA globally."""
    default = compliance_cutoffs(q)
    if "config.sla_policies" not in available_tables(q):
        return SlaCutoffs(default, per_sla=False)
    columns = set(
        q(
            "select column_name from information_schema.columns "
            "where table_schema = 'config' and table_name = 'sla_policies'",
            [],
        )["column_name"]
    )
    if not set(SLA_CUTOFF_COLUMNS) <= columns:
        ids = q("select sla_id from config.sla_policies order by sla_id", [])["sla_id"]
        return SlaCutoffs(default, sla_ids=tuple(ids), per_sla=False)
    df = q(
        "select sla_id, "
        + ", ".join(f"{c}::double as {c}" for c in SLA_CUTOFF_COLUMNS)
        + " from config.sla_policies order by sla_id",
        [],
    )
    by_sla = {r.sla_id: default.for_sla(r.compliance_target, r.compliance_red_below) for r in df.itertuples()}
    return SlaCutoffs(
        default, {s: c for s, c in by_sla.items() if c.own}, sla_ids=tuple(df["sla_id"]), per_sla=True
    )


def rag_states(df: pd.DataFrame) -> dict[str, str]:
    """rag -> the legend's wording of rows judged by _with_compliance: with the numbers when every
    row has the same target and red cut-off, in words (MIXED_STATES) when they differ."""
    pairs = set(zip(df["target"], df["red_below"], strict=True)) if len(df) else set()
    if len(pairs) == 1:
        ((target, red_below),) = pairs
        return ComplianceCutoffs(target=target, red_below=red_below).states()
    return dict(MIXED_STATES)


def _sla_where(f: Filters, sla_ids: Sequence[str], *, period: bool = True) -> tuple[str, list[Any]]:
    """The page's filters on marts.lead_sla; period=False drops the period (running clocks are "now")."""
    g = Filters(
        start_month=f.start_month if period else None,
        end_month=f.end_month if period else None,
        lead_sources=f.lead_sources,
        segments=f.segments,
        motions=f.motions,
        teams=f.teams,
        extra=(("sla_id", tuple(sla_ids)),) if sla_ids else (),
    )
    return g.where(period="started_at", fit_tier=None, team="team_name")


def _sla_agg() -> str:
    closed = ", ".join(f"'{s}'" for s in SLA_CLOSED)
    return f"""
        count(*) as instances,
        count(*) filter (where status = 'met') as met,
        count(*) filter (where status = 'breached') as breached,
        count(*) filter (where status = 'open_breached') as open_breached,
        count(*) filter (where status = 'open') as open,
        count(*) filter (where status in ({closed})) as decided,
        count(*) filter (where sla_state = 'at_risk') as at_risk,
        count(*) filter (where sla_state = 'breached_recent') as breached_recent,
        count(*) filter (where sla_state = 'breached_stale') as breached_stale,
        count(*) filter (where owner_rep_id is null) as unrouted,
        quantile_cont(elapsed_business_minutes, 0.5) filter (where status in ('met', 'breached'))
            as median_elapsed_minutes
    """


def _with_compliance(
    df: pd.DataFrame, cutoffs: ComplianceCutoffs | Sequence[ComplianceCutoffs]
) -> pd.DataFrame:
    """With compliance (met ÷ decided), the cut-offs it is judged against (`cutoffs`: one for every
    row, or one per row: target, red_below, target_text = them in words with their source), its
    colour (ComplianceCutoffs.rag) and the colour's legend label (rag_states)."""
    df = df.copy()
    per_row = [cutoffs] * len(df) if isinstance(cutoffs, ComplianceCutoffs) else list(cutoffs)
    df["compliance"] = [m / d if d else math.nan for m, d in zip(df["met"], df["decided"], strict=True)]
    df["target"] = [c.target for c in per_row]
    df["red_below"] = [c.red_below for c in per_row]
    df["target_text"] = [c.describe() for c in per_row]
    df["rag"] = [
        c.rag(compliance, decided)
        for c, compliance, decided in zip(per_row, df["compliance"], df["decided"], strict=True)
    ]
    states = rag_states(df)
    df["rag_label"] = [states[r] for r in df["rag"]]
    return df


def sla_overall(
    q: Runner, f: Filters, sla_ids: Sequence[str] = (), cutoffs: SlaCutoffs | None = None
) -> pd.Series:
    """Compliance of every clock of the selection, judged against the selection's cut-offs
    (SlaCutoffs.of_selection). `cutoffs`: the page's sla_cutoffs(q), read once per page run (here
    and in the other functions that judge compliance); read from `q` when not given."""
    cond, params = _sla_where(f, sla_ids)
    df = q(f"select {_sla_agg()} from marts.lead_sla where {cond}", params)
    return _with_compliance(df, (cutoffs or sla_cutoffs(q)).of_selection(sla_ids)).iloc[0]


GROUPS = {"sla": "sla_id, sla_name, target_minutes", "team": "team_name", "rep": "owner_name, team_name"}


def sla_by(
    q: Runner, f: Filters, by: str, sla_ids: Sequence[str] = (), cutoffs: SlaCutoffs | None = None
) -> pd.DataFrame:
    """Compliance grouped by 'sla', 'team' or 'rep' (GROUPS), with its colour (rag): an SLA against
    its own cut-offs, a team or rep (whose clocks mix SLAs) against the selection's
    (SlaCutoffs.of_selection)."""
    group = GROUPS[by]
    cond, params = _sla_where(f, sla_ids)
    df = q(f"select {group}, {_sla_agg()} from marts.lead_sla where {cond} group by all", params)
    cutoffs = cutoffs or sla_cutoffs(q)
    df = _with_compliance(
        df, [cutoffs.of(s) for s in df["sla_id"]] if by == "sla" else cutoffs.of_selection(sla_ids)
    )
    return df.sort_values(
        ["compliance", "instances"], ascending=[True, False], na_position="last"
    ).reset_index(drop=True)


def sla_weekly(
    q: Runner, f: Filters, sla_ids: Sequence[str] = (), cutoffs: SlaCutoffs | None = None
) -> pd.DataFrame:
    """Compliance per week and SLA, each judged against the SLA's own cut-offs."""
    cond, params = _sla_where(f, sla_ids)
    df = q(
        f"""
        select date_trunc('week', started_at)::date as week, sla_id, sla_name, {_sla_agg()}
        from marts.lead_sla where {cond}
        group by all
        order by 1, 3
        """,
        params,
    )
    cutoffs = cutoffs or sla_cutoffs(q)
    return _with_compliance(df, [cutoffs.of(s) for s in df["sla_id"]])


def sla_running_now(q: Runner, f: Filters, sla_ids: Sequence[str] = ()) -> pd.Series:
    """How many clocks run now in each sla_state (OPEN_STATES), whatever the period filter: a running
    clock started before the period is still running now (the other filters apply)."""
    cond, params = _sla_where(f, sla_ids, period=False)
    return q(f"select {_running_counts()} from marts.lead_sla where {cond}", params).iloc[0]


def sla_running_by(q: Runner, f: Filters, by: str, sla_ids: Sequence[str] = ()) -> pd.DataFrame:
    """sla_running_now grouped by 'sla', 'team' or 'rep' (GROUPS): groups with a running clock only."""
    cond, params = _sla_where(f, sla_ids, period=False)
    states = ", ".join(f"'{s}'" for s in OPEN_STATES)
    return q(
        f"select {GROUPS[by]}, {_running_counts()} from marts.lead_sla "
        f"where sla_state in ({states}) and {cond} group by all",
        params,
    )


def _running_counts() -> str:
    return ", ".join(f"count(*) filter (where sla_state = '{s}') as {s}" for s in OPEN_STATES)


def sla_open_items(
    q: Runner, f: Filters, state: str, sla_ids: Sequence[str] = (), limit: int = 200
) -> tuple[pd.DataFrame, int]:
    """The running clocks in one sla_state (OPEN_STATES), most urgent first (at most `limit`), with
    the lead's email and company, and how many there are. Every running clock, whatever the period
    filter (a "now" state); the other filters apply."""
    cond, params = _sla_where(f, sla_ids, period=False)
    cond = f"sla_state = ? and {cond}"
    params = [state, *params]
    total = int(q(f"select count(*) as n from marts.lead_sla where {cond}", params)["n"].iloc[0])
    rows = q(
        f"""
        select s.lead_id, l.email, l.company_name, s.sla_name, s.band, s.owner_name, s.team_name, s.started_at,
               s.due_at, s.elapsed_business_minutes::double as elapsed_minutes, s.target_minutes,
               (s.elapsed_business_minutes - s.target_minutes)::double as over_by_minutes
        from (select * from marts.lead_sla where {cond} order by {OPEN_STATES[state]}, lead_id limit {int(limit)}) s
        left join marts.leads l using (lead_id)
        order by {OPEN_STATES[state]}, lead_id
        """,
        params,
    )
    return rows, total


def sla_time_to_target(
    q: Runner, f: Filters, sla_ids: Sequence[str] = (), cutoffs: SlaCutoffs | None = None
) -> pd.DataFrame:
    """Per SLA with decided clocks (met, breached, or still running past its due time): the median
    and 90th percentile of their time taken as shares of the target (a clock still running counts
    with its time so far, a lower bound), the counts behind compliance, and its colour (rag)."""
    cond, params = _sla_where(f, sla_ids)
    closed = ", ".join(f"'{s}'" for s in SLA_CLOSED)
    df = q(
        f"""
        select sla_id, any_value(sla_name) as sla_name, any_value(target_minutes) as target_minutes,
               count(*) as decided,
               count(*) filter (where status = 'met') as met,
               count(*) filter (where status = 'breached') as breached,
               count(*) filter (where status = 'open_breached') as open_breached,
               count(*) filter (where status in ('breached', 'open_breached')) as late,
               quantile_cont(elapsed_business_minutes / target_minutes, 0.5)::double as median_share,
               quantile_cont(elapsed_business_minutes / target_minutes, 0.9)::double as p90_share
        from marts.lead_sla
        where status in ({closed}) and {cond}
        group by sla_id
        order by 1
        """,
        params,
    )
    cutoffs = cutoffs or sla_cutoffs(q)
    return _with_compliance(df, [cutoffs.of(s) for s in df["sla_id"]])


def sla_state_labels(q: Runner) -> dict[str, dict[str, str]]:
    """{sla_state: {label, description, rag}} from config.sla_states."""
    df = q("select sla_state, label, description, rag from config.sla_states", [])
    return {
        r.sla_state: {"label": r.label, "description": r.description, "rag": r.rag} for r in df.itertuples()
    }


def sla_months(q: Runner) -> list[date]:
    df = q("select distinct date_trunc('month', started_at)::date as m from marts.lead_sla order by 1", [])
    return [pd.Timestamp(m).date() for m in df["m"] if not pd.isna(m)]


def sla_names(q: Runner) -> pd.DataFrame:
    return q("select sla_id, any_value(sla_name) as sla_name from marts.lead_sla group by 1 order by 1", [])
