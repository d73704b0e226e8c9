"""leadwarehouse/dbt_templates.py: a template Jinja compiled once is read back, never a stale one.

Each test counts Jinja's own compilations (the method the cache wraps, replaced by a counting one
for the test) and renders through dbt's Jinja environments (dbt_common's get_environment)."""

from __future__ import annotations

import os

import jinja2
import pytest
from dbt_common.clients.jinja import get_environment

from leadwarehouse import dbt_templates
from leadwarehouse.dbt_templates import cache_compiled_templates, cache_folder, prune

TEMPLATE = (
    "{%- set steps = [] %}{% do steps.append(3) %}"
    "{%- for i in range(10) %}{% if i == steps[0] %}{% break %}{% endif %}"
    "hello {{ ('lead ' ~ i) | upper }}! {% endfor %}"
)
RENDERED = "hello LEAD 0! hello LEAD 1! hello LEAD 2! "


@pytest.fixture
def compiled(monkeypatch) -> list[str]:
    """The sources Jinja compiles during the test (the counting method is what the cache wraps;
    monkeypatch puts back whatever Environment.compile was, cached or not, at the end)."""
    calls: list[str] = []
    current = jinja2.Environment.compile
    jinja_own = getattr(current, "__wrapped__", current) if hasattr(current, "cache_folder") else current

    def counting(self, source, *args, **kwargs):
        calls.append(source)
        return jinja_own(self, source, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return calls


def entries(folder) -> list:
    return [p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")]


def render(source: str = TEMPLATE, native: bool = False, **filters) -> str:
    environment = get_environment(native=native)
    environment.filters.update(filters)
    return environment.from_string(source).render({})


def test_a_template_is_compiled_once_and_renders_the_same_from_the_cache(compiled, tmp_path):
    assert render() == RENDERED and len(compiled) == 1  # Jinja alone
    assert cache_compiled_templates(tmp_path / "cache")
    assert render() == RENDERED and len(compiled) == 2 and len(entries(tmp_path / "cache")) == 1
    assert render() == RENDERED and render() == RENDERED
    assert len(compiled) == 2, "read back from the cache, not compiled again"
    assert cache_compiled_templates(tmp_path / "elsewhere"), "a second call changes nothing"
    render()
    assert len(compiled) == 2 and not (tmp_path / "elsewhere").exists()


def test_another_text_or_environment_is_another_entry(compiled, tmp_path):
    cache_compiled_templates(tmp_path)
    render()
    render(TEMPLATE + " ")  # another text
    render(native=True)  # dbt's native environment: another class and filters
    render(shout=lambda value: value.upper())  # one more filter
    assert len(compiled) == 4 and len(entries(tmp_path)) == 4
    assert render(native=True) == RENDERED and len(compiled) == 4


def test_a_damaged_entry_is_compiled_again(compiled, tmp_path):
    cache_compiled_templates(tmp_path)
    render()
    (entry,) = entries(tmp_path)
    entry.write_bytes(b"not a code object")
    assert render() == RENDERED and len(compiled) == 2
    assert render() == RENDERED and len(compiled) == 2, "the entry was written again"


def test_a_folder_that_cannot_be_written_only_means_no_caching(compiled, tmp_path):
    (tmp_path / "a_file").write_text("")
    assert cache_compiled_templates(tmp_path / "a_file" / "cache")
    assert render() == RENDERED and render() == RENDERED and len(compiled) == 2


def test_off_leaves_jinja_as_it_is(compiled, tmp_path):
    for value in ("off", "", "0", " OFF "):
        assert cache_folder({"LEAD_TEMPLATE_CACHE": value}) is None
    assert cache_folder({"LEAD_TEMPLATE_CACHE": str(tmp_path)}) == tmp_path
    assert cache_folder({}) == dbt_templates.PROJECT_DIR / ".template_cache"
    patched = jinja2.Environment.compile
    assert not cache_compiled_templates(None) and jinja2.Environment.compile is patched


def test_entries_not_written_for_two_weeks_go_once_a_day(tmp_path):
    now = 1_800_000_000.0
    old, recent = tmp_path / "v1" / "ab" / "ab12", tmp_path / "v1" / "cd" / "cd34"
    gone_version = tmp_path / "v0" / "ef" / "ef56"
    for path, age_days in ((old, 15), (recent, 13), (gone_version, 30)):
        path.parent.mkdir(parents=True)
        path.write_bytes(b"x")
        os.utime(path, (now - age_days * 86400, now - age_days * 86400))
    prune(tmp_path, now)
    assert not old.exists() and recent.exists()
    assert not old.parent.exists() and not (tmp_path / "v0").exists(), "emptied folders removed"
    os.utime(recent, (now - 20 * 86400, now - 20 * 86400))
    os.utime(tmp_path / ".pruned", (now - 3600, now - 3600))
    prune(tmp_path, now)
    assert recent.exists(), "pruned an hour ago: not again today"
    os.utime(tmp_path / ".pruned", (now - 25 * 3600, now - 25 * 3600))
    prune(tmp_path, now)
    assert not recent.exists()
