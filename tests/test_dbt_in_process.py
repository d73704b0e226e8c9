"""leadwarehouse/dbt_in_process.py: what a dbt child process gave for free, done by hand (dbt
itself runs in process in every fixture build of the suite: tests/conftest.py)."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

import pytest

from leadwarehouse import dbt_in_process
from leadwarehouse.build import PROJECT_DIR, run_dbt
from tests.builds import at_fixed_path


def test_the_environment_and_folder_are_dbts_only_while_it_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("LEAD_KEPT", "before")
    monkeypatch.setenv("LEAD_DROPPED", "before")
    monkeypatch.chdir(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "LEAD_DROPPED"} | {
        "LEAD_KEPT": "during",
        "LEAD_NEW": "1",
    }
    with dbt_in_process._environment(env, PROJECT_DIR):
        assert (os.environ["LEAD_KEPT"], os.environ.get("LEAD_DROPPED"), os.environ["LEAD_NEW"]) == (
            "during",
            None,
            "1",
        )
        assert Path.cwd() == PROJECT_DIR
    assert (os.environ["LEAD_KEPT"], os.environ["LEAD_DROPPED"], os.environ.get("LEAD_NEW")) == (
        "before",
        "before",
        None,
    )
    assert Path.cwd() == tmp_path


def test_a_failing_command_raises_as_a_child_would_with_its_output(tmp_path):
    assert dbt_in_process.ENABLED.get(), "the suite's fixture builds run dbt in process"
    # at the fixture builds' fixed path: dbt re-uses its parsed project (tests/builds.py)
    with (
        at_fixed_path(tmp_path / "wh.duckdb") as path,
        pytest.raises(subprocess.CalledProcessError) as failed,
    ):
        run_dbt(["run-operation", "no_such_macro"], path, quiet=True)
    assert failed.value.returncode in (1, 2)
    assert "no_such_macro" in failed.value.stdout


def test_other_threads_keep_the_child_process():
    seen = []
    thread = threading.Thread(target=lambda: seen.append(dbt_in_process.ENABLED.get()))
    thread.start()
    thread.join()
    assert seen == [False]
