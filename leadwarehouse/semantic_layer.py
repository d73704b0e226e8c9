"""The semantic layer (models/marts/semantic) read with MetricFlow's Python API, in process.

`mf query` (dbt-metricflow) is the command line over the same definitions: it needs the
semantic manifest at the project's target/ and opens the warehouse through dbt's adapter, read and
write. A reader that already holds a read-only DuckDB connection (a test on the shared fixture, a
dashboard on the published copy) asks MetricFlow for the SQL of a query instead and runs it
itself: the same plan `mf query` executes, without a second writer on the file.

The KPI ladder's metrics carry config.meta kpi_metric and kpi_basis: the kpi_ladder rows
(seeds/kpi/kpi_metrics.csv metric, basis) they equal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from metricflow.engine.metricflow_engine import MetricFlowEngine, MetricFlowQueryRequest
from metricflow.protocols.sql_client import SqlEngine
from metricflow.sql.render.duckdb_renderer import DuckDbSqlPlanRenderer
from metricflow_semantics.model.dbt_manifest_parser import parse_manifest_from_dbt_generated_manifest
from metricflow_semantics.model.semantic_manifest_lookup import SemanticManifestLookup


class _DuckDbRendering:
    """The part of MetricFlow's SqlClient that planning and rendering a query use (explain); the
    caller executes the SQL on its own connection."""

    sql_engine_type = SqlEngine.DUCKDB
    sql_plan_renderer = DuckDbSqlPlanRenderer()

    @staticmethod
    def render_bind_parameter_key(bind_parameter_key: str) -> str:
        return f"${bind_parameter_key}"


@dataclass(frozen=True)
class LadderMetric:
    """A MetricFlow metric that equals kpi_ladder's rows of `kpi_metric` under each basis."""

    name: str
    kpi_metric: str
    bases: tuple[str, ...]
    label: str
    description: str
    type: str


class SemanticLayer:
    """The metrics of a dbt semantic manifest (target/semantic_manifest.json of `dbt parse` or any
    dbt command), as SQL for DuckDB."""

    def __init__(self, semantic_manifest: Path | str, database: str | None = None):
        """`database`: the catalog the marts are read from, when it is not the one dbt built them
        in (DuckDB names a file's catalog after the file: the published copy is `published`)."""
        self.raw = json.loads(Path(semantic_manifest).read_text())
        if database:
            relations = [model["node_relation"] for model in self.raw["semantic_models"]]
            relations += [
                spine["node_relation"] for spine in self.raw["project_configuration"]["time_spines"]
            ]
            for relation in relations:
                relation["database"] = database
                relation["relation_name"] = f'"{database}"."{relation["schema_name"]}"."{relation["alias"]}"'

    @cached_property
    def engine(self) -> MetricFlowEngine:
        manifest = parse_manifest_from_dbt_generated_manifest(json.dumps(self.raw))
        return MetricFlowEngine(SemanticManifestLookup(manifest), _DuckDbRendering())

    @property
    def ladder_metrics(self) -> list[LadderMetric]:
        metrics = []
        for metric in self.raw["metrics"]:
            meta = (metric.get("config") or {}).get("meta") or {}
            if "kpi_metric" in meta:
                metrics.append(
                    LadderMetric(
                        name=metric["name"],
                        kpi_metric=meta["kpi_metric"],
                        bases=tuple(meta["kpi_basis"]),
                        label=metric.get("label") or "",
                        description=metric.get("description") or "",
                        type=metric["type"],
                    )
                )
        return metrics

    def sql(self, metrics: list[str], group_by: list[str]) -> str:
        """The SQL MetricFlow runs for `mf query --metrics … --group-by …`."""
        request = MetricFlowQueryRequest.create(metric_names=metrics, group_by_names=group_by)
        statement = self.engine.explain(request).sql_statement
        assert not statement.bind_parameter_set.param_items, "a query with bind parameters"
        return statement.sql
