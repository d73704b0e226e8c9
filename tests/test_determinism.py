"""Same input and as_of → the same marts, row for row, on every rebuild; as_of, not the wall
clock, decides what "now" is."""

from __future__ import annotations

import duckdb
import pytest

from tests.builds import build_fixture_warehouse
from tests.tiny_crm import AS_OF

pytestmark = pytest.mark.dbt

MARTS = ["leads", "lead_score_changes", "lead_stage_history", "lead_score_reasons", "quarantined_rows"]


def mart_fingerprints(warehouse) -> dict[str, tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {
            mart: con.execute(
                f"select count(*), md5(string_agg(t::varchar, '\n' order by t::varchar)) from marts.{mart} t"
            ).fetchone()
            for mart in MARTS
        }
    finally:
        con.close()


def test_rebuild_gives_identical_marts(tiny_landing, tiny_warehouse, tmp_path):
    rebuilt = tmp_path / "again.duckdb"
    build_fixture_warehouse(tiny_landing, rebuilt, as_of=AS_OF)
    assert mart_fingerprints(rebuilt) == mart_fingerprints(tiny_warehouse)


def test_earlier_as_of_sees_only_the_past(tiny_landing, tmp_path):
    # On 2026-09-03 12:00 Jane's second record (created 09-20) does not exist yet, so the case study
    # downloaded under it does not count either: fit 55 + first pricing view 15 = 70 (mql band); her
    # opportunity does not exist yet either.
    warehouse = tmp_path / "past.duckdb"
    build_fixture_warehouse(tiny_landing, warehouse, as_of="2026-09-03 12:00:00")
    con = duckdb.connect(str(warehouse), read_only=True)
    got = con.execute(
        "select total_score, score_band, current_stage, opportunity_at from marts.leads where email = 'jane.doe@acme.com'"
    ).fetchone()
    assert (float(got[0]), got[1], got[2], got[3]) == (70.0, "mql", "mql", None)
    assert (
        con.execute("select max(changed_at) from marts.lead_score_changes").fetchone()[0].isoformat()
        <= "2026-09-03T12:00:00"
    )
