"""`sqlfluff lint` with the layout rules' common work done once per file (`make lint` runs it).

sqlfluff 4.4's four layout rules (LT01 spacing, LT02 indentation, LT05 line length, LT14 keyword
line breaks) each build the same reflow sequence of the whole file from its parse tree
(`ReflowSequence.from_root`): four builds per file where one serves, about a fifth of this
project's lint CPU (measured: 98 s -> 79 s, one process). While linting, the rules read the tree
and never change it, so the sequence built for a tree is handed to the next rule that asks for
the same tree and config; the rules build new sequences from it, they do not alter it. The
findings are sqlfluff's own (checked: the same output, with spacing, indentation and line-length
faults planted in three models). Plain `sqlfluff lint` gives the same findings, slower.

    python scripts/lint_sql.py models tests/dbt --processes 1
"""

from __future__ import annotations

import sys

from sqlfluff.cli.commands import cli
from sqlfluff.utils.reflow.sequence import ReflowSequence

_build_from_root = ReflowSequence.from_root.__func__
# (tree, config, sequence) of the last build: the rules run one file at a time
_last: list = []


def _from_root_once(cls, root_segment, config):
    if _last and _last[0] is root_segment and _last[1] is config:
        return _last[2]
    sequence = _build_from_root(cls, root_segment, config)
    _last[:] = [root_segment, config, sequence]
    return sequence


if __name__ == "__main__":
    ReflowSequence.from_root = classmethod(_from_root_once)
    cli(["lint", *sys.argv[1:]])  # exits with sqlfluff's own exit code
