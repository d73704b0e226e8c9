"""Build time and peak memory of the warehouse at several scales (a benchmark, not a test).

    python scripts/benchmark_build.py                 # 20k, 100k and 1M leads
    python scripts/benchmark_build.py --leads 20000 100000 --skip-tests

For each scale it generates the synthetic CRM (once; kept under data/bench/), ingests it and
runs `dbt build` into a fresh DuckDB file, and prints: generation time, ingest + build wall
time, peak RSS of any process involved, and the summed model time per layer (from dbt's
run_results.json), so the cost of scoring can be compared with SLA + KPI in one run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LAYERS = [
    ("staging", ("models/staging/",)),
    ("identity", ("models/intermediate/identity/",)),
    ("scoring", ("models/intermediate/scoring/", "models/marts/leads.sql", "models/marts/lead_score")),
    (
        "lifecycle",
        (
            "models/intermediate/lifecycle/",
            "models/marts/lead_stage_history",
            "models/marts/lead_recycling",
            "models/marts/lead_qualification",
        ),
    ),
    ("sla", ("models/intermediate/sla/", "models/marts/sla/")),
    ("kpi", ("models/intermediate/kpi/", "models/marts/kpi/")),
    ("exports", ("models/exports/",)),
    ("quality", ("models/marts/quality/",)),
]


def layer_of(path: str) -> str:
    for layer, prefixes in LAYERS:
        if any(path.startswith(p) for p in prefixes):
            return layer
    return "other"


def run(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def peak_rss_mb() -> float:
    # ru_maxrss of reaped descendants: the largest resident set any of them reached (KiB on Linux)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def benchmark(leads: int, seed: int, skip_tests: bool) -> dict:
    python = sys.executable
    landing = ROOT / "data" / "bench" / f"leads-{leads}-seed-{seed}"
    warehouse = ROOT / "data" / "bench" / f"warehouse-{leads}.duckdb"
    target = ROOT / "data" / "bench" / f"target-{leads}"
    env = dict(os.environ, DBT_TARGET_PATH=str(target), DBT_LOG_PATH=str(target / "logs"))
    result: dict = {"leads": leads}
    if not (landing / "_manifest.json").exists():
        result["generate_s"] = run(
            [
                python,
                "-m",
                "leadwarehouse.generator",
                "--leads",
                str(leads),
                "--seed",
                str(seed),
                "--out",
                str(landing),
            ],
            env,
        )
    manifest = json.loads((landing / "_manifest.json").read_text())
    result["events"] = manifest.get("row_counts", {}).get("marketing_events")
    for suffix in ("", ".wal"):
        Path(str(warehouse) + suffix).unlink(missing_ok=True)
    build = [python, "-m", "leadwarehouse.build", "--landing", str(landing), "--warehouse", str(warehouse)]
    if skip_tests:
        build += ["--skip-tests"]
    result["build_s"] = run(build, env)
    result["peak_rss_mb"] = peak_rss_mb()
    per_layer: dict[str, float] = defaultdict(float)
    tests_s = 0.0
    nodes = {n["unique_id"]: n for n in json.loads((target / "manifest.json").read_text())["nodes"].values()}
    for r in json.loads((target / "run_results.json").read_text())["results"]:
        node = nodes.get(r["unique_id"], {})
        if node.get("resource_type") == "model":
            per_layer[layer_of(node["original_file_path"])] += r["execution_time"]
        elif node.get("resource_type") in ("test", "unit_test"):
            tests_s += r["execution_time"]
    result["layers_s"] = dict(per_layer)
    result["tests_s"] = tests_s
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, nargs="+", default=[20_000, 100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--skip-tests", action="store_true", help="dbt build without data and unit tests")
    args = parser.parse_args()
    for leads in args.leads:
        r = benchmark(leads, args.seed, args.skip_tests)
        layers = r["layers_s"]
        print(f"\n{leads:,} leads ({r['events'] or 0:,} raw events)")
        if "generate_s" in r:
            print(f"  generate            {r['generate_s']:8.1f} s")
        print(
            f"  ingest + dbt build  {r['build_s']:8.1f} s   peak RSS {r['peak_rss_mb']:,.0f} MB (largest process so far)"
        )
        for layer, seconds in sorted(layers.items(), key=lambda kv: -kv[1]):
            print(f"    {layer:<12} models {seconds:8.1f} s")
        print(f"    data/unit tests     {r['tests_s']:8.1f} s")
        scoring, sla_kpi = layers.get("scoring", 0.0), layers.get("sla", 0.0) + layers.get("kpi", 0.0)
        if scoring:
            print(
                f"  SLA + KPI models / scoring models = {sla_kpi:.1f} s / {scoring:.1f} s = {sla_kpi / scoring:.2f}"
            )


if __name__ == "__main__":
    main()
