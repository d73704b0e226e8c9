"""An invalid SLA policy or business-hours row fails the build with a message naming the row."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from leadwarehouse import dbt_in_process
from leadwarehouse.build import PROJECT_DIR, dbt_env

pytestmark = pytest.mark.dbt


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory) -> Path:
    """A private copy of the dbt project whose seeds a test may break."""
    root = tmp_path_factory.mktemp("project")
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(PROJECT_DIR / name, root / name)
    for folder in ("models", "macros", "seeds"):
        shutil.copytree(PROJECT_DIR / folder, root / folder)
    return root


def failed_dbt_output(project: Path, warehouse: Path, *args: str) -> str:
    """dbt's output of a command that must fail, run on the project copy (in this process, as the
    suite's builds: leadwarehouse/dbt_in_process.py)."""
    env = dbt_env(warehouse)
    env["DBT_PROFILES_DIR"] = str(project)
    env["DBT_TARGET_PATH"] = str(project / "target")
    try:
        dbt_in_process.run(["dbt", *args, "--project-dir", str(project)], env, project, quiet=True)
    except subprocess.CalledProcessError as failed:
        return failed.stdout
    pytest.fail(f"dbt {' '.join(args)} passed on a broken seed")


def break_seed(project: Path, relative: str, old: str, new: str) -> str:
    path = project / relative
    original = path.read_text()
    assert old in original
    path.write_text(original.replace(old, new))
    return original


# Each round breaks one row of each seed; one dbt invocation checks both (the first failing check
# of a seed stops its model, so two problems of the same seed need two rounds).
ROUNDS = [
    [
        (
            "seeds/sla/sla_policies.csv",
            "sdr,mql,sdr_touch,120",
            "sdr,mql,sdr_tuch,120",
            "seed 'sla_policies', row(s) sdr_first_touch_hot: unknown stop_event",
        ),
        (
            "seeds/calendar/business_hours.csv",
            "*,5,09:00,17:00",
            "*,5,09:00,17:00\n*,5,12:00,18:00",
            "seed 'business_hours', row(s) * weekday 5: more than one interval for the same territory and weekday",
        ),
    ],
    [
        (
            "seeds/sla/sla_policies.csv",
            "ae,sql,ae_next_step,2400",
            "ae,sql,ae_next_step,-5",
            "seed 'sla_policies', row(s) ae_next_step: target_minutes must be a positive number",
        ),
        (
            "seeds/calendar/business_hours.csv",
            "*,2,09:00,17:00",
            "*,2,17:00,09:00",
            "seed 'business_hours', row(s) * weekday 2: closes_at must be after opens_at",
        ),
    ],
]
SELECT = ["--select", "sla_policies", "business_hours", "int_sla_policies", "int_business_hours"]


@pytest.mark.parametrize("breaks", ROUNDS, ids=["unknown_event_and_overlap", "negative_target_and_reversed"])
def test_invalid_config_row_is_named(project_copy, breaks):
    originals = {seed: break_seed(project_copy, seed, old, new) for seed, old, new, _ in breaks}
    try:
        # one warehouse path for every round: dbt re-parses only the changed seeds
        output = failed_dbt_output(
            project_copy, project_copy / "config.duckdb", "build", *SELECT, "--exclude", "resource_type:test"
        )
        for _, _, _, message in breaks:
            assert message in output, output[-3000:]
    finally:
        for seed, original in originals.items():
            (project_copy / seed).write_text(original)
