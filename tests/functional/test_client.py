"""TrutoClient against the emulator over real HTTP: pagination, retries, rate limit, lost POSTs."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from syncspec.api.client import TrutoClient
from syncspec.api.ratelimit import RateLimiter
from syncspec.config import Secret, load_settings
from syncspec.errors import (
    ApiError,
    AuthError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TransportError,
)
from tests.conftest import EmulatorHandle

JOB = {
    "integration_name": "zendesk",
    "resources": [{"resource": "ticketing/users", "method": "list"}],
}


def _job(n: int) -> dict[str, object]:
    return {"label": f"job-{n:04d}", **JOB}


def test_pagination_follows_next_cursor_across_many_pages(emulator: EmulatorHandle) -> None:
    emulator.seed(*(_job(n) for n in range(250)))
    client = emulator.client(page_size=7)

    jobs = client.list_sync_jobs()

    assert [j["label"] for j in jobs] == [f"job-{n:04d}" for n in range(250)]
    gets = emulator.control.requests("GET", "/sync-job")
    assert len(gets) == 36  # ceil(250 / 7)
    assert all("limit=7" in r.query for r in gets)
    assert "next_cursor" not in gets[0].query and all("next_cursor=" in r.query for r in gets[1:])


def test_list_filters_by_integration_name(emulator: EmulatorHandle) -> None:
    emulator.seed(_job(1), {**_job(2), "integration_name": "hubspot"})
    jobs = emulator.client().list_sync_jobs(integration_name="hubspot")
    assert [j["label"] for j in jobs] == ["job-0002"]


def test_429_retry_after_is_honoured(emulator: EmulatorHandle) -> None:
    emulator.control.set_faults(rate_limit=(3, 1.0))
    client = emulator.client()
    for _ in range(4):
        client.list_sync_jobs()

    log = emulator.control.requests()
    assert [r.status for r in log] == [200, 200, 200, 429, 200]
    waited = log[4].at - log[3].at
    assert waited >= 1.0  # Retry-After: 1 (the window's remaining time, rounded up)
    assert client.stats.retries == 1
    assert client.stats.by_status == {200: 4, 429: 1}


def test_scripted_retry_after_on_503_is_waited(emulator: EmulatorHandle) -> None:
    emulator.control.fail_next(503, retry_after=1)
    client = emulator.client()
    client.list_sync_jobs()
    first, second = emulator.control.requests()
    assert (first.status, second.status) == (503, 200)
    assert second.at - first.at >= 1.0


def test_5xx_is_retried_then_succeeds(emulator: EmulatorHandle) -> None:
    (job,) = emulator.seed(_job(1))
    emulator.control.fail_next(503, times=1)
    emulator.control.fail_next(502, times=1)
    emulator.control.fail_next(500, times=1)
    client = emulator.client()

    assert client.get_sync_job(job["id"]) == job
    assert [r.status for r in emulator.control.requests()] == [503, 502, 500, 200]
    assert client.stats.retries == 3


def test_patch_and_delete_are_retried_on_5xx(emulator: EmulatorHandle) -> None:
    (job,) = emulator.seed(_job(1))
    client = emulator.client()
    emulator.control.fail_next(504, method="PATCH")
    assert client.update_sync_job(job["id"], {"label": "renamed"})["label"] == "renamed"
    emulator.control.fail_next(503, method="DELETE")
    assert client.delete_sync_job(job["id"]) == {"id": job["id"]}
    statuses = [(r.method, r.status) for r in emulator.control.requests()]
    assert statuses == [("PATCH", 504), ("PATCH", 200), ("DELETE", 503), ("DELETE", 200)]


def test_retries_exhausted_gives_a_clear_error(emulator: EmulatorHandle) -> None:
    emulator.control.fail_next(502, times=10)
    client = emulator.client(max_attempts=3)

    with pytest.raises(ServerError) as info:
        client.list_sync_jobs()

    assert str(info.value) == (
        "GET /sync-job -> 502: injected failure (server error; gave up after 3 attempt(s))"
    )
    assert info.value.status == 502
    assert info.value.server_message == "injected failure"
    assert not info.value.maybe_applied
    assert len(emulator.control.requests()) == 3


def test_429_exhausted_is_rate_limited_error(emulator: EmulatorHandle) -> None:
    emulator.control.fail_next(429, times=5, retry_after=0)
    client = emulator.client(max_attempts=2)
    with pytest.raises(RateLimitedError) as info:
        client.list_sync_jobs()
    assert str(info.value) == (
        "GET /sync-job -> 429: injected failure (rate limited; gave up after 2 attempt(s))"
    )


def test_too_long_retry_after_is_not_waited(emulator: EmulatorHandle) -> None:
    emulator.control.fail_next(429, retry_after=3600)
    client = emulator.client(max_retry_after=60)
    with pytest.raises(RateLimitedError) as info:
        client.list_sync_jobs()
    assert "the server asks to wait 3600 s, too long" in str(info.value)
    assert len(emulator.control.requests()) == 1


def _limiter_on_the_emulator_clock(
    emulator: EmulatorHandle, client: TrutoClient, max_requests: int, period: float
) -> list[float]:
    """Give ``client`` a limiter whose clock is the emulator's frozen clock.

    Time then moves only when the limiter makes a request wait, and only after every request it
    already let through has reached the emulator: so whether a request lands in the server's
    current window depends on the limiter's decisions alone, never on how fast this machine
    schedules threads. Returns the list of waits (seconds) the limiter asked for.
    """
    emulator.control.freeze_time()
    control = emulator.control
    granted = 0
    lock = threading.Lock()
    waits: list[float] = []
    read = threading.local()

    def clock() -> float:
        read.now = control.now()
        return float(read.now)

    def sleep(seconds: float) -> None:
        with lock:
            waits.append(seconds)
        # the failsafe bound is generous; the condition, not the clock, ends the wait
        deadline = time.monotonic() + 60
        while len(control.requests()) < granted_now() and time.monotonic() < deadline:
            time.sleep(0.002)
        with lock:  # wake at the reserved start: move the clock there unless already past
            ahead = read.now + seconds - control.now()
            if ahead > 0:
                control.advance_time(ahead)

    def granted_now() -> int:
        with lock:
            return granted

    limiter = RateLimiter(max_requests, period, clock=clock, sleep=sleep)
    acquire = limiter.acquire

    def counting_acquire() -> float:
        nonlocal granted
        waited = acquire()
        with lock:
            granted += 1
        return waited

    limiter.acquire = counting_acquire  # type: ignore[method-assign]
    client._http.limiter = limiter
    return waits


def test_burst_of_60_under_50_per_second_limit_gets_no_429(emulator: EmulatorHandle) -> None:
    (job,) = emulator.seed(_job(1))
    emulator.control.set_faults(rate_limit=(50, 1.0))
    client = emulator.client(max_attempts=1)
    waits = _limiter_on_the_emulator_clock(emulator, client, 50, 1.0)
    started = emulator.control.now()

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: client.get_sync_job(job["id"]), range(60)))

    assert len(results) == 60
    assert {r.status for r in emulator.control.requests()} == {200}
    # request 51 waited until the first was a window (plus margin) old, on the emulator's clock
    assert waits and all(w > 0 for w in waits)
    assert emulator.control.now() - started >= 1.0
    assert client.stats.rate_limit_waits > 0


def test_without_the_client_limiter_the_same_burst_is_refused(emulator: EmulatorHandle) -> None:
    # The control for the test above: the emulator's limit is real. Its clock stands still, so
    # all 60 fall in one window however long they take.
    emulator.control.freeze_time()
    (job,) = emulator.seed(_job(1))
    emulator.control.set_faults(rate_limit=(50, 1.0))
    client = emulator.client(rate_limit=None, max_attempts=1)

    def get(_: int) -> str:
        try:
            client.get_sync_job(job["id"])
        except RateLimitedError:
            return "429"
        return "200"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(get, range(60)))
    assert outcomes.count("200") == 50
    assert outcomes.count("429") == 10


def test_burst_of_600_under_500_per_10s_limit_gets_zero_429(emulator: EmulatorHandle) -> None:
    (job,) = emulator.seed(_job(1))
    emulator.control.set_faults(rate_limit=(500, 10.0))
    client = emulator.client(max_attempts=1)
    waits = _limiter_on_the_emulator_clock(emulator, client, 500, 10.0)
    started = emulator.control.now()

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda _: client.get_sync_job(job["id"]), range(600)))

    assert len(results) == 600
    statuses = [r.status for r in emulator.control.requests()]
    assert statuses.count(200) == 600
    assert 429 not in statuses
    # request 501 may not start before the first is 10 s old (on the emulator's clock)
    assert waits and all(w > 0 for w in waits)
    assert emulator.control.now() - started >= 10.0


def test_lost_post_response_is_not_retried_and_not_duplicated(emulator: EmulatorHandle) -> None:
    emulator.control.lose_next_response(method="POST", path="/sync-job")
    client = emulator.client(timeout=0.5)

    with pytest.raises(TransportError) as info:
        client.create_sync_job(_job(1))

    assert info.value.maybe_applied is True
    assert str(info.value) == (
        "POST /sync-job: no response (ReadTimeout: timed out); the request may have been "
        "applied, so it was not retried: check the current state before trying again"
    )
    assert len(emulator.control.requests("POST")) == 1
    assert [j["label"] for j in emulator.control.jobs()] == ["job-0001"]


def test_post_answered_502_after_commit_is_not_retried(emulator: EmulatorHandle) -> None:
    emulator.control.fail_next(502, method="POST", after_commit=True)
    client = emulator.client()

    with pytest.raises(ServerError) as info:
        client.create_sync_job(_job(1))

    assert info.value.maybe_applied is True
    assert info.value.status == 502
    assert len(emulator.control.requests("POST")) == 1
    assert len(emulator.control.jobs()) == 1


def test_post_refused_with_429_is_retried_once_and_created_once(emulator: EmulatorHandle) -> None:
    emulator.control.fail_next(429, method="POST", retry_after=0)
    created = emulator.client().create_sync_job(_job(1))
    assert [r.status for r in emulator.control.requests("POST")] == [429, 201]
    assert [j["id"] for j in emulator.control.jobs()] == [created["id"]]


def test_get_after_lost_response_is_retried(emulator: EmulatorHandle) -> None:
    (job,) = emulator.seed(_job(1))
    emulator.control.lose_next_response(method="GET", path="/sync-job/")
    client = emulator.client(timeout=0.5)
    assert client.get_sync_job(job["id"])["id"] == job["id"]
    assert [r.dropped for r in emulator.control.requests()] == [True, False]


def test_delete_retried_after_lost_response_reports_maybe_applied(
    emulator: EmulatorHandle,
) -> None:
    (job,) = emulator.seed(_job(1))
    emulator.control.lose_next_response(method="DELETE")
    client = emulator.client(timeout=0.5)
    with pytest.raises(NotFoundError) as info:
        client.delete_sync_job(job["id"])
    assert info.value.maybe_applied is True
    assert emulator.control.jobs() == []


def test_401_names_the_token_variable(emulator: EmulatorHandle) -> None:
    client = emulator.client(token="not-a-valid-token", token_env="TRUTO_STAGING_TOKEN")
    with pytest.raises(AuthError) as info:
        client.list_sync_jobs()
    assert str(info.value) == (
        "GET /sync-job -> 401: invalid API token (authentication failed: check the API token "
        "in the environment variable TRUTO_STAGING_TOKEN)"
    )
    assert "not-a-valid-token" not in str(info.value)


def test_404_mentions_another_environment(emulator: EmulatorHandle) -> None:
    (job,) = emulator.seed(_job(1), other=True)
    with pytest.raises(NotFoundError) as info:
        emulator.client().get_sync_job(job["id"])
    assert str(info.value) == (
        f"GET /sync-job/{job['id']} -> 404: sync job not found (it may not exist, or belong to "
        "another Truto environment than the one of the token in TRUTO_API_TOKEN)"
    )


def test_400_keeps_the_server_message(emulator: EmulatorHandle) -> None:
    with pytest.raises(ApiError) as info:
        emulator.client().create_sync_job({"resources": []})
    assert type(info.value) is ApiError
    assert str(info.value) == (
        "POST /sync-job -> 400: integration_name is required (request rejected)"
    )
    assert (info.value.method, info.value.path, info.value.status) == ("POST", "/sync-job", 400)
    assert info.value.server_message == "integration_name is required"


def test_typed_endpoints_round_trip(emulator: EmulatorHandle) -> None:
    client = emulator.client()
    job = client.create_sync_job({"label": "a", **JOB})
    assert client.get_sync_job(job["id"]) == job
    run = client.create_sync_job_run(
        {"sync_job_id": job["id"], "integrated_account_id": "acct-1", "status": "created"}
    )
    assert client.get_sync_job_run(run["id"])["sync_job_id"] == job["id"]
    assert [r["id"] for r in client.list_sync_job_runs(sync_job_id=job["id"])] == [run["id"]]
    assert client.list_sync_job_runs(integrated_account_id="other") == []
    assert client.update_sync_job_run(run["id"], {"status": "failed"})["status"] == "failed"
    assert client.list_sync_job_runs(status="failed", limit=1)[0]["id"] == run["id"]
    assert client.delete_sync_job_run(run["id"])["status"] == "failed"

    assert client.create_run_state("acct-1", "cursor", "abc")["value"] == "abc"
    assert client.update_run_state("acct-1", "cursor", "def")["value"] == "def"
    assert client.get_run_state("acct-1", "cursor")["value"] == "def"
    assert [e["key"] for e in client.list_run_state("acct-1")] == ["cursor"]
    assert client.delete_run_state("acct-1", "cursor")["value"] == "def"
    assert client.list_run_state("acct-1") == []

    trigger = client.create_cron_trigger({"sync_job_id": job["id"], "cron_expression": "0 * * * *"})
    assert client.schedule_cron_trigger(trigger["id"]) == {"success": True}
    updated = client.update_cron_trigger(trigger["id"], {"cron_expression": "5 * * * *"})
    assert updated["cron_expression"] == "5 * * * *"
    assert client.get_cron_trigger(trigger["id"]) == updated
    assert [t["id"] for t in client.list_cron_triggers(sync_job_id=job["id"])] == [trigger["id"]]
    assert client.delete_cron_trigger(trigger["id"]) == {"id": trigger["id"]}
    assert client.delete_sync_job(job["id"]) == {"id": job["id"]}
    assert client.list_sync_jobs() == []


def test_state_keys_with_slashes_are_one_path_segment(emulator: EmulatorHandle) -> None:
    client = emulator.client()
    client.create_run_state("ns/1", "a/b c", "v")
    assert client.get_run_state("ns/1", "a/b c")["key"] == "a/b c"


def test_from_settings_talks_to_the_emulator(emulator_env: EmulatorHandle) -> None:
    with TrutoClient.from_settings(load_settings(), backoff=0.01) as client:
        assert client.list_sync_jobs() == []
        assert client.base_url == emulator_env.url
    (request,) = emulator_env.control.requests()
    assert request.environment == "staging"


def test_token_never_in_logs_errors_or_reprs(
    emulator: EmulatorHandle, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: syncspec.api, httpx, httpcore
    (job,) = emulator.seed(_job(1))
    client = emulator.client()
    emulator.control.fail_next(503)
    client.get_sync_job(job["id"])
    client.create_sync_job(_job(2))
    texts = [repr(client), str(client.stats.snapshot())]
    for call in (
        lambda: client.get_sync_job("missing"),
        lambda: client.create_sync_job({}),
        lambda: emulator.client(token=emulator.token + "x").list_sync_jobs(),
    ):
        with pytest.raises(ApiError) as info:
            call()
        texts += [str(info.value), repr(info.value)]

    assert "syncspec.api" in {r.name for r in caplog.records}
    assert {"httpx", "httpcore.http11"} <= {r.name for r in caplog.records}
    everything = "\n".join([caplog.text, *texts])
    assert emulator.token not in everything
    assert "GET /sync-job/missing -> 404" in caplog.text


def test_connection_refused_is_a_transport_error(emulator: EmulatorHandle) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = TrutoClient(
        f"http://127.0.0.1:{port}", Secret(emulator.token), max_attempts=2, backoff=0.01
    )
    with client, pytest.raises(TransportError) as info:
        client.create_sync_job(_job(1))
    assert str(info.value).startswith(
        f"POST /sync-job: cannot connect to http://127.0.0.1:{port} (ConnectError: "
    )
    assert info.value.maybe_applied is False
    assert client.stats.requests == 2  # a POST that never left is retried


def test_token_absent_from_cli_debug_output(emulator: EmulatorHandle) -> None:
    import os
    import subprocess
    import sys

    emulator.control.fail_next(503)  # a retry shows up in the debug log too
    env = {**os.environ, **emulator.environ()}
    env.pop("SYNCSPEC_PROFILE", None)
    command = [sys.executable, "-m", "syncspec", "--debug", "run-state", "list"]
    ok = subprocess.run(
        [*command, "--state-key", "acct"], capture_output=True, text=True, env=env, check=False
    )
    assert ok.returncode == 0, ok.stderr
    assert "debug: syncspec.api: GET /sync-job-run-state?state_key=acct&limit=100 -> 503" in (
        ok.stderr
    )
    assert "debug: syncspec.api: retrying GET /sync-job-run-state in " in ok.stderr

    wrong = emulator.token + "-wrong"
    env["TRUTO_API_TOKEN"] = wrong
    denied = subprocess.run(
        [*command, "--state-key", "acct"], capture_output=True, text=True, env=env, check=False
    )
    assert denied.returncode == 1
    assert "-> 401: invalid API token (authentication failed" in denied.stderr
    everything = ok.stdout + ok.stderr + denied.stdout + denied.stderr
    assert emulator.token not in everything
    assert wrong not in everything
