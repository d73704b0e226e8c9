"""An invalid SLA policy or business-hours row fails the build with a message naming the row."""

from __future__ import annotations

import subprocess
from pathlib import Path

import duckdb
import pytest

from leadwarehouse.build import PROJECT_DIR, run_dbt
from tests.builds import at_fixed_path
from tests.tiny_crm import AS_OF

pytestmark = pytest.mark.dbt

SEEDS = {"sla_policies": "seeds/sla/sla_policies.csv", "business_hours": "seeds/calendar/business_hours.csv"}
SELECT = ["--select", *SEEDS, "int_sla_policies", "int_business_hours"]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """The two seeds and their validating models, built from the project's own CSVs (at this
    process's fixed build path, so dbt re-parses nothing: tests/builds.py)."""
    warehouse = tmp_path_factory.mktemp("config_validation") / "validation.duckdb"
    with at_fixed_path(warehouse) as path:
        run_dbt(["build", *SELECT, "--exclude", "resource_type:test"], path, AS_OF, quiet=True)
    return warehouse


def load_seed_text(con: duckdb.DuckDBPyConnection, seed: str, csv_text: str, folder: Path) -> None:
    """Replace the seed table's rows with `csv_text` read as a CSV, cast to the seed's column types
    as `dbt seed` would: a broken CSV row, as an analyst could commit it, without a dbt project copy
    (whose different project folder made dbt parse the whole project again)."""
    path = folder / f"{seed}.csv"
    path.write_text(csv_text)
    con.execute(f"delete from config.{seed}")
    con.execute(
        f"insert into config.{seed} by name select * from read_csv(?, header = true, all_varchar = true)",
        [str(path)],
    )


# Each round breaks one row of each seed; one dbt invocation checks both (the first failing check
# of a seed stops its model, so two problems of the same seed need two rounds).
ROUNDS = [
    [
        (
            "sla_policies",
            "sdr,mql,sdr_touch,120",
            "sdr,mql,sdr_tuch,120",
            "seed 'sla_policies', row(s) sdr_first_touch_hot: unknown stop_event",
        ),
        (
            "business_hours",
            "*,5,09:00,17:00",
            "*,5,09:00,17:00\n*,5,12:00,18:00",
            "seed 'business_hours', row(s) * weekday 5: more than one interval for the same territory and weekday",
        ),
    ],
    [
        (
            "sla_policies",
            "ae,sql,ae_next_step,2400",
            "ae,sql,ae_next_step,-5",
            "seed 'sla_policies', row(s) ae_next_step: target_minutes must be a positive number",
        ),
        (
            "business_hours",
            "*,2,09:00,17:00",
            "*,2,17:00,09:00",
            "seed 'business_hours', row(s) * weekday 2: closes_at must be after opens_at",
        ),
    ],
]


@pytest.mark.parametrize("breaks", ROUNDS, ids=["unknown_event_and_overlap", "negative_target_and_reversed"])
def test_invalid_config_row_is_named(warehouse, breaks, tmp_path):
    with at_fixed_path(warehouse) as path:
        con = duckdb.connect(str(path))
        try:
            for seed, old, new, _ in breaks:
                original = (PROJECT_DIR / SEEDS[seed]).read_text()
                assert old in original
                load_seed_text(con, seed, original.replace(old, new), tmp_path)
        finally:
            con.close()
        with pytest.raises(subprocess.CalledProcessError) as failed:
            run_dbt(["run", "--select", "int_sla_policies", "int_business_hours"], path, AS_OF, quiet=True)
    for _, _, _, message in breaks:
        assert message in failed.value.stdout, failed.value.stdout[-3000:]
