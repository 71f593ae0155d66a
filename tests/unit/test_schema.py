"""The committed JSON Schema is exactly what the models generate."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from syncspec.cli import cli
from syncspec.jobfile.shape.schema import schema_text

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "schemas" / "sync-job.schema.json"


def test_committed_schema_is_up_to_date() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == schema_text(), (
        "schemas/sync-job.schema.json is stale: run `syncspec schema`"
    )


def test_schema_is_deterministic_sorted_and_newline_terminated() -> None:
    text = schema_text()
    assert text == schema_text()
    assert text.endswith("}\n")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_schema_validates_the_example_jobs() -> None:
    import jsonschema

    from syncspec.config import load_settings
    from syncspec.jobfile.vars import resolve_plain
    from syncspec.jobfile.yaml.loader import parse_text

    schema = json.loads(schema_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    jobs = sorted((ROOT / "jobs").glob("*.yaml"))
    assert len(jobs) >= 6
    # the schema describes a job as resolved (`!var`s replaced by a profile's values)
    values = load_settings(cwd=ROOT, profile="staging", environ={}).profile.vars
    for job in jobs:
        resolved, missing = resolve_plain(parse_text(job.read_text(), job.name).data, values)
        assert missing == []
        errors = [e.message for e in validator.iter_errors(resolved)]
        assert errors == [], job.name
    bad = {"label": "x", "default_runtime_version": 4, "resources": [{"name": "a", "type": "nope"}]}
    assert list(validator.iter_errors(bad))


def test_example_jobs_point_editors_at_the_schema() -> None:
    for job in (ROOT / "jobs").glob("*.yaml"):
        first = job.read_text(encoding="utf-8").split("\n", 1)[0]
        assert first == "# yaml-language-server: $schema=../schemas/sync-job.schema.json", job


def test_schema_command_writes_and_checks(tmp_path: Path) -> None:
    out = tmp_path / "s" / "schema.json"
    runner = CliRunner()
    result = runner.invoke(cli, ["schema", "--check", "--out", str(out)], catch_exceptions=False)
    assert (result.exit_code, result.stderr) == (
        1,
        f"{out} is out of date: run `syncspec schema --out {out}`\n",
    )
    result = runner.invoke(cli, ["schema", "--out", str(out)], catch_exceptions=False)
    assert (result.exit_code, result.output) == (0, f"wrote {out}\n")
    assert out.read_text(encoding="utf-8") == schema_text()
    result = runner.invoke(cli, ["schema", "--check", "--out", str(out)], catch_exceptions=False)
    assert (result.exit_code, result.output) == (0, f"{out} is up to date\n")


def test_schema_to_stdout() -> None:
    result = CliRunner().invoke(cli, ["schema", "--out", "-"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.output == schema_text()


# ---- the editor schema: documented, enumerable, with snippets (issue 14) ---------------------

_SCHEMA_MAPS = ("properties", "$defs", "patternProperties")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SCHEMA_ONE = ("items", "additionalProperties", "not", "if", "then", "else", "contains")


def _properties(schema: object, path: str = "#") -> list[tuple[str, dict[str, object]]]:
    """Every (pointer, schema) of a named property, walking only schema positions."""
    found: list[tuple[str, dict[str, object]]] = []
    if not isinstance(schema, dict):
        return found
    for key in _SCHEMA_MAPS:
        for name, sub in schema.get(key, {}).items():
            if key == "properties":
                found.append((f"{path}/properties/{name}", sub))
            found += _properties(sub, f"{path}/{key}/{name}")
    for key in _SCHEMA_LISTS:
        for i, sub in enumerate(schema.get(key, [])):
            found += _properties(sub, f"{path}/{key}/{i}")
    for key in _SCHEMA_ONE:
        found += _properties(schema.get(key), f"{path}/{key}")
    return found


def test_every_property_has_a_description() -> None:
    schema = json.loads(schema_text())
    properties = _properties(schema)
    # the walker reaches the nested args_schema documentation and every node's config
    assert len(properties) > 150
    assert "#/$defs/RequestNode/properties/query" in dict(properties)
    assert any(p.endswith("/additionalProperties/properties/format") for p, _ in properties)
    undocumented = [p for p, sub in properties if not str(sub.get("description", "")).strip()]
    assert undocumented == []


def test_descriptions_name_only_existing_properties() -> None:
    """A stale entry (a renamed field) would silently document nothing."""
    from syncspec.jobfile.shape import descriptions, models

    for model_name, texts in descriptions.PROPERTIES.items():
        model = getattr(models, model_name)
        names = {f.alias or n for n, f in model.model_fields.items()}
        assert set(texts) <= names, model_name
    assert set(descriptions.MODELS) <= set(json.loads(schema_text())["$defs"])
    assert tuple(descriptions.NODE_TYPE_SUMMARIES) == models.NODE_TYPES


def test_the_key_that_picks_the_shape_is_described() -> None:
    defs = json.loads(schema_text())["$defs"]
    for shape in ("LegacyJob", "V4Job"):
        text = defs[shape]["properties"]["default_runtime_version"]["description"]
        assert "1-3 = legacy" in text and "4 = V4 typed nodes" in text
    # the nullable field's own text, not the generic "a JSONata expression" of its alternative
    run_if = defs["RequestNode"]["properties"]["run_if"]
    assert [alt for alt in run_if["anyOf"] if "description" in alt] == []


def test_node_type_is_a_plain_enum_beside_the_union() -> None:
    from syncspec.jobfile.shape.models import NODE_TYPES

    schema = json.loads(schema_text())
    items = schema["$defs"]["V4Job"]["properties"]["resources"]["items"]
    assert items["properties"]["type"]["enum"] == list(NODE_TYPES)
    assert len(NODE_TYPES) == 9
    assert "discriminator" in items and len(items["oneOf"]) == 9
    import jsonschema

    # a typo in `type` fails the plain enum, which names all nine types
    node_validator = jsonschema.Draft202012Validator(items | {"$defs": schema["$defs"]})
    errors = node_validator.iter_errors({"name": "a", "type": "requst"})
    enum_errors = [e for e in errors if e.validator == "enum"]
    assert [e.validator_value for e in enum_errors] == [list(NODE_TYPES)]


def test_snippets_are_valid_jobs_and_nodes() -> None:
    """Every snippet body, tab stops filled with their defaults, is a valid job (or node)."""
    import re

    import jsonschema

    schema = json.loads(schema_text())
    assert schema["$id"] == "urn:truto-syncspec:schema:sync-job"

    def filled(value: object) -> object:
        text = json.dumps(value)
        text = re.sub(r"\$\{\d+\|([^,|]+)[^}]*\|\}", r"\1", text)  # ${2|a,b|} -> a
        text = re.sub(r"\$\{\d+:([^}]*)\}", r"\1", text)  # ${1:x} -> x
        return json.loads(re.sub(r"\$\{\d+\}", "x", text))

    validator = jsonschema.Draft202012Validator(schema)
    labels = [s["label"] for s in schema["defaultSnippets"]]
    assert labels == ["V4 job (runtime 4)", "legacy job (runtime 2)"]
    for snippet in schema["defaultSnippets"]:
        job = filled(snippet["body"])
        assert [e.message for e in validator.iter_errors(job)] == [], snippet["label"]
    items = schema["$defs"]["V4Job"]["properties"]["resources"]["items"]
    node_snippets = items["defaultSnippets"]
    assert [s["body"]["type"] for s in node_snippets] == items["properties"]["type"]["enum"]
    for snippet in node_snippets:
        job = {"label": "x", "default_runtime_version": 4, "resources": [filled(snippet["body"])]}
        assert [e.message for e in validator.iter_errors(job)] == [], snippet["label"]


def test_schema_documents_the_var_tag() -> None:
    schema = json.loads(schema_text())
    assert "`!var NAME`" in schema["$comment"]
    assert '"yaml.customTags": ["!var scalar"]' in schema["$comment"]
