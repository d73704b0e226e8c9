"""A build's dbt writes the artifacts somebody reads after it, not the whole project twice.

dbt writes manifest.json (6 MB for this project) when it starts and again when it ends, and the
graph (graph.gpickle, 3 MB) on the way: about 2 s of every build's wall time, whatever the build
touches, serial before the first node and after the last (measured on the 1M-lead hourly refresh,
~40 s: 0.9 s, 0.8 s and the graph). After a build of `python -m leadwarehouse.build` nobody reads
them: the failure summary and `dbt retry` read run_results.json, `mf` (the semantic layer) reads
semantic_manifest.json, and both are still written; Dagster parses the project itself
(orchestration/project.py); `dbt parse` or `dbt docs generate` write the manifest for whoever
wants it (state selection, docs).

`LEAD_DBT_ARTIFACTS=results` in dbt's environment (leadwarehouse.build.run_build sets it unless
told to keep every artifact) turns the manifest and graph writes into no-ops for that invocation;
the check is made at each write, so in-process invocations (tests) with and without it may follow
each other. Anything else, or a dbt release that renames what this wraps, writes as dbt does.
"""

from __future__ import annotations

import os

VARIABLE = "LEAD_DBT_ARTIFACTS"
RESULTS_ONLY = "results"


def results_only() -> bool:
    return os.environ.get(VARIABLE, "").strip().lower() == RESULTS_ONLY


def write_only_what_is_read() -> None:
    """Patch dbt (idempotent) so that, while $LEAD_DBT_ARTIFACTS is `results`, it writes
    run_results.json and semantic_manifest.json but not manifest.json or graph.gpickle."""
    try:
        from dbt import compilation
        from dbt.parser import manifest as manifest_module
        from dbt.task import runnable
    except ImportError:  # pragma: no cover - dbt is a dependency
        return
    write_manifest = getattr(manifest_module, "write_manifest", None)
    write_semantic_manifest = getattr(manifest_module, "write_semantic_manifest", None)
    write_graph_file = getattr(compilation.Compiler, "write_graph_file", None)
    if None in (write_manifest, write_semantic_manifest, write_graph_file) or getattr(
        write_manifest, "results_only_aware", False
    ):
        return
    if getattr(runnable, "write_manifest", None) is not write_manifest:
        return  # not the layout this was written for: leave dbt as it is

    def write_manifest_unless_results_only(manifest, target_path, which=None):
        if not results_only():
            return write_manifest(manifest, target_path, which)
        write_semantic_manifest(manifest=manifest, target_path=target_path)

    def write_graph_unless_results_only(self, linker, manifest):
        if not results_only():
            write_graph_file(self, linker, manifest)

    for patched, original in (
        (write_manifest_unless_results_only, write_manifest),
        (write_graph_unless_results_only, write_graph_file),
    ):
        patched.results_only_aware = True
        patched.__wrapped__ = original
    manifest_module.write_manifest = write_manifest_unless_results_only
    runnable.write_manifest = write_manifest_unless_results_only
    compilation.Compiler.write_graph_file = write_graph_unless_results_only
