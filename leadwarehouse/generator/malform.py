"""Deliberately malformed rows, chosen per block at small rates and counted exactly for the manifest.

Every defect replaces one value in place (row counts never change) and each malformed row has
exactly one defect kind, so ``_manifest.json`` counts can be checked against the files:

* ``invalid_email``    email without '@', with an inner space, or 'n/a'
* ``null_id``          primary key null
* ``bad_timestamp``    required timestamp unparseable ('31/02/2024', 'yesterday', '', ...)
* ``future_timestamp`` required timestamp after as_of
* ``unknown_enum``     enum column outside the accepted values ('telepathy', 'hologram', ...)
* ``orphan``           lead_id that exists in no leads file
* ``duplicate_id``     primary key equal to the key of another (unmodified) row of the same table
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

DAY = 86400
BAD_TIMESTAMPS = ("31/02/2024", "yesterday", "", "2025-13-45T99:00:00Z", "N/A", "0000-00-00 00:00:00")

RATES: dict[str, dict[str, float]] = {
    "leads": {
        "invalid_email": 0.0025,
        "null_id": 0.001,
        "bad_timestamp": 0.0015,
        "future_timestamp": 0.001,
        "unknown_enum": 0.0015,
        "duplicate_id": 0.0007,
    },
    "marketing_events": {
        "null_id": 0.001,
        "bad_timestamp": 0.001,
        "future_timestamp": 0.001,
        "unknown_enum": 0.001,
        "orphan": 0.0015,
        "duplicate_id": 0.001,
    },
    "sales_activities": {
        "null_id": 0.001,
        "bad_timestamp": 0.001,
        "future_timestamp": 0.001,
        "unknown_enum": 0.001,
        "orphan": 0.0015,
        "duplicate_id": 0.001,
    },
    "opportunities": {
        "null_id": 0.002,
        "bad_timestamp": 0.002,
        "future_timestamp": 0.001,
        "unknown_enum": 0.002,
        "orphan": 0.002,
        "duplicate_id": 0.001,
    },
}
SPEC = {
    "leads": dict(
        id="lead_id", ts="created_at", enum=("lead_source", ("telepathy", "carrier_pigeon", "tv_ad"))
    ),
    "marketing_events": dict(
        id="event_id", ts="occurred_at", enum=("event_type", ("hologram", "telepathic_ping", "fax_received"))
    ),
    "sales_activities": dict(
        id="activity_id", ts="occurred_at", enum=("activity_type", ("telekinesis", "smoke_signal", "seance"))
    ),
    "opportunities": dict(
        id="opportunity_id", ts="created_at", enum=("stage", ("abandoned", "limbo", "closed_maybe"))
    ),
    "accounts": dict(id="account_id", enum=("region", ("atlantis", "antarctica", "moon"))),
}


def choose(
    rng: np.random.Generator, table: str, n: int, eligible: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Disjoint row sets per defect kind (sorted row indices); for duplicate_id also the source rows."""
    cand = np.arange(n) if eligible is None else np.flatnonzero(eligible)
    rates = RATES[table]
    counts = [int(rng.binomial(len(cand), r)) for r in rates.values()]
    total = min(sum(counts), len(cand))
    picked = rng.choice(cand, size=total, replace=False) if total else np.zeros(0, np.int64)
    out: dict[str, np.ndarray] = {}
    pos = 0
    for kind, c in zip(rates, counts, strict=True):
        out[kind] = np.sort(picked[pos : pos + c])
        pos += c
    dup = out.get("duplicate_id", np.zeros(0, np.int64))
    free = np.setdiff1d(np.arange(n), picked)
    out["_dup_source"] = (
        free[rng.integers(0, len(free), len(dup))] if len(dup) and len(free) else np.zeros(0, np.int64)
    )
    if len(dup) and not len(free):
        out["duplicate_id"] = np.zeros(0, np.int64)
    return out


def counts(chosen: dict[str, np.ndarray]) -> dict[str, int]:
    return {k: int(len(v)) for k, v in chosen.items() if not k.startswith("_")}


def fmt_ts(t: np.ndarray) -> pa.Array:
    return pc.strftime(
        pa.array(np.asarray(t, dtype=np.int64), type=pa.timestamp("s")), format="%Y-%m-%dT%H:%M:%SZ"
    )


def _replace(arr: pa.Array, rows: np.ndarray, values: list) -> pa.Array:
    if not len(rows):
        return arr
    mask = np.zeros(len(arr), bool)
    mask[rows] = True
    order = np.argsort(rows, kind="stable")
    vals = [values[i] for i in order]
    return pc.replace_with_mask(arr, pa.array(mask), pa.array(vals, type=arr.type))


def apply(
    table: str,
    cols: dict[str, pa.Array],
    chosen: dict[str, np.ndarray],
    rng: np.random.Generator,
    as_of: int,
    orphan_ids: list[str] | None = None,
) -> dict[str, pa.Array]:
    """Returns the columns with the chosen defects written in (only string columns are touched)."""
    spec = SPEC[table]
    cols = dict(cols)
    id_col = spec["id"]
    for kind, rows in chosen.items():
        if kind.startswith("_") or not len(rows):
            continue
        k = len(rows)
        if kind == "invalid_email":
            orig = cols["email"].take(pa.array(rows)).to_pylist()
            vals = []
            for j, e in enumerate(orig):
                e = (e or "x@y").strip()
                v = j % 3
                vals.append(e.replace("@", "", 1) if v == 0 else e.replace("@", " @", 1) if v == 1 else "n/a")
            cols["email"] = _replace(cols["email"], rows, vals)
        elif kind == "null_id":
            cols[id_col] = _replace(cols[id_col], rows, [None] * k)
        elif kind == "bad_timestamp":
            cols[spec["ts"]] = _replace(
                cols[spec["ts"]], rows, [BAD_TIMESTAMPS[i] for i in rng.integers(0, len(BAD_TIMESTAMPS), k)]
            )
        elif kind == "future_timestamp":
            fut = fmt_ts(as_of + rng.integers(DAY, 400 * DAY, k)).to_pylist()
            cols[spec["ts"]] = _replace(cols[spec["ts"]], rows, fut)
        elif kind == "unknown_enum":
            col, values = spec["enum"]
            cols[col] = _replace(cols[col], rows, [values[i] for i in rng.integers(0, len(values), k)])
        elif kind == "orphan":
            cols["lead_id"] = _replace(cols["lead_id"], rows, (orphan_ids or [])[:k])
        elif kind == "duplicate_id":
            src = cols[id_col].take(pa.array(chosen["_dup_source"])).to_pylist()
            cols[id_col] = _replace(cols[id_col], rows, src)
    return cols
