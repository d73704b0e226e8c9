"""dbt's config validation: each JSON schema built once, not again in every dbt process, and each
config validated once per process.

dbt checks every project file, profile, node config and test config against the JSON schema of
its dataclass (dbt_common's `dbtClassMixin.validate`): it builds that schema with mashumaro the
first time a process needs it, and runs jsonschema's validator on every config, although most of
a project's ~1,000 generic tests share one of a few configs. Profiled (py-spy, the whole test
suite, 2026-12-08): ~56 core-s building schemas (~3 s per dbt process) and ~65 core-s validating
(~7 s per full parse) of ~2,000.

`cache_config_schemas()` patches both:
- a schema is kept as a JSON file beside the compiled templates (leadwarehouse/dbt_templates.py,
  the same folder and pruning), named by the class and by the versions of mashumaro and of every
  installed dbt package, so an upgrade is another folder. Only a schema that survives the trip
  through JSON unchanged is kept.
- a config that passed validation in this process passes again without the validator: the same
  class and the same data (every value with its type: `1`, `1.0` and `True` are different data)
  give the same outcome. A failure is never remembered, so it is reported each time as dbt does.
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

from leadwarehouse.dbt_templates import cache_folder, version_folder, write_whole

# the distributions whose code shapes a dbt config schema: their versions name the folder
SCHEMA_PACKAGES = ("dbt", "mashumaro")
# a process validating more distinct configs than this starts its memory of them again
REMEMBERED_CONFIGS = 50_000


def schema_versions() -> str:
    """The installed dbt packages and mashumaro, with their versions, from their dist-info folders
    (one directory listing per path entry: cheaper than importlib.metadata's scan of every
    distribution)."""
    found = set()
    for entry in sys.path:
        try:
            names = [path.name for path in Path(entry or ".").iterdir()]
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info") and name.lower().startswith(SCHEMA_PACKAGES):
                found.add(name.removesuffix(".dist-info").lower())
    return ";".join(sorted(found)) + f";{sys.implementation.cache_tag}"


class _NotPlainData(Exception):
    """A value the validation memory does not compare (it is validated every time)."""


def frozen(value):
    """`value` as a hashable key that tells apart what a JSON schema tells apart (types included)."""
    kind = type(value)
    if kind is dict:
        items = []
        for key, item in value.items():
            if type(key) is not str:
                raise _NotPlainData
            items.append((key, frozen(item)))
        return (dict, tuple(items))
    if kind is list or kind is tuple:
        return (kind, tuple(frozen(item) for item in value))
    if value is None or isinstance(value, (str, bool, int, float)):
        return (kind, value)
    raise _NotPlainData


def cache_config_schemas(folder: Path | None | str = "default") -> bool:
    """Patch dbt_common's `dbtClassMixin.json_schema` to keep schemas in `folder`
    (cache_folder() by default; None: built in every process as before) and its `validate` to
    remember the configs that passed. Idempotent; returns whether schemas are kept on disk."""
    try:
        from dbt_common.dataclass_schema import dbtClassMixin

        if getattr(dbtClassMixin.validate, "remembers_configs", False):
            return getattr(dbtClassMixin.json_schema, "cache_folder", None) is not None
        build_schema = dbtClassMixin.json_schema.__func__.__wrapped__
        validate = dbtClassMixin.validate.__func__
    except (ImportError, AttributeError):  # another dbt: left as it is
        return False
    folder = cache_folder() if folder == "default" else folder
    passed: set = set()

    if folder is not None:
        versions = schema_versions()
        root = version_folder(folder, versions) / "schemas"

        @functools.lru_cache
        def json_schema(cls):
            if "<locals>" in cls.__qualname__:  # made at run time: its name does not say its fields
                return build_schema(cls)
            path = root / f"{cls.__module__}.{cls.__qualname__}.json"
            try:
                return json.loads(path.read_bytes())
            except (OSError, ValueError):
                pass
            schema = build_schema(cls)
            try:  # in the schema's own key order: jsonschema reports the first error it meets
                text = json.dumps(schema)
            except (TypeError, ValueError):
                return schema
            if json.loads(text) == schema:
                write_whole(path, text.encode())
            return schema

        json_schema.cache_folder = root
        json_schema.__wrapped__ = build_schema  # dbt's own, as on dbt's lru_cache
        dbtClassMixin.json_schema = classmethod(json_schema)

    def remembering_validate(cls, data):
        try:
            key = (cls, frozen(data))
        except (_NotPlainData, RecursionError):
            return validate(cls, data)
        if key in passed:
            return None
        validate(cls, data)
        if len(passed) >= REMEMBERED_CONFIGS:
            passed.clear()
        passed.add(key)
        return None

    remembering_validate.remembers_configs = True
    remembering_validate.__wrapped__ = validate
    dbtClassMixin.validate = classmethod(remembering_validate)
    return folder is not None
