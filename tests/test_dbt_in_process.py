"""leadwarehouse/dbt_in_process.py: what a dbt child process gave for free, done by hand. dbt
itself runs in process in every fixture build of the suite (tests/conftest.py); a failing
command's captured output is checked there too (tests/test_input_parsing_faults.py: the guard's
name in the failed build's output)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from leadwarehouse import dbt_in_process
from leadwarehouse.build import PROJECT_DIR


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


def test_other_threads_keep_the_child_process():
    seen = []
    thread = threading.Thread(target=lambda: seen.append(dbt_in_process.ENABLED.get()))
    thread.start()
    thread.join()
    assert seen == [False]
