"""The project's generated and hand-written parts agree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from scripts.generate_sources_yml import ROOT, SOURCES, render


def test_source_yaml_matches_the_contract():
    for source, (path, _, _) in SOURCES.items():
        assert (ROOT / path).read_text() == render(source), (
            f"{path} is stale: run scripts/generate_sources_yml.py"
        )


def test_command_line_tools_have_readable_help():
    for module in ("leadwarehouse.ingest", "leadwarehouse.build", "leadwarehouse.summary"):
        out = subprocess.run(
            [sys.executable, "-m", module, "--help"], capture_output=True, text=True, check=True
        )
        assert "usage: python -m " + module in out.stdout
        assert "--warehouse" in out.stdout


def _spark_profile_settings(env: dict[str, str]) -> dict[str, str]:
    """profiles.yml's spark server_side_parameters, rendered as dbt renders them (env_var)."""
    import jinja2
    import yaml

    profile = yaml.safe_load((ROOT / "profiles.yml").read_text())
    output = profile["lead_warehouse"]["outputs"]["spark"]
    jinja = jinja2.Environment()
    jinja.globals["env_var"] = lambda name, default=None: env.get(name, default)
    return {
        key: jinja.from_string(str(value)).render() for key, value in output["server_side_parameters"].items()
    }


def test_spark_profile_starts_the_same_session_as_leadwarehouse_spark():
    """Whichever starts the Spark session first, dbt (profiles.yml) or leadwarehouse.spark
    (session_settings), it gets the same settings, with the variables set and unset."""
    from leadwarehouse.spark import LOW_LATENCY_SETTINGS, session_settings

    warehouse = str(ROOT / "data" / "warehouse" / "spark")
    for env in (
        {"LEAD_SPARK_WAREHOUSE": warehouse},
        {
            "LEAD_SPARK_WAREHOUSE": warehouse,
            "LEAD_SPARK_LOW_LATENCY": "False",
            "LEAD_SPARK_MASTER": "local[4]",
        },
    ):
        # dbt-spark's session method sets these two itself (Hive support, ANSI mode off)
        ours = session_settings(env)
        for set_by_dbt_spark in ("spark.sql.catalogImplementation", "spark.sql.ansi.enabled"):
            ours.pop(set_by_dbt_spark)
        assert _spark_profile_settings(env) == ours
    low = session_settings({"LEAD_SPARK_WAREHOUSE": warehouse})
    high = session_settings({"LEAD_SPARK_WAREHOUSE": warehouse, "LEAD_SPARK_LOW_LATENCY": "false"})
    assert {key: low[key] for key in LOW_LATENCY_SETTINGS} == {
        "spark.sql.codegen.wholeStage": "false",
        "spark.sql.adaptive.enabled": "false",
        "spark.sql.autoBroadcastJoinThreshold": "-1",
    }
    assert high["spark.sql.adaptive.enabled"] == "true"


# what a test module imports or runs when it starts another engine's server or a browser
SERVER_MODULES = ("tests.postgres_server", "tests.dashboard_server", "tests.spark_builds")


def test_make_test_duckdb_leaves_out_exactly_the_modules_that_need_a_server_or_a_browser():
    """`make test-duckdb`'s marker expression (the Makefile's DUCKDB_ONLY) deselects every test of
    the modules that use PostgreSQL, Spark or Chromium, and nothing else."""
    makefile = (ROOT / "Makefile").read_text()
    expression = next(
        line.split("=", 1)[1].strip() for line in makefile.splitlines() if line.startswith("DUCKDB_ONLY =")
    )
    modules = {path.name: path.read_text() for path in (ROOT / "tests").glob("test_*.py")}
    needs_a_server = {
        name
        for name, text in modules.items()
        if name != Path(__file__).name and any(module in text for module in SERVER_MODULES)
    }
    assert {
        "test_engine_parity.py",
        "test_engine_parity_spark.py",
        "test_dashboards_browser.py",
    } <= needs_a_server
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "-m", expression],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    collected = {
        line.split("::")[0].removeprefix("tests/") for line in out.stdout.splitlines() if "::" in line
    }
    assert set(modules) - collected == needs_a_server
