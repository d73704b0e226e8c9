"""`sqlfluff lint` with the layout rules' common work done once per file (`make lint` runs it).

sqlfluff 4.4's four layout rules (LT01 spacing, LT02 indentation, LT05 line length, LT14 keyword
line breaks) each build the same reflow sequence of the whole file from its parse tree
(`ReflowSequence.from_root`): four builds per file where one serves, about a fifth of this
project's lint CPU (measured: 98 s -> 79 s, one process). While linting, the rules read the tree
and never change it, so the sequence built for a tree is handed to the next rule that asks for
the same tree and config; the rules build new sequences from it, they do not alter it. The
findings are sqlfluff's own (checked: the same output, with spacing, indentation and line-length
faults planted in three models). The dbt templater's lookup of each file's node is indexed once
(79.8 -> 68.5 s of lint, one run each, 2026-12-07; a planted fault still found), and the depth
map of each file's raw segments works out each ancestor step once (72.3 -> 69.2 s; the same
output with spacing, indentation and line-length faults planted). Plain
`sqlfluff lint` gives the same findings, slower.

    python scripts/lint_sql.py models tests/dbt --processes 1
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sqlfluff.cli.commands import cli
from sqlfluff.utils.reflow.depthmap import DepthInfo, StackPosition
from sqlfluff.utils.reflow.sequence import ReflowSequence
from sqlfluff_templater_dbt.templater import DbtTemplater

_build_from_root = ReflowSequence.from_root.__func__
# (tree, config, sequence) of the last build: the rules run one file at a time
_last: list = []
_find_node = DbtTemplater._find_node
# the manifest the index below was built from, and the index
_by_path: dict = {}
# id(path step) -> (the step, its segment's hash, class types, stack position): a file's raw
# segments share their ancestors' PathStep objects (BaseSegment.raw_segments_with_ancestors)
_steps: dict = {}


def _from_root_once(cls, root_segment, config):
    if _last and _last[0] is root_segment and _last[1] is config:
        return _last[2]
    _steps.clear()  # another file: its tree has steps of its own (the cache keeps trees alive)
    sequence = _build_from_root(cls, root_segment, config)
    _last[:] = [root_segment, config, sequence]
    return sequence


def _depth_info_from_raw_and_stack(cls, raw, stack):
    """DepthInfo.from_raw_and_stack with each ancestor step's hash, class types and position
    worked out once per step instead of once per raw segment under it (the same values; the
    positions are frozen dataclasses, safe to share)."""
    entries = []
    for step in stack:
        entry = _steps.get(id(step))
        if entry is None or entry[0] is not step:
            entry = (step, hash(step.segment), step.segment.class_types, StackPosition.from_path_step(step))
            _steps[id(step)] = entry
        entries.append(entry)
    stack_hashes = tuple(entry[1] for entry in entries)
    return cls(
        stack_depth=len(stack),
        stack_hashes=stack_hashes,
        stack_hash_set=frozenset(stack_hashes),
        stack_class_types=tuple(entry[2] for entry in entries),
        stack_positions={entry[1]: entry[3] for entry in entries},
    )


def _find_node_by_path(self, fname, config=None, dbt_dir=None):
    """The dbt templater's `_find_node` with the manifest indexed by file path once: sqlfluff asks
    dbt's path selector, which walks every node of the manifest for each file linted (~5 s of this
    project's lint). The same node: the first in manifest order with the file's path; anything
    else (no such node, a macro, a disabled model) goes to sqlfluff's own lookup."""
    manifest = self.dbt_manifest
    if _by_path.get("manifest") is not manifest:
        index: dict[str, object] = {}
        for node in manifest.nodes.values():
            index.setdefault(Path(node.original_file_path).as_posix(), node)
        _by_path.clear()
        _by_path.update(manifest=manifest, index=index)
    dbt_dir = dbt_dir or os.getcwd()
    if config:
        node = _by_path["index"].get(Path(os.path.relpath(fname, start=dbt_dir)).as_posix())
        if node is not None:
            return node
    return _find_node(self, fname, config, dbt_dir)


if __name__ == "__main__":
    ReflowSequence.from_root = classmethod(_from_root_once)
    DbtTemplater._find_node = _find_node_by_path
    DepthInfo.from_raw_and_stack = classmethod(_depth_info_from_raw_and_stack)
    cli(["lint", *sys.argv[1:]])  # exits with sqlfluff's own exit code
