"""Issue 11: hostile servers, networks and configurations end in a clear error, in bounded time,
with nothing written where nothing should be and no token characters printed.

Each test points ``syncspec`` (in-process, ``CliRunner``) at ``tests.hostile.server`` on
127.0.0.1 in one mode, with small bounds (a 20 s request deadline, 1 s where the deadline is
under test, a 4 MB response cap, 20 pages) so a test returns quickly when the bound works.
The hostile modes themselves run for up to 60 s, so without the bound a test would not
return within ``GENEROUS``: the time check is a generous ceiling against hangs, never a
performance threshold.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from syncspec.cli import cli
from tests.hostile import server as hostile_server
from tests.hostile.server import HostileServer

GENEROUS = 30.0  # s; the hostile modes last 60 s
# The request deadline: 20 s by default here, so work that must finish within it (streaming to
# the size cap, four quick retries) does so on any machine; 1 s where the deadline itself is
# what ends the request (``short_deadline``), with a server that trickles for 60 s.
DEADLINE_S = "20"
TOKEN = f"hostile-{secrets.token_hex(16)}"
CAP = 4_000_000


@pytest.fixture
def hostile(monkeypatch: pytest.MonkeyPatch) -> Iterator[HostileServer]:
    monkeypatch.setattr(hostile_server, "MAX_SECONDS", 60.0)
    server = HostileServer()
    yield server
    server.stop()


@pytest.fixture
def project(
    tmp_path: Path, hostile: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    (tmp_path / "jobs").mkdir()
    (tmp_path / "syncspec.toml").write_text(
        'jobs_dir = "jobs"\n[prune]\nlabels = ["*"]\n'  # everything in scope: prune is tempted
    )
    monkeypatch.chdir(tmp_path)
    for name in ("SYNCSPEC_PROFILE", "CI", "GITHUB_STEP_SUMMARY", "SYNCSPEC_ALLOWED_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    env = {
        "TRUTO_API_URL": hostile.url,
        "TRUTO_API_TOKEN": TOKEN,
        "SYNCSPEC_REQUEST_DEADLINE": DEADLINE_S,
        "SYNCSPEC_MAX_RESPONSE_BYTES": str(CAP),
        "SYNCSPEC_MAX_PAGES": "20",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    yield tmp_path


@pytest.fixture
def short_deadline(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCSPEC_REQUEST_DEADLINE", "1")


def run(*args: str) -> tuple[Result, float]:
    started = time.monotonic()
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result, time.monotonic() - started


def token_runs(token: str, size: int = 8) -> set[str]:
    return {token[i : i + size] for i in range(len(token) - size + 1)}


def assert_no_token(result: Result, root: Path | None = None, token: str = TOKEN) -> None:
    texts = [result.stdout, result.stderr]
    if root is not None:
        texts += [p.read_text(errors="replace") for p in root.rglob("*") if p.is_file()]
    everything = "\n".join(texts)
    leaked = sorted(run for run in token_runs(token) if run in everything)
    assert leaked == []


def job(label: str, ident: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "id": ident or f"id-{label}",
        "label": label,
        "integration_name": "zendesk",
        "default_runtime_version": 2,
        "resources": [{"resource": "ticketing/tickets", "method": "list"}],
        "environment_id": "env-1",
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        **extra,
    }


def write_job(root: Path, label: str) -> None:
    (root / "jobs" / f"{label}.yaml").write_text(
        f"label: {label}\nintegration_name: zendesk\ndefault_runtime_version: 2\n"
        "resources:\n  - resource: ticketing/tickets\n    method: list\n"
    )


def writes(server: HostileServer) -> list[str]:
    return [f"{r.method} {r.path}" for r in server.requests if r.method != "GET"]


# -- the bounded client ------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["trickle_body", "trickle_headers"])
def test_a_trickling_response_is_abandoned_at_the_deadline(
    project: Path, hostile: HostileServer, mode: str, short_deadline: None
) -> None:
    hostile.set(mode, interval=0.1)
    result, elapsed = run("plan")
    assert elapsed < GENEROUS
    assert result.exit_code == 1
    assert result.stderr == (
        "error: GET /sync-job: no complete response within 1 s, the overall deadline of a "
        "request (SYNCSPEC_REQUEST_DEADLINE); abandoned\n"
    )
    assert len(hostile.requests) == 1  # the deadline covers retries too: none was started


def test_the_deadline_bounds_retries_and_their_waits(
    project: Path, hostile: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNCSPEC_REQUEST_DEADLINE", "1")  # shorter than the Retry-After
    hostile.set("status", status=503, headers={"Retry-After": "3"})
    result, elapsed = run("plan")
    assert elapsed < GENEROUS
    assert result.exit_code == 1
    assert result.stderr == (
        "error: GET /sync-job -> 503: try later (server error; gave up after 1 attempt(s)) "
        "(not retried: waiting would pass the request deadline of 1 s, "
        "SYNCSPEC_REQUEST_DEADLINE)\n"
    )
    assert len(hostile.requests) == 1
    monkeypatch.setenv("SYNCSPEC_REQUEST_DEADLINE", DEADLINE_S)  # room for every attempt
    hostile.set("status", status=503, headers={"Retry-After": "0"})
    quick, _ = run("plan")
    assert quick.exit_code == 1
    assert quick.stderr == (
        "error: GET /sync-job -> 503: try later (server error; gave up after 4 attempt(s))\n"
    )
    assert len(hostile.requests) == 4


def test_an_endless_chunked_body_is_abandoned_at_the_size_cap(
    project: Path, hostile: HostileServer
) -> None:
    hostile.set("endless")
    result, elapsed = run("plan")
    assert elapsed < GENEROUS
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: GET /sync-job -> 200: the response is more than {CAP:,} bytes, over the limit "
        f"of {CAP:,} bytes (SYNCSPEC_MAX_RESPONSE_BYTES); abandoned\n"
    )


def test_a_huge_content_length_is_refused_before_reading(
    project: Path, hostile: HostileServer
) -> None:
    hostile.set("huge")
    result, elapsed = run("pull")
    assert elapsed < GENEROUS
    assert result.exit_code == 1
    assert result.stderr == (
        "error: GET /sync-job -> 200: the response is 1,500,000,000 bytes, over the limit of "
        f"{CAP:,} bytes (SYNCSPEC_MAX_RESPONSE_BYTES); abandoned\n"
    )
    assert list((project / "jobs").iterdir()) == []


def test_json_nested_too_deeply_to_read_is_an_error_not_a_crash(
    project: Path, hostile: HostileServer
) -> None:
    hostile.set("json", raw=b'{"result": ' + b"[" * 200_000 + b"]" * 200_000 + b"}")
    result, _ = run("plan")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: GET /sync-job -> 200: the server answered with JSON nested too deeply to read\n"
    )


# -- listings that cannot be proven complete ---------------------------------------------------


def _listing_error(reason: str) -> str:
    return (
        f"error: GET /sync-job -> 200: {reason}; the listing cannot be proven complete, so "
        "nothing was done with it\n"
    )


@pytest.mark.parametrize(
    ("pages", "reason"),
    [
        pytest.param(
            lambda n, q: {"result": [job(f"j{n}")], "next_cursor": f"c{n}"},
            "more than 20 pages (SYNCSPEC_MAX_PAGES); the listing never ends",
            id="changing-cursor-new-items",
        ),
        pytest.param(
            lambda n, q: {"result": [job("same")], "next_cursor": f"c{n}"},
            "id 'id-same' came back on two pages (or twice on one)",
            id="changing-cursor-same-items",
        ),
        pytest.param(
            lambda n, q: {"result": [job(f"j{n}")], "next_cursor": "ab"[n % 2]},
            "pagination did not advance (the same next_cursor came back twice)",
            id="cycling-cursor",
        ),
        pytest.param(
            lambda n, q: {"result": [job("a")] if n == 1 else [], "next_cursor": f"c{n}"},
            "page 2 is empty but has a next_cursor",
            id="empty-page-with-cursor",
        ),
        pytest.param(
            lambda n, q: {"result": [job("a"), "a string"], "next_cursor": None},
            "item 1 of page 1 is not an object",
            id="non-object-item",
        ),
        pytest.param(
            lambda n, q: {"result": [{**job("a"), "id": 7}], "next_cursor": None},
            "item 0 of page 1 is an object without a string `id`",
            id="id-not-a-string",
        ),
    ],
)
@pytest.mark.parametrize("command", ["plan", "apply", "pull"])
def test_a_listing_that_cannot_be_proven_complete_stops_before_any_write(
    project: Path, hostile: HostileServer, pages: Any, reason: str, command: str
) -> None:
    # "b" lives on a later page that never comes: a short list would plan to create it.
    write_job(project, "b")
    before = sorted(p.name for p in (project / "jobs").iterdir())
    hostile.set("pages", pages=pages)
    args = {"plan": ["plan"], "apply": ["apply", "--auto-approve", "--prune"], "pull": ["pull"]}
    result, elapsed = run(*args[command])
    assert elapsed < GENEROUS
    assert result.exit_code == 1
    assert result.stderr == _listing_error(reason)
    assert result.stdout == ""
    assert writes(hostile) == []
    assert sorted(p.name for p in (project / "jobs").iterdir()) == before
    assert len(hostile.requests) <= 20


# -- ids that would become other URLs ----------------------------------------------------------


def test_dot_ids_are_reported_and_left_alone_under_prune(
    project: Path, hostile: HostileServer
) -> None:
    write_job(project, "dots")  # claims the label of the ".." job: must not create a twin
    live = [job("dot", "."), job("dots", ".."), job("ctl", "a\x07b"), job("slash", "a/b")]
    hostile.set("json", body={"result": live, "next_cursor": None})
    planned, _ = run("plan", "--prune", "--format", "json")
    assert planned.exit_code == 1  # the file in conflict stops the plan
    notices = json.loads(planned.stdout)["notices"]
    assert sorted((n["kind"], n["label"], n.get("file")) for n in notices) == [
        ("conflict", "dots", "jobs/dots.yaml"),
        ("unmanaged", "ctl", None),
        ("unmanaged", "dot", None),
        ("unmanaged", "slash", None),
    ]
    messages = {n["label"]: n["message"] for n in notices}
    assert messages["dot"] == (
        "live job \"dot\": its id is '.', which a URL reads as a relative path; syncspec "
        "cannot address it in a request URL, so it is left alone"
    )
    assert "contains a control character" in messages["ctl"]
    assert "contains '/'" in messages["slash"]
    (project / "jobs" / "dots.yaml").unlink()
    applied, _ = run("apply", "--prune", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert writes(hostile) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["runs", "stop", "."], "run id '.' is '.', which a URL reads as a relative path"),
        (["runs", "get", ".."], "run id '..' is '..', which a URL reads as a relative path"),
        (
            ["run-state", "get", "--state-key", "acct", ".."],
            "state key '..' is '..', which a URL reads as a relative path",
        ),
    ],
)
def test_dot_ids_on_the_command_line_are_refused_before_any_request(
    project: Path, hostile: HostileServer, args: list[str], message: str
) -> None:
    result, _ = run(*args)
    assert result.exit_code == 3, result.output
    assert result.stderr == f"error: {message}: it cannot be used in a request URL\n"
    assert hostile.requests == []


# -- where the token may go --------------------------------------------------------------------


def test_a_text_error_body_echoing_the_token_is_masked_before_it_is_shortened(
    project: Path, hostile: HostileServer
) -> None:
    hostile.set("text_error", status=400, at=190)  # the token straddles the 200-char cut
    result, _ = run("plan")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: GET /sync-job -> 400: " + "x" * 190)
    assert_no_token(result, project)
    debug, _ = run("--debug", "plan")
    assert debug.exit_code == 1
    assert_no_token(debug, project)


def test_a_redirect_is_never_followed(project: Path, hostile: HostileServer) -> None:
    hostile.set("redirect", location="http://evil.example/sync-job?steal=1")
    result, _ = run("plan")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: GET /sync-job -> 302: the server answered with a redirect to "
        "http://evil.example/sync-job?steal=1; syncspec never follows redirects (the API token "
        "would go along): set the API URL to the final address\n"
    )
    assert len(hostile.requests) == 1


def test_userinfo_in_the_url_is_refused_and_never_printed(
    project: Path, hostile: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRUTO_API_URL", hostile.url.replace("//", "//admin:hunter2-pass@"))
    for args in (["plan"], ["--debug", "plan"]):
        result, _ = run(*args)
        assert result.exit_code == 3
        assert "hunter2" not in result.output and "admin" not in result.output
        assert result.stderr.startswith(
            f"error: invalid API URL '{hostile.url}': it contains a user name or password"
        )
    assert hostile.requests == []


@pytest.mark.parametrize(
    ("toml", "env_url"),
    [
        ('[profiles.x]\napi_url = "https://evil.example"\n', None),
        (
            'default_profile = "x"\n[profiles.x]\napi_url = "https://evil.example"\n'
            '[profiles.y]\napi_url = "https://api.truto.one"\n',
            None,
        ),
        ("", "https://evil.example"),
    ],
    ids=["profile-api-url", "default-profile", "env-url"],
)
def test_the_token_goes_to_no_host_that_only_syncspec_toml_allows(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    toml: str,
    env_url: str | None,
) -> None:
    (project / "syncspec.toml").write_text('jobs_dir = "jobs"\n' + toml)
    if env_url:
        monkeypatch.setenv("TRUTO_API_URL", env_url)
    else:  # a profile's api_url that TRUTO_API_URL contradicts is an error of its own (issue 20)
        monkeypatch.delenv("TRUTO_API_URL")
    result, _ = run("plan")
    assert result.exit_code == 3
    assert result.stderr == (
        "error: refusing to send the API token to 'evil.example': only api.truto.one and "
        "loopback are allowed. If this host is yours, allow it with --allow-host evil.example "
        "or SYNCSPEC_ALLOWED_HOSTS=evil.example (syncspec.toml cannot allow hosts: a pull "
        "request could edit it)\n"
    )


def test_allow_host_reaches_the_client_and_only_for_its_own_invocation(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a closed port on an allowed https host: the request is attempted (connection refused),
    # so the host check passed; the next invocation without --allow-host refuses again
    monkeypatch.setenv("TRUTO_API_URL", "https://allowed.example")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("SYNCSPEC_REQUEST_DEADLINE", "2")
    allowed, _ = run("--allow-host", "allowed.example", "plan")
    assert "refusing to send the API token" not in allowed.stderr, allowed.stderr
    assert allowed.exit_code == 1, allowed.output
    refused, _ = run("plan")
    assert refused.exit_code == 3
    assert "refusing to send the API token to 'allowed.example'" in refused.stderr


def test_plain_http_to_a_non_loopback_host_is_refused(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRUTO_API_URL", "http://api.truto.one")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    result, _ = run("--allow-host", "api.truto.one", "plan")
    assert result.exit_code == 3
    assert result.stderr == (
        "error: refusing to send the API token to http://api.truto.one in clear text: use "
        "https (plain http is allowed only to loopback: 127.0.0.1, ::1, localhost)\n"
    )


def test_a_proxy_in_the_environment_never_sees_a_loopback_request(
    project: Path, hostile: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = HostileServer()
    try:
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
            monkeypatch.setenv(name, proxy.url)
        hostile.set("json", body={"result": [], "next_cursor": None})
        result, _ = run("plan")
        assert result.exit_code == 0, result.output
        assert proxy.requests == []
        assert [r.authorized for r in hostile.requests] == [True]
    finally:
        proxy.stop()


def test_closing_the_client_under_a_running_request_leaves_no_socket_behind(
    hostile: HostileServer,
) -> None:
    """plan closes the client to abandon a listing still in flight (files with errors): the
    request ends normally and then closes the connections; nothing new is sent afterwards."""
    import gc
    import threading

    from syncspec.api.client import TrutoClient
    from syncspec.config import Secret
    from syncspec.errors import TransportError

    arrived, release = threading.Event(), threading.Event()
    hostile.set("hold", arrived=arrived, release=release)
    client = TrutoClient(hostile.url, Secret(TOKEN), rate_limit=None)
    outcome: list[object] = []
    listing = threading.Thread(target=lambda: outcome.append(client.list_sync_jobs()))
    listing.start()
    assert arrived.wait(GENEROUS)
    client.close()
    release.set()
    listing.join(GENEROUS)
    assert outcome == [[]]
    with pytest.raises(TransportError, match="not sent: the client was closed"):
        client.list_sync_jobs()
    gc.collect()  # an unclosed socket would be a ResourceWarning here (warnings are errors)
    assert len(hostile.requests) == 1


def test_allowed_hosts_come_from_the_environment_and_the_command_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from syncspec.errors import ConfigError
    from syncspec.safety import check_api_url

    monkeypatch.delenv("SYNCSPEC_ALLOWED_HOSTS", raising=False)
    with pytest.raises(ConfigError, match=r"refusing to send the API token to 'a\.example'"):
        check_api_url("https://a.example")
    assert check_api_url("https://A.example./", environ={"SYNCSPEC_ALLOWED_HOSTS": " a.example,b"})
    assert check_api_url("https://a.example:8443", extra_hosts=["a.example"])
    for url in ("http://127.0.0.5:1", "http://[::1]:2", "http://localhost:3"):
        assert check_api_url(url) == url
    # other *.localhost names go to whatever resolver the machine has: not loopback
    with pytest.raises(ConfigError):
        check_api_url("http://evil.localhost:8080")
    assert os.environ.get("SYNCSPEC_ALLOWED_HOSTS") is None
