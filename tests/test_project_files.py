"""The project's generated and hand-written parts agree."""

from __future__ import annotations

import subprocess
import sys

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
