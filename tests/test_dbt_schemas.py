"""leadwarehouse/dbt_schemas.py: a schema built once is read back equal; a config that passed is
not validated again, one that fails fails every time; values of another type are another config.

Each test starts from dbt_common's own `json_schema` and `validate` (monkeypatch puts back whatever
was there, patched or not, at the end) and counts what dbt_common does: the schemas mashumaro
builds and the validators jsonschema makes (one per validation)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import pytest
from dbt_common import dataclass_schema
from dbt_common.dataclass_schema import ValidationError, dbtClassMixin

from leadwarehouse import dbt_schemas
from leadwarehouse.dbt_schemas import cache_config_schemas, frozen, schema_versions


@dataclass
class Sample(dbtClassMixin):
    count: int
    names: list[str] = field(default_factory=list)


GOOD = {"count": 1, "names": ["a"]}


@pytest.fixture
def counts(monkeypatch) -> dict[str, int]:
    """dbt_common's own json_schema and validate, and how often it builds a schema and validates."""
    own_schema = dbtClassMixin.json_schema.__func__.__wrapped__
    own_validate = getattr(dbtClassMixin.validate, "__wrapped__", dbtClassMixin.validate.__func__)
    monkeypatch.setattr(dbtClassMixin, "json_schema", classmethod(functools.lru_cache(own_schema)))
    monkeypatch.setattr(dbtClassMixin, "validate", classmethod(own_validate))
    seen = {"schemas": 0, "validations": 0}
    build, validator = dataclass_schema.build_json_schema, dataclass_schema.jsonschema.Draft7Validator

    def counting_build(*args, **kwargs):
        seen["schemas"] += 1
        return build(*args, **kwargs)

    def counting_validator(*args, **kwargs):
        seen["validations"] += 1
        return validator(*args, **kwargs)

    monkeypatch.setattr(dataclass_schema, "build_json_schema", counting_build)
    monkeypatch.setattr(dataclass_schema.jsonschema, "Draft7Validator", counting_validator)
    return seen


def test_a_config_that_passed_is_not_validated_again_and_a_failure_fails_every_time(counts):
    assert not cache_config_schemas(None), "no folder: schemas are not kept on disk"
    Sample.validate(GOOD)
    Sample.validate(dict(GOOD))
    assert counts["validations"] == 1
    for wrong in ({"count": True, "names": ["a"]}, {"count": "1"}, {"count": 1, "names": [2]}):
        for _ in range(2):
            with pytest.raises(ValidationError):
                Sample.validate(wrong)
    assert counts["validations"] == 7, "a failure is validated again each time"
    Sample.validate({"count": 1.0, "names": ["a"]})  # an integral float is an integer to the schema
    Sample.validate({"count": 1.0, "names": ["a"]})
    assert counts["validations"] == 8, "1.0 is another config than 1"
    assert cache_config_schemas(None) is False and counts["validations"] == 8, "patched once"


def test_values_of_another_type_are_another_key():
    keys = [frozen(value) for value in (1, 1.0, True, "1", [1], (1,), {"a": 1}, None)]
    assert len(set(keys)) == len(keys)
    assert frozen({"a": [1, {"b": None}]}) == frozen({"a": [1, {"b": None}]})
    with pytest.raises(dbt_schemas._NotPlainData):
        frozen({1: "a"})
    with pytest.raises(dbt_schemas._NotPlainData):
        frozen({"a": object()})


def test_a_schema_is_built_once_and_read_back_equal(counts, tmp_path):
    own = dbtClassMixin.json_schema.__func__.__wrapped__(Sample)
    counts["schemas"] = 0
    assert cache_config_schemas(tmp_path)
    assert Sample.json_schema() == own and counts["schemas"] == 1
    (entry,) = tmp_path.glob("*/schemas/*.json")
    assert entry.name == f"{__name__}.Sample.json"
    assert entry.parent.parent.name != "schemas" and len(entry.parent.parent.name) == 16
    dbtClassMixin.json_schema.__func__.cache_clear()  # as a new process
    assert Sample.json_schema() == own and counts["schemas"] == 1, "read from the folder"
    entry.write_text("{not json")
    dbtClassMixin.json_schema.__func__.cache_clear()
    assert Sample.json_schema() == own and counts["schemas"] == 2, "a damaged entry is built again"
    dbtClassMixin.json_schema.__func__.cache_clear()
    assert Sample.json_schema() == own and counts["schemas"] == 2, "and written again"


def test_a_class_made_at_run_time_is_not_kept(counts, tmp_path):
    @dataclass
    class Local(dbtClassMixin):
        flag: bool

    cache_config_schemas(tmp_path)
    assert Local.json_schema()["required"] == ["flag"] and counts["schemas"] == 1
    assert not list(tmp_path.glob("*/schemas/*Local*"))


def test_the_folder_is_named_by_the_installed_dbt_packages():
    versions = schema_versions()
    from importlib import metadata

    for package in ("dbt_core", "dbt_common", "dbt_adapters", "dbt_duckdb", "mashumaro"):
        name = package.replace("_", "-")
        assert f"{package}-{metadata.version(name)}" in versions.split(";")


def test_a_schema_read_back_keeps_its_key_order(counts, tmp_path):
    """jsonschema checks keywords in the schema's order, so the first error dbt reports for a
    config with several depends on it."""
    own = dbtClassMixin.json_schema.__func__.__wrapped__(Sample)
    counts["schemas"] = 0
    cache_config_schemas(tmp_path)
    Sample.json_schema()
    dbtClassMixin.json_schema.__func__.cache_clear()
    read_back = Sample.json_schema()
    assert counts["schemas"] == 1 and read_back == own

    def order(value):
        if isinstance(value, dict):
            return [(key, order(item)) for key, item in value.items()]
        if isinstance(value, list):
            return [order(item) for item in value]
        return value

    assert order(read_back) == order(own)
