"""SS806's cheap args check agrees with jsonschema, and keeps validate from importing it."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from syncspec.jobfile.rules.args_schema import args_problems, to_json_schema
from syncspec.jobfile.rules.schedules import _simple_args_problems

FLAT = {
    "integrated_account_id": {
        "type": "string",
        "format": "integrated_account_id",
        "required": True,
    },
    "n": {"type": "integer"},
    "x": {"type": "number"},
    "flag": {"type": "boolean", "required": True},
    "ids": {"type": "array"},
    "o": {"type": "object", "description": "d"},
}
JSON_STYLE = {"type": "object", "properties": FLAT}


@pytest.mark.parametrize("schema", [FLAT, JSON_STYLE])
@pytest.mark.parametrize(
    "args",
    [
        {"integrated_account_id": "a", "flag": True},
        {"integrated_account_id": "a"},
        {},
        {"integrated_account_id": 5, "flag": 1, "n": 2.0, "x": True, "ids": {}, "o": []},
        {"integrated_account_id": "a", "flag": False, "n": 2.5, "x": 1, "ids": [1], "o": {}},
    ],
)
def test_simple_check_says_what_jsonschema_says(
    schema: dict[str, Any], args: dict[str, Any]
) -> None:
    simple = _simple_args_problems(schema, args)
    assert simple is not None
    assert sorted(simple) == sorted(args_problems(to_json_schema(schema), args))


def test_richer_schemas_go_to_jsonschema() -> None:
    assert _simple_args_problems({"a": {"type": "string", "minLength": 2}}, {"a": "x"}) is None
    assert _simple_args_problems({"a": {"type": ["string", "null"]}}, {"a": "x"}) is None


def test_validate_of_a_scheduled_job_does_not_import_jsonschema() -> None:
    job = (
        "label: a\nmutex_key: m\nargs_schema:\n  integrated_account_id: {type: string}\n"
        "  full: {type: boolean}\n"
        "schedules:\n  - {name: h, cron: 'H * * * *', args: {full: true}}\n"
    )
    code = (
        "import sys\n"
        "from ruamel.yaml import YAML\n"
        "from syncspec.jobfile.rules.registry import check_job\n"
        f"assert check_job(YAML(typ='safe').load({job!r})) == []\n"
        "print('jsonschema' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
