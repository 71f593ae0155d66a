"""The committed JSON Schema is exactly what the models generate."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from syncspec.cli import cli
from syncspec.jobfile.schema import schema_text

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
    from ruamel.yaml import YAML

    schema = json.loads(schema_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    yaml = YAML(typ="safe", pure=True)
    jobs = sorted((ROOT / "jobs").glob("*.yaml"))
    assert len(jobs) >= 6
    for job in jobs:
        errors = [e.message for e in validator.iter_errors(yaml.load(job))]
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
