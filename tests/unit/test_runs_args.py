"""Run args: --arg parsing, --args-file, merging, and the schema check's messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from syncspec.engine.runs import (
    InvalidArgs,
    RunOptions,
    _IdleBackoff,
    args_json_schema,
    check_args,
    combine_args,
    exit_code_for,
    load_args_file,
    parse_arg_pairs,
    run_body,
    stat_rows,
)
from syncspec.errors import ConfigError, ExitCode, SyncspecError

FLAT = {
    "integrated_account_id": {
        "type": "string",
        "format": "integrated_account_id",
        "required": True,
    },
    "user_ids": {"type": "array", "items": {"type": "string"}, "required": True},
    "limit": {"type": "integer"},
}
JSON_STYLE = {
    "type": "object",
    "properties": {
        "project_slug": {"type": "string", "required": True},
        "since": {"type": "string"},
    },
    "additionalProperties": False,
}


def test_arg_values_are_json_when_they_parse_else_strings() -> None:
    parsed = parse_arg_pairs(['ids=["a"]', "n=5", "flag=true", "name=bob", "empty=", "eq=a=b"])
    assert {k: v.value for k, v in parsed.items()} == {
        "ids": ["a"],
        "n": 5,
        "flag": True,
        "name": "bob",
        "empty": "",
        "eq": "a=b",
    }
    assert parsed["n"].text == "5"


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        ("novalue", "--arg 'novalue': expected NAME=VALUE, e.g. --arg user_ids='[\"42\"]'"),
        ("=x", "--arg '=x': expected NAME=VALUE, e.g. --arg user_ids='[\"42\"]'"),
    ],
)
def test_malformed_arg_is_a_config_error(pair: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_arg_pairs([pair])
    assert str(info.value) == message
    assert info.value.exit_code == ExitCode.CONFIG


def test_repeated_arg_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"^--arg n: given more than once$"):
        parse_arg_pairs(["n=1", "n=2"])


def test_args_file_must_be_a_json_object(tmp_path: Path) -> None:
    good = tmp_path / "args.json"
    good.write_text(json.dumps({"user_ids": ["1"]}))
    assert load_args_file(good) == {"user_ids": ["1"]}

    bad = tmp_path / "list.json"
    bad.write_text("[1, 2]")
    with pytest.raises(ConfigError) as info:
        load_args_file(bad)
    assert str(info.value) == f"--args-file {bad}: expected a JSON object of args, got an array"

    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(ConfigError, match=r"invalid JSON"):
        load_args_file(broken)

    with pytest.raises(ConfigError, match=r"cannot read"):
        load_args_file(tmp_path / "missing.json")


def test_arg_overrides_file_and_string_properties_keep_their_text() -> None:
    schema = args_json_schema(FLAT)
    pairs = parse_arg_pairs(["integrated_account_id=123", "limit=7"])
    args = combine_args({"limit": 1, "user_ids": ["x"]}, pairs, schema)
    assert args == {"limit": 7, "user_ids": ["x"], "integrated_account_id": "123"}


def test_valid_args_pass_in_both_shapes() -> None:
    check_args("j", args_json_schema(FLAT), {"integrated_account_id": "a", "user_ids": ["1"]})
    check_args("j", args_json_schema(JSON_STYLE), {"project_slug": "p"})
    check_args("j", args_json_schema(None), {"anything": 1})


def test_invalid_args_name_the_argument_and_the_rule() -> None:
    with pytest.raises(InvalidArgs) as info:
        check_args(
            "zendesk-tickets",
            args_json_schema(FLAT),
            {"user_ids": "42", "limit": "many"},
        )
    assert info.value.exit_code == ExitCode.CONFIG
    assert info.value.problems == [
        "argument 'integrated_account_id': is required (schema rule: required)",
        "argument 'limit': 'many' is not of type 'integer' (schema rule: type)",
        "argument 'user_ids': '42' is not of type 'array' (schema rule: type)",
    ]
    assert str(info.value).startswith(
        "invalid args for job 'zendesk-tickets' (no run was started):\n"
        "  argument 'integrated_account_id': is required"
    )


def test_undeclared_and_nested_args() -> None:
    with pytest.raises(InvalidArgs) as info:
        check_args("j", args_json_schema(JSON_STYLE), {"project_slug": "p", "extra": 1})
    assert info.value.problems == [
        "argument 'extra': is not declared in the job's args_schema "
        "(schema rule: additionalProperties)"
    ]
    with pytest.raises(InvalidArgs) as info:
        check_args("j", args_json_schema(FLAT), {"integrated_account_id": "a", "user_ids": [1]})
    assert info.value.problems == [
        "argument 'user_ids[0]': 1 is not of type 'string' (schema rule: type)"
    ]


def test_an_invalid_schema_is_reported_as_the_jobs_fault() -> None:
    with pytest.raises(SyncspecError) as info:
        check_args("j", {"type": "object", "properties": {"a": {"type": "strang"}}}, {})
    assert not isinstance(info.value, InvalidArgs)
    assert str(info.value).startswith("job 'j': its args_schema is not a valid JSON Schema (")


def test_webhook_and_daemon_group_are_exclusive() -> None:
    with pytest.raises(ConfigError) as info:
        RunOptions("acc", webhook_id="w", daemon_group_key="d").check()
    assert str(info.value) == (
        "--webhook and --daemon-group cannot be used together "
        "(the API accepts webhook_id or daemon_group_key, never both)"
    )


def test_run_body() -> None:
    options = RunOptions(
        "acc", error_handling="batch", ignore_previous_run=True, daemon_group_key="grp"
    )
    assert run_body("job1", {"a": 1}, options) == {
        "sync_job_id": "job1",
        "integrated_account_id": "acc",
        "status": "created",
        "args": {"a": 1},
        "error_handling": "batch",
        "ignore_previous_run": True,
        "daemon_group_key": "grp",
    }
    assert run_body("job1", {}, RunOptions("acc")) == {
        "sync_job_id": "job1",
        "integrated_account_id": "acc",
        "status": "created",
        "args": {},
    }


def test_stat_rows_flatten_resource_stats() -> None:
    rows = stat_rows(
        {
            "ticketing/users": {"list": {"fetched": 3, "persisted": 2}},
            "node": {"fetched": 1},
            "odd": 7,
        }
    )
    assert [(r.resource, r.method, r.counters) for r in rows] == [
        ("ticketing/users", "list", {"fetched": 3, "persisted": 2}),
        ("node", "", {"fetched": 1}),
        ("odd", "", {"value": 7}),
    ]
    assert stat_rows(None) == []


@pytest.mark.parametrize(("status", "code"), [("completed", 0), ("failed", 1), ("stopped", 1)])
def test_exit_code_for_terminal_status(status: str, code: int) -> None:
    assert exit_code_for(status) == code


def test_poll_interval_backs_off_while_idle_and_resets_on_change() -> None:
    backoff = _IdleBackoff(1.0, 5.0)
    delays = []
    for changed in (True, False, False, False, False, True, False):
        backoff.observe(changed)
        delays.append(backoff(None))
    assert delays == [1.0, 2.0, 4.0, 5.0, 5.0, 1.0, 2.0]


def test_args_file_over_the_size_bound_is_refused_unread(tmp_path: Path) -> None:
    from syncspec.jobfile.yaml.limits import MAX_BYTES

    huge = tmp_path / "huge.json"
    huge.write_text('{"a": "' + "x" * MAX_BYTES + '"}', encoding="utf-8")
    with pytest.raises(ConfigError, match="byte limit"):
        load_args_file(huge)
