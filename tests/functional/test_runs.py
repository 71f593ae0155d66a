"""`syncspec runs ...` in-process (CliRunner) against the emulator over real HTTP."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from syncspec.cli import cli
from tests.conftest import EmulatorHandle

FLAT_SCHEMA = {
    "user_ids": {"type": "array", "items": {"type": "string"}, "required": True},
    "account_ref": {"type": "string"},
    "limit": {"type": "integer"},
}
JSON_SCHEMA = {
    "type": "object",
    "properties": {"project_slug": {"type": "string", "required": True}},
    "additionalProperties": False,
}
LINE = re.compile(r"^\[\d+(?:s|m\d\ds|h\d\dm\d\ds)\] run [0-9a-f-]{36}: [a-z_]+( \| .+)?$")


def job(label: str, args_schema: Any = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "label": label,
        "integration_name": "zendesk",
        "default_runtime_version": 2,
        "resources": [
            {"resource": "ticketing/users", "method": "list"},
            {"resource": "ticketing/tickets", "method": "list"},
        ],
        **extra,
    }
    if args_schema is not None:
        body["args_schema"] = args_schema
    return body


def run(emulator: EmulatorHandle, *args: str, input: str | None = None) -> Result:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False, input=input)
    assert emulator.token not in result.output
    return result


def writes(emulator: EmulatorHandle) -> list[tuple[str, str, int]]:
    return [(r.method, r.path, r.status) for r in emulator.control.requests() if r.method != "GET"]


# --- start ------------------------------------------------------------------------------------


def test_start_prints_the_run_id_and_sends_every_option(env: EmulatorHandle) -> None:
    (seeded,) = env.seed(job("tickets", FLAT_SCHEMA))
    result = run(
        env,
        "runs", "start", "tickets", "--account", "acc-1",
        "--arg", 'user_ids=["a","b"]', "--arg", "account_ref=123", "--arg", "limit=5",
        "--error-handling", "batch", "--ignore-previous-run", "--webhook", "wh-1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (created,) = env.control.runs()
    assert result.stdout == f"{created['id']}\n"
    assert result.stderr == (
        f"started run {created['id']} of job 'tickets' ({seeded['id']}) for account acc-1\n"
    )
    assert created["sync_job_id"] == seeded["id"]
    assert created["integrated_account_id"] == "acc-1"
    # JSON when it parses, except that a string argument keeps the text it was given.
    assert created["args"] == {"user_ids": ["a", "b"], "account_ref": "123", "limit": 5}
    assert created["error_handling"] == "batch"
    assert created["ignore_previous_run"] is True
    assert created["webhook_id"] == "wh-1"
    assert created["daemon_group_key"] is None
    assert writes(env) == [("POST", "/sync-job-run", 201)]


def test_start_json_output_and_daemon_group(env: EmulatorHandle) -> None:
    env.seed(job("tickets", JSON_SCHEMA))
    result = run(
        env,
        "runs", "start", "tickets", "--account", "acc-1", "--arg", "project_slug=p1",
        "--daemon-group", "grp", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    (created,) = env.control.runs()
    assert body["id"] == created["id"]
    assert body["status"] == "created"
    assert body["args"] == {"project_slug": "p1"}
    assert body["daemon_group_key"] == "grp"
    assert body["error_handling"] == "fail_fast"  # the emulator's default, we sent none


def test_args_file_with_arg_override(env: EmulatorHandle, tmp_path: Path) -> None:
    env.seed(job("tickets", FLAT_SCHEMA))
    args_file = tmp_path / "args.json"
    args_file.write_text(json.dumps({"user_ids": ["from-file"], "limit": 1}))
    result = run(
        env, "runs", "start", "tickets", "--account", "a",
        "--args-file", str(args_file), "--arg", "limit=2",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (created,) = env.control.runs()
    assert created["args"] == {"user_ids": ["from-file"], "limit": 2}


@pytest.mark.parametrize(
    ("schema", "args", "problems"),
    [
        (
            FLAT_SCHEMA,
            ["--arg", "user_ids=42", "--arg", "limit=many"],
            [
                "argument 'limit': 'many' is not of type 'integer' (schema rule: type)",
                "argument 'user_ids': 42 is not of type 'array' (schema rule: type)",
            ],
        ),
        (FLAT_SCHEMA, [], ["argument 'user_ids': is required (schema rule: required)"]),
        (
            FLAT_SCHEMA,
            ["--arg", "user_ids=[1]"],
            ["argument 'user_ids[0]': 1 is not of type 'string' (schema rule: type)"],
        ),
        (
            JSON_SCHEMA,
            ["--arg", "project_slug=p", "--arg", "extra=1"],
            [
                "argument 'extra': is not declared in the job's args_schema "
                "(schema rule: additionalProperties)"
            ],
        ),
    ],
)
def test_invalid_args_are_rejected_before_any_write(
    env: EmulatorHandle, schema: dict[str, Any], args: list[str], problems: list[str]
) -> None:
    env.seed(job("tickets", schema))
    result = run(env, "runs", "start", "tickets", "--account", "a", *args)
    assert result.exit_code == 3
    assert result.stdout == ""
    expected = "".join(f"  {p}\n" for p in problems)
    assert result.stderr == (
        f"error: invalid args for job 'tickets' (no run was started):\n{expected}"
    )
    assert [(r.method, r.path) for r in env.control.requests()] == [("GET", "/sync-job")]
    assert env.control.runs() == []


def test_webhook_with_daemon_group_is_refused_before_any_request(env: EmulatorHandle) -> None:
    env.seed(job("tickets"))
    result = run(
        env, "runs", "start", "tickets", "--account", "a", "--webhook", "w", "--daemon-group", "d"
    )
    assert result.exit_code == 3
    assert result.stderr == (
        "error: --webhook and --daemon-group cannot be used together "
        "(the API accepts webhook_id or daemon_group_key, never both)\n"
    )
    assert env.control.requests() == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--arg", "oops"],
            "error: --arg 'oops': expected NAME=VALUE, e.g. --arg user_ids='[\"42\"]'\n",
        ),
        (["--arg", "a=1", "--arg", "a=2"], "error: --arg a: given more than once\n"),
    ],
)
def test_malformed_args_exit_3(env: EmulatorHandle, args: list[str], message: str) -> None:
    env.seed(job("tickets"))
    result = run(env, "runs", "start", "tickets", "--account", "a", *args)
    assert (result.exit_code, result.stderr) == (3, message)
    assert writes(env) == []


def test_bad_error_handling_is_a_usage_error(env: EmulatorHandle) -> None:
    result = run(env, "runs", "start", "t", "--account", "a", "--error-handling", "retry")
    assert result.exit_code == 3
    assert "'retry' is not one of 'fail_fast', 'ignore', 'batch'" in result.stderr
    assert env.control.requests() == []


def test_duplicate_labels_are_refused_naming_both_ids_then_an_id_works(
    env: EmulatorHandle,
) -> None:
    first, second = env.seed(job("dup"), job("dup"))
    result = run(env, "runs", "start", "dup", "--account", "a")
    assert result.exit_code == 3
    assert result.stderr == (
        f"error: 2 live jobs are labelled 'dup' ({first['id']}, {second['id']}); pass the id "
        "of the one you mean instead of the label, or pin it with `id:` in its job file\n"
    )
    assert writes(env) == []

    by_id = run(env, "runs", "start", second["id"], "--account", "a")
    assert by_id.exit_code == 0, by_id.output
    (created,) = env.control.runs()
    assert created["sync_job_id"] == second["id"]


def test_pinned_id_of_the_local_file_decides(env: EmulatorHandle, tmp_path: Path) -> None:
    _first, second = env.seed(job("dup"), job("dup"))
    (tmp_path / "syncspec.toml").write_text('jobs_dir = "jobs"\n')
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "dup.yaml").write_text(
        f"id: {second['id']}\nlabel: dup\nintegration_name: zendesk\ndefault_runtime_version: 2\n"
        "resources:\n  - resource: ticketing/users\n    method: list\n"
    )
    result = run(env, "runs", "start", "dup", "--account", "a")
    assert result.exit_code == 0, result.output
    (created,) = env.control.runs()
    assert created["sync_job_id"] == second["id"]


def test_unknown_label(env: EmulatorHandle) -> None:
    result = run(env, "runs", "start", "missing", "--account", "a")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: no live job is labelled 'missing' (nor has that id) in this environment\n"
    )
    assert writes(env) == []


def test_missing_token_is_a_clear_error(
    env: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRUTO_API_TOKEN")
    result = run(env, "runs", "list")
    assert result.exit_code == 3
    assert result.stderr.startswith(
        "error: no API token: set the environment variable TRUTO_API_TOKEN"
    )


# --- watch ------------------------------------------------------------------------------------


def test_start_watch_follows_a_run_to_completion_in_plain_lines(env: EmulatorHandle) -> None:
    env.seed(job("tickets", FLAT_SCHEMA))
    result = run(
        env, "runs", "start", "tickets", "--account", "a", "--arg", 'user_ids=["1"]',
        "--watch", "--interval", "0.05", "--max-interval", "0.2",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (created,) = env.control.runs()
    lines = result.stdout.splitlines()
    assert lines[0] == created["id"]
    assert "\x1b" not in result.output  # no terminal: no escape codes, no cursor movement
    progress, final = lines[1:-1], lines[-1]
    assert progress, result.stdout
    assert all(LINE.match(line) for line in progress), progress
    assert progress[-1].endswith(
        f"run {created['id']}: completed | ticketing/users list: fetched="
        f"{created['resource_stats']['ticketing/users']['list']['fetched']} persisted="
        f"{created['resource_stats']['ticketing/users']['list']['persisted']} | "
        f"ticketing/tickets list: fetched="
        f"{created['resource_stats']['ticketing/tickets']['list']['fetched']} persisted="
        f"{created['resource_stats']['ticketing/tickets']['list']['persisted']}"
    )
    assert re.fullmatch(rf"run {created['id']} completed after \d+s", final), final
    # Every poll was a GET of this run; nothing else was written.
    assert writes(env) == [("POST", "/sync-job-run", 201)]
    polls = env.control.requests("GET", f"/sync-job-run/{created['id']}")
    assert len(polls) >= len(progress)


def test_start_watch_json_keeps_stdout_one_document(env: EmulatorHandle) -> None:
    env.seed(job("tickets"))
    result = run(
        env, "runs", "start", "tickets", "--account", "a",
        "--watch", "--interval", "0.05", "--max-interval", "0.2", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["status"] == "completed"
    assert body["resource_stats"]["ticketing/users"]["list"]["fetched"] > 0
    progress = result.stderr.splitlines()
    assert progress[0].startswith(f"started run {body['id']} of job 'tickets'")
    assert all(LINE.match(line) for line in progress[1:]), progress


@pytest.mark.parametrize(("status", "code"), [("failed", 1), ("stopped", 1), ("completed", 0)])
def test_watch_exit_code_follows_the_terminal_status(
    env: EmulatorHandle, status: str, code: int
) -> None:
    (seeded,) = env.seed(job("tickets"))
    client = env.client()
    created = client.create_sync_job_run(
        {"sync_job_id": seeded["id"], "integrated_account_id": "a", "status": "created"}
    )
    client.update_sync_job_run(created["id"], {"status": status})
    result = run(env, "runs", "watch", created["id"], "--interval", "0.05")
    assert result.exit_code == code, result.output
    assert result.stdout.splitlines()[-1].startswith(f"run {created['id']} {status} after ")


def test_watch_unknown_run(env: EmulatorHandle) -> None:
    result = run(env, "runs", "watch", "nope", "--interval", "0.05")
    assert result.exit_code == 5  # could not read the run: not "the run failed" (issue 22)
    assert result.stderr.startswith(
        "error: could not read run nope: GET /sync-job-run/nope -> 404: sync job run not found"
    )


def test_watch_rejects_a_non_positive_interval(env: EmulatorHandle) -> None:
    result = run(env, "runs", "watch", "r", "--interval", "0")
    assert (result.exit_code, result.stderr) == (
        3,
        "error: --interval must be a positive number of seconds\n",
    )


# --- get / list / stop ------------------------------------------------------------------------


def _start(env: EmulatorHandle, job_id: str, account: str) -> dict[str, Any]:
    return env.client().create_sync_job_run(
        {"sync_job_id": job_id, "integrated_account_id": account, "status": "created"}
    )


def test_get_text_and_json(env: EmulatorHandle) -> None:
    (seeded,) = env.seed(job("tickets"))
    created = _start(env, seeded["id"], "acc-9")
    env.control.advance_time(5)  # the run completes (test runs take 1 s)
    text = run(env, "runs", "get", created["id"])
    assert text.exit_code == 0, text.output
    live = env.client().get_sync_job_run(created["id"])
    stats = live["resource_stats"]
    users, tickets = stats["ticketing/users"]["list"], stats["ticketing/tickets"]["list"]
    assert text.stdout == (
        f"id              {created['id']}\n"
        f"job             {seeded['id']} (tickets)\n"
        "account         acc-9\n"
        "status          completed\n"
        "error_handling  fail_fast\n"
        "args            {}\n"
        f"created_at      {live['created_at']}\n"
        f"started_at      {live['started_at']}\n"
        f"finished_at     {live['finished_at']}\n"
        "\n"
        "RESOURCE           METHOD  COUNTERS\n"
        f"ticketing/users    list    fetched={users['fetched']} persisted={users['persisted']}\n"
        f"ticketing/tickets  list    fetched={tickets['fetched']} "
        f"persisted={tickets['persisted']}\n"
    )
    as_json = run(env, "runs", "get", created["id"], "--format", "json")
    assert json.loads(as_json.stdout) == live


def test_list_filters_and_limit(env: EmulatorHandle) -> None:
    env.control.freeze_time()  # runs move only when the test says (r3 must not complete)
    one, two = env.seed(job("one"), job("two"))
    r1 = _start(env, one["id"], "acc-a")
    env.control.advance_time(5)  # r1 completes; later runs are newer
    r2 = _start(env, one["id"], "acc-b")
    env.client().delete_sync_job_run(r2["id"])  # stopped: a status that no clock changes
    env.control.advance_time(0.01)
    r3 = _start(env, two["id"], "acc-a")

    def ids(*args: str) -> list[str]:
        result = run(env, "runs", "list", "--format", "json", *args)
        assert result.exit_code == 0, result.output
        return [r["id"] for r in json.loads(result.stdout)]

    assert ids() == [r3["id"], r2["id"], r1["id"]]  # newest first
    assert ids("--job", "one") == [r2["id"], r1["id"]]
    assert ids("--job", two["id"]) == [r3["id"]]
    assert ids("--account", "acc-a") == [r3["id"], r1["id"]]
    assert ids("--status", "completed") == [r1["id"]]
    assert ids("--limit", "2") == [r3["id"], r2["id"]]
    assert ids("--job", "one", "--account", "acc-b", "--status", "stopped") == [r2["id"]]
    sent = [r.query for r in env.control.requests("GET", "/sync-job-run")]
    assert any("sync_job_id=" + one["id"] in q for q in sent)
    assert any("status=completed" in q for q in sent)

    text = run(env, "runs", "list", "--job", "one")
    assert text.stdout.splitlines()[0].split() == [
        "ID", "JOB", "ACCOUNT", "STATUS", "CREATED", "FINISHED",
    ]  # fmt: skip
    assert [line.split()[:4] for line in text.stdout.splitlines()[1:]] == [
        [r2["id"], "one", "acc-b", "stopped"],
        [r1["id"], "one", "acc-a", "completed"],
    ]
    empty = run(env, "runs", "list", "--account", "nobody")
    assert empty.stdout == "no runs\n"


def test_list_rejects_unknown_status(env: EmulatorHandle) -> None:
    result = run(env, "runs", "list", "--status", "done")
    assert result.exit_code == 3
    assert env.control.requests() == []


def test_stop(env: EmulatorHandle) -> None:
    env.control.freeze_time()  # still running when stopped, however slow the machine
    (seeded,) = env.seed(job("tickets"))
    created = _start(env, seeded["id"], "a")
    result = run(env, "runs", "stop", created["id"])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"stopped run {created['id']}\n"
    assert writes(env)[-1] == ("DELETE", f"/sync-job-run/{created['id']}", 200)
    assert env.client().get_sync_job_run(created["id"])["status"] == "stopped"

    # stopping a run that already ended says so and exits non-zero (issue 22)
    again = run(env, "runs", "stop", created["id"], "--format", "json")
    assert again.exit_code == 1
    assert again.stdout == ""
    assert f"run {created['id']} had already ended (stopped at " in again.stderr
    assert writes(env)[-1] == ("DELETE", f"/sync-job-run/{created['id']}", 200)  # no new one
    missing = run(env, "runs", "stop", "nope")
    assert missing.exit_code == 1


# --- issue 24: formats and args_validation are checked before the run starts -------------------

DATED = {
    "type": "object",
    "properties": {
        "since": {"type": "string", "format": "date", "required": True},
        "job_id": {"type": "string", "required": True},
    },
}
GUARD = '$length(args.job_id) = 0 ? { "message": "job_id must not be empty" } : null'


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (
            ["--arg", "since=yesterday", "--arg", "job_id=j1"],
            "argument 'since': 'yesterday' is not a 'date' (an ISO 8601 date or timestamp, "
            "e.g. 2024-01-01 or 2024-01-01T00:00:00Z) (schema rule: format)",
        ),
        (
            ["--arg", "since=2024-01-01", "--arg", "job_id="],
            "args_validation: job_id must not be empty",
        ),
    ],
)
def test_format_and_args_validation_refuse_before_any_write(
    env: EmulatorHandle, args: list[str], problem: str
) -> None:
    env.seed(job("tickets", DATED, args_validation=GUARD))
    result = run(env, "runs", "start", "tickets", "--account", "a", *args)
    assert result.exit_code == 3, result.output
    assert result.stderr == (
        f"error: invalid args for job 'tickets' (no run was started):\n  {problem}\n"
    )
    assert writes(env) == []


def test_args_that_pass_both_start_the_run(env: EmulatorHandle) -> None:
    env.seed(job("tickets", DATED, args_validation=GUARD))
    args = ["--arg", "since=2024-01-01", "--arg", "job_id=j1"]
    result = run(env, "runs", "start", "tickets", "--account", "a", *args)
    assert result.exit_code == 0, result.output
    assert len(env.control.runs()) == 1


def test_args_validation_that_cannot_run_offline_is_a_warning(env: EmulatorHandle) -> None:
    env.seed(job("tickets", DATED, args_validation="$now() ~> $unknownFunction()"))
    args = ["--arg", "since=2024-01-01", "--arg", "job_id=j1"]
    result = run(env, "runs", "start", "tickets", "--account", "a", *args)
    assert result.exit_code == 0, result.output
    assert "args_validation was not checked offline" in result.stderr
    assert len(env.control.runs()) == 1
