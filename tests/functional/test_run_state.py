"""`syncspec run-state ...` in-process (CliRunner) against the emulator over real HTTP."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from syncspec.cli import cli
from tests.conftest import EmulatorHandle

K = "acc-1"


def run(emulator: EmulatorHandle, *args: str, input: str | bytes | None = None) -> Result:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False, input=input)
    assert emulator.token not in result.output
    return result


def calls(emulator: EmulatorHandle) -> list[tuple[str, str, str, int]]:
    return [(r.method, r.path, r.query, r.status) for r in emulator.control.requests()]


def stored(emulator: EmulatorHandle, key: str, state_key: str = K) -> str:
    value = emulator.client().get_run_state(state_key, key)["value"]
    assert isinstance(value, str)
    return value


def test_set_creates_a_missing_entry_then_updates_it(env: EmulatorHandle) -> None:
    created = run(env, "run-state", "set", "last_id", "--state-key", K, "--value", "100")
    assert created.exit_code == 0, created.output
    assert created.stdout == f"created last_id in state {K}\n"
    assert calls(env) == [
        ("PATCH", "/sync-job-run-state/last_id", f"state_key={K}", 404),
        ("POST", "/sync-job-run-state", f"state_key={K}", 201),
    ]
    env.control.clear_requests()

    updated = run(env, "run-state", "set", "last_id", "--state-key", K, "--value", "200")
    assert updated.stdout == f"updated last_id in state {K}\n"
    assert calls(env) == [("PATCH", "/sync-job-run-state/last_id", f"state_key={K}", 200)]
    assert stored(env, "last_id") == "200"

    as_json = run(env, "run-state", "set", "last_id", "--state-key", K, "--value", "300",
                  "--format", "json")  # fmt: skip
    body = json.loads(as_json.stdout)
    assert body["action"] == "updated"
    assert (body["entry"]["key"], body["entry"]["value"]) == ("last_id", "300")


def test_state_keys_are_namespaces(env: EmulatorHandle) -> None:
    run(env, "run-state", "set", "cursor", "--state-key", "a", "--value", "1")
    run(env, "run-state", "set", "cursor", "--state-key", "b", "--value", "2")
    assert (stored(env, "cursor", "a"), stored(env, "cursor", "b")) == ("1", "2")


def test_json_is_stored_compact(env: EmulatorHandle) -> None:
    result = run(
        env, "run-state", "set", "c", "--state-key", K, "--json", '{ "page": 3, "ids": ["x"] }'
    )
    assert result.exit_code == 0, result.output
    assert stored(env, "c") == '{"page":3,"ids":["x"]}'


def test_base64_round_trip(env: EmulatorHandle) -> None:
    value = {"since": "2024-05-01T00:00:00Z", "page": 7}
    result = run(
        env, "run-state", "set", "cursor", "--state-key", K, "--json", json.dumps(value), "--base64"
    )
    assert result.exit_code == 0, result.output
    raw = stored(env, "cursor")
    assert json.loads(base64.b64decode(raw)) == value

    plain = run(env, "run-state", "get", "cursor", "--state-key", K)
    assert plain.stdout == raw + "\n"
    decoded = run(env, "run-state", "get", "cursor", "--state-key", K, "--decode")
    assert decoded.stdout == json.dumps(value, indent=2) + "\n"
    as_json = run(
        env, "run-state", "get", "cursor", "--state-key", K, "--decode", "--format", "json"
    )
    entry = json.loads(as_json.stdout)
    assert (entry["value"], entry["decoded_value"], entry["encoding"]) == (
        raw,
        value,
        "base64+json",
    )

    text = run(env, "run-state", "set", "note", "--state-key", K, "--value", "héllo", "--base64")
    assert text.exit_code == 0
    assert stored(env, "note") == base64.b64encode("héllo".encode()).decode()
    assert run(env, "run-state", "get", "note", "--state-key", K, "--decode").stdout == "héllo\n"


def test_value_file_and_stdin(env: EmulatorHandle, tmp_path: Path) -> None:
    path = tmp_path / "cursor.txt"
    path.write_bytes(b"2024-01-01\n")
    result = run(env, "run-state", "set", "date", "--state-key", K, "--value-file", str(path))
    assert result.exit_code == 0, result.output
    assert stored(env, "date") == "2024-01-01\n"  # byte for byte

    binary = tmp_path / "blob.bin"
    binary.write_bytes(b"\x00\xff\x10")
    refused = run(env, "run-state", "set", "blob", "--state-key", K, "--value-file", str(binary))
    assert refused.exit_code == 3
    assert refused.stderr == (
        "error: --value-file: the file is not UTF-8 text; pass --base64 to store it "
        "base64-encoded\n"
    )
    ok = run(
        env, "run-state", "set", "blob", "--state-key", K, "--value-file", str(binary), "--base64"
    )
    assert ok.exit_code == 0
    assert base64.b64decode(stored(env, "blob")) == b"\x00\xff\x10"

    piped = run(
        env, "run-state", "set", "piped", "--state-key", K, "--value-file", "-", input="from stdin"
    )
    assert piped.exit_code == 0, piped.output
    assert stored(env, "piped") == "from stdin"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "error: give exactly one of --value, --value-file or --json\n"),
        (
            ["--value", "a", "--json", "1"],
            "error: give exactly one of --value, --value-file or --json (got --value, --json)\n",
        ),
        (
            ["--json", "{nope"],
            "error: --json: invalid JSON: Expecting property name enclosed in "
            "double quotes: line 1 column 2 (char 1)\n",
        ),
    ],
)
def test_set_refuses_bad_values_without_a_request(
    env: EmulatorHandle, args: list[str], message: str
) -> None:
    result = run(env, "run-state", "set", "k", "--state-key", K, *args)
    assert (result.exit_code, result.stderr) == (3, message)
    assert env.control.requests() == []


def test_list_text_json_and_decode(env: EmulatorHandle) -> None:
    empty = run(env, "run-state", "list", "--state-key", K)
    assert empty.stdout == "no entries\n"
    run(env, "run-state", "set", "a_date", "--state-key", K, "--value", "2024-01-01")
    run(env, "run-state", "set", "b_cursor", "--state-key", K, "--json", '{"p":1}', "--base64")
    entries = env.client().list_run_state(K)
    b64 = base64.b64encode(b'{"p":1}').decode()

    text = run(env, "run-state", "list", "--state-key", K)
    assert text.stdout.splitlines() == [
        "KEY       VALUE         UPDATED",
        f"a_date    2024-01-01    {entries[0]['updated_at']}",
        f"b_cursor  {b64}  {entries[1]['updated_at']}",
    ]
    decoded = run(env, "run-state", "list", "--state-key", K, "--decode")
    assert decoded.stdout == (
        f"a_date  (raw, updated {entries[0]['updated_at']})\n"
        "  2024-01-01\n"
        f"b_cursor  (base64+json, updated {entries[1]['updated_at']})\n"
        "  {\n"
        '    "p": 1\n'
        "  }\n"
    )
    as_json = json.loads(run(env, "run-state", "list", "--state-key", K, "--format", "json").stdout)
    assert as_json == entries
    as_json_decoded = json.loads(
        run(env, "run-state", "list", "--state-key", K, "--format", "json", "--decode").stdout
    )
    assert [e["decoded_value"] for e in as_json_decoded] == ["2024-01-01", {"p": 1}]


def test_get_missing_entry(env: EmulatorHandle) -> None:
    result = run(env, "run-state", "get", "nope", "--state-key", K)
    assert result.exit_code == 1
    # names the state key the entry was looked up under; no "another environment" guess
    assert result.stderr == (
        f"error: no run-state entry 'nope' under state key '{K}' "
        f"(see the keys there with `syncspec run-state list --state-key {K}`)\n"
    )
    deleted = run(env, "run-state", "delete", "nope", "--state-key", K, "--yes")
    assert (deleted.exit_code, deleted.stderr) == (1, result.stderr)


def test_delete_needs_yes_without_a_terminal(env: EmulatorHandle) -> None:
    run(env, "run-state", "set", "cursor", "--state-key", K, "--value", "1")
    env.control.clear_requests()
    refused = run(env, "run-state", "delete", "cursor", "--state-key", K)
    assert refused.exit_code == 3
    assert refused.stderr == (
        f"error: refusing to delete 'cursor' from state '{K}' without confirmation: "
        "pass --yes (no terminal to ask on)\n"
    )
    assert env.control.requests() == []

    deleted = run(env, "run-state", "delete", "cursor", "--state-key", K, "--yes")
    assert deleted.exit_code == 0, deleted.output
    assert deleted.stdout == f"deleted cursor from state {K}\n"
    assert calls(env) == [("DELETE", "/sync-job-run-state/cursor", f"state_key={K}", 200)]
    assert env.client().list_run_state(K) == []

    again = run(env, "run-state", "delete", "cursor", "--state-key", K, "--yes", "--format", "json")
    assert again.exit_code == 1


@pytest.mark.parametrize(("answer", "code", "remaining"), [("y\n", 0, 0), ("n\n", 1, 1)])
def test_delete_asks_on_a_terminal(
    env: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, answer: str, code: int, remaining: int
) -> None:
    import syncspec.cli.run_state as module

    monkeypatch.setattr(module, "_stdin_is_interactive", lambda: True)
    run(env, "run-state", "set", "cursor", "--state-key", K, "--value", "1")
    result = run(env, "run-state", "delete", "cursor", "--state-key", K, input=answer)
    assert result.exit_code == code, result.output
    assert result.stderr.startswith(
        f"Delete 'cursor' from state '{K}'? The next run will not resume from it [y/N]: "
    )
    if code:
        assert result.stderr.endswith("error: not deleted\n")
    assert len(env.client().list_run_state(K)) == remaining


def test_delete_json_returns_the_deleted_entry(env: EmulatorHandle) -> None:
    run(env, "run-state", "set", "cursor", "--state-key", K, "--value", "v1")
    result = run(
        env, "run-state", "delete", "cursor", "--state-key", K, "--yes", "--format", "json"
    )
    body = json.loads(result.stdout)
    assert (body["key"], body["value"]) == ("cursor", "v1")


def test_state_key_is_required(env: EmulatorHandle) -> None:
    result = run(env, "run-state", "list")
    assert result.exit_code == 3
    assert "Missing option '--state-key'" in result.stderr
