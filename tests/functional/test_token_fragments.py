"""No run of 8 or more consecutive characters of the API token appears in any output or written
file, whatever form a server echoes it in (issue 22, class 6): the whole token, an 8-character
prefix, a suffix, split across lines, URL-encoded, the base64 of the Authorization header.

A hostile server (``tests.hostile.server``, mode ``api``) plays a Truto that puts the form into
job fields, run fields, run-state values and error messages; every command's stdout, stderr
and written files are searched for fragments independently of ``syncspec.redact``.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from click.testing import CliRunner

from syncspec.cli import cli
from tests.hostile.server import HostileServer

TOKEN = f"trt_{secrets.token_hex(20)}"
FORMS: dict[str, Callable[[str], str]] = {
    "whole": lambda t: f"upstream said: {t}",
    "prefix": lambda t: f"key {t[:8]}... rejected",
    "suffix": lambda t: f"key ...{t[-8:]} rejected",
    "split across lines": lambda t: f"bearer {t[:13]}\n{t[13:27]}\n{t[27:]} (wrapped)",
    "URL-encoded": lambda t: "https://x.test/cb?token=" + "".join(f"%{b:02X}" for b in t.encode()),
    "base64 of the header": lambda t: base64.b64encode(
        f"Authorization: Bearer {t}".encode()
    ).decode(),
}


def fragments_in(text: str, token: str = TOKEN) -> list[str]:
    """Every 8-character run of the token found in ``text``, as is or folded (whitespace and
    \\n escapes dropped, %XX decoded, base64 runs decoded at each alignment)."""
    grams = {token[i : i + 8] for i in range(len(token) - 7)}
    views = [text, re.sub(r"\s+|\\[nrt]", "", text)]
    views.append(unquote(views[1]))
    for run in re.findall(r"[A-Za-z0-9+/_-]{11,}", text):
        for skip in range(4):
            chunk = run[skip:].replace("-", "+").replace("_", "/")
            chunk = chunk[: len(chunk) // 4 * 4]
            try:
                views.append(base64.b64decode(chunk).decode("latin-1"))
            except (binascii.Error, ValueError):
                continue
    return sorted({g for view in views for g in grams if g in view})


def test_the_checker_finds_every_form() -> None:
    for name, form in FORMS.items():
        assert fragments_in(form(TOKEN)), name
    assert fragments_in("no secrets here") == []


def _api(form: str) -> Callable[[str, str, str], tuple[int, Any]]:
    def answer(method: str, path: str, token: str) -> tuple[int, Any]:
        leak = FORMS[form](token)
        job = {
            "id": "job-1",
            "label": "leaky",
            "integration_name": "zendesk",
            "default_runtime_version": 2,
            "resources": [{"resource": "ticketing/tickets", "method": "list"}],
            "mutex_key": leak,
            "environment_id": "env-1",
            "created_at": "2026-01-01T00:00:00.000Z",
            "updated_at": "2026-01-01T00:00:00.000Z",
        }
        run = {
            "id": "run-1",
            "sync_job_id": "job-1",
            "integrated_account_id": "acc",
            "status": "failed",
            "error": leak,
            "created_at": "2026-01-01T00:00:00.000Z",
            "updated_at": "2026-01-01T00:00:01.000Z",
            "finished_at": "2026-01-01T00:00:01.000Z",
        }
        route = path.split("?", maxsplit=1)[0]
        if method == "PATCH":
            return 400, {"statusCode": 400, "message": f"rejected: {leak}"}
        if route == "/sync-job":
            return 200, {"result": [job], "next_cursor": None}
        if route.startswith("/sync-job/"):
            return 200, job
        if route == "/sync-job-run":
            return 200, {"result": [run], "next_cursor": None}
        if route.startswith("/sync-job-run/"):
            return 200, run
        if route.startswith("/sync-job-run-state"):
            entry = {"key": "cursor", "value": leak, "state_key": "s"}
            return 200, {"result": [entry], "next_cursor": None} if route.endswith(
                "state"
            ) else entry
        return 404, {"message": f"no route {leak}"}

    return answer


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    server = HostileServer()
    yield server
    server.stop()


@pytest.fixture
def project(tmp_path: Path, hostile: HostileServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "jobs").mkdir()
    (tmp_path / "syncspec.toml").write_text('jobs_dir = "jobs"\n')
    (tmp_path / "jobs" / "leaky.yaml").write_text(
        "label: leaky\nintegration_name: zendesk\ndefault_runtime_version: 2\n"
        "resources:\n  - resource: ticketing/tickets\n    method: list\n"
    )
    monkeypatch.chdir(tmp_path)
    for name in ("SYNCSPEC_PROFILE", "CI", "GITHUB_STEP_SUMMARY", "SYNCSPEC_ALLOWED_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TRUTO_API_URL", hostile.url)
    monkeypatch.setenv("TRUTO_API_TOKEN", TOKEN)
    return tmp_path


COMMANDS: dict[str, list[str]] = {
    "plan text": ["plan"],
    "plan json": ["plan", "--format", "json"],
    "plan --out": ["plan", "--out", "saved.plan"],
    "apply results": ["apply", "--auto-approve"],
    "apply results json": ["apply", "--auto-approve", "--format", "json"],
    "runs get": ["runs", "get", "run-1"],
    "runs list json": ["runs", "list", "--format", "json"],
    "runs watch": ["runs", "watch", "run-1"],
    "run-state list": ["run-state", "list", "--state-key", "s"],
    "run-state get json": ["run-state", "get", "cursor", "--state-key", "s", "--format", "json"],
    "run-state get --decode": ["run-state", "get", "cursor", "--state-key", "s", "--decode"],
    "pull": ["pull"],
    "debug log": ["--debug", "plan"],
}


@pytest.mark.parametrize("form", sorted(FORMS))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_no_token_fragment_in_any_output(
    project: Path, hostile: HostileServer, form: str, command: str
) -> None:
    hostile.set("api", answer=_api(form))
    result = CliRunner().invoke(cli, COMMANDS[command], catch_exceptions=False)
    outputs = {"stdout": result.stdout, "stderr": result.stderr}
    for path in project.rglob("*"):
        if path.is_file():
            outputs[str(path.relative_to(project))] = path.read_text(errors="replace")
    assert hostile.requests, "the command talked to the server"
    leaks = {where: found for where, text in outputs.items() if (found := fragments_in(text))}
    assert leaks == {}, (result.exit_code, result.output[-3000:])
