"""Start the emulator (uvicorn in a thread on loopback) and control it from tests or benchmarks.

emu = start_emulator(EmulatorConfig(tokens={"tok-a": "staging", "tok-b": "production"}))
emu.url, emu.token                      # "http://127.0.0.1:PORT", "tok-a"
emu.control.fail_next(503, times=2)     # the next two requests answer 503
emu.control.lose_next_response(method="POST", path="/sync-job", hang_s=2)
emu.control.set_faults(rate_limit=(50, 1.0), latency_ms=5)
gate = emu.control.hold_next("PATCH", "/sync-job/ID"); gate.wait_reached(); gate.release()
emu.control.set_readings(run_state_post="conflict", list_key="results",
                         cron_on_job_delete="cascade")
emu.control.seed_accounts([{"tenant_id": "acme", "integration_name": "zendesk"}])
emu.control.requests()                  # [RecordedRequest(method, path, query, status, ...)]
emu.control.reset()                     # data, faults, log and clock back to the config
emu.stop()
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from syncspec.emulator.accounts import seed_groups
from syncspec.emulator.app import build_app
from syncspec.emulator.endpoints import Endpoints
from syncspec.emulator.runs import iso, run_view
from syncspec.emulator.state import (
    EmulatorConfig,
    EmulatorState,
    Fault,
    Gate,
    RecordedRequest,
    check_reading,
    check_runtime_reading,
    environment_id,
)

__all__ = [
    "EmulatorConfig",
    "EmulatorControl",
    "RecordedRequest",
    "RunningEmulator",
    "environment_id",
    "load_seed",
    "start_emulator",
]

_UNSET: Any = object()


class EmulatorError(Exception):
    """The emulator could not start or was misconfigured."""


class EmulatorControl:
    """Change faults at run time, reset, seed data and read the request log (thread-safe)."""

    def __init__(self, state: EmulatorState) -> None:
        self._state = state
        self._endpoints = Endpoints(state)

    # faults

    def set_faults(
        self,
        *,
        latency_ms: float = _UNSET,
        fail_rate: float = _UNSET,
        rate_limit: tuple[int, float] | None = _UNSET,
        run_duration_s: float = _UNSET,
    ) -> None:
        """Change the given settings (others stay); ``rate_limit=None`` turns limiting off."""
        s = self._state
        with s.lock:
            if latency_ms is not _UNSET:
                s.latency_ms = float(latency_ms)
            if fail_rate is not _UNSET:
                s.fail_rate = float(fail_rate)
            if rate_limit is not _UNSET:
                s.rate_limit = rate_limit
                s._windows.clear()
            if run_duration_s is not _UNSET:
                s.run_duration_s = float(run_duration_s)

    def set_readings(
        self,
        *,
        run_state_post: str = _UNSET,
        list_key: str = _UNSET,
        default_runtime_version: int = _UNSET,
        label_rewrite: str = _UNSET,
        late_writes: str = _UNSET,
        cron_on_job_delete: str = _UNSET,
        cron_meta: str = _UNSET,
    ) -> None:
        """Play the other reading where Truto's sources disagree (``reset`` restores the
        config's): ``run_state_post`` "upsert" (a POST of an existing key updates it) or
        "conflict" (409); ``list_key`` "result" or "results" (the array of list responses);
        ``default_runtime_version`` 3 (skills docs) or 2 (CLI docs): what a job created without
        one is stamped with; ``label_rewrite`` how a job's label is stored (EmulatorConfig);
        ``late_writes`` "complete": a held write whose client went away still takes effect
        when released; ``cron_on_job_delete`` "orphan" (a job's triggers outlive it) or
        "cascade"; ``cron_meta`` "kept" (a trigger's meta round-trips) or "dropped"."""
        s = self._state
        with s.lock:
            if cron_meta is not _UNSET:
                s.cron_meta = check_reading("cron_meta", cron_meta)
            if cron_on_job_delete is not _UNSET:
                s.cron_on_job_delete = check_reading("cron_on_job_delete", cron_on_job_delete)
            if default_runtime_version is not _UNSET:
                s.default_runtime_version = check_runtime_reading(default_runtime_version)
            if label_rewrite is not _UNSET:
                s.label_rewrite = check_reading("label_rewrite", label_rewrite)
            if late_writes is not _UNSET:
                s.late_writes = check_reading("late_writes", late_writes)
            if run_state_post is not _UNSET:
                s.run_state_post = check_reading("run_state_post", run_state_post)
            if list_key is not _UNSET:
                s.list_key = check_reading("list_key", list_key)

    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        method: str | None = None,
        path: str | None = None,
        retry_after: int | None = None,
        after_commit: bool = False,
    ) -> None:
        """Answer the next ``times`` matching requests (path = prefix) with ``status``.

        With ``after_commit=True`` the request takes effect first (e.g. a 502 after a create).
        """
        fault = Fault(status, method, path, times, retry_after, after_commit)
        with self._state.lock:
            self._state.faults.append(fault)

    def lose_next_response(
        self, *, method: str | None = "POST", path: str | None = None, hang_s: float | None = None
    ) -> Gate | None:
        """Apply the next matching request, then hold its response back.

        ``hang_s=None`` (the default) holds it until ``reset()`` or the returned gate's
        ``release()``, so a client with any read timeout sees no response although the change
        was made, however slow the machine. A number holds it that many seconds instead.
        """
        gate = Gate() if hang_s is None else None
        fault = Fault(None, method, path, 1, None, True, hang_s or 0.0, gate)
        with self._state.lock:
            self._state.faults.append(fault)
            if gate is not None:
                self._state.gates.append(gate)
        return gate

    def hold(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        times: int = 1,
        skip: int = 0,
        exact: bool = False,
    ) -> Gate:
        """Hold the next ``times`` matching requests (after letting ``skip`` through) *before*
        they take effect, until the returned gate is released (or ``reset()``); then they are
        served normally.

        ``gate.wait()`` returns once the first one is held: the deterministic moment to act
        (send a signal, edit a job) while a client is known to be mid-request. ``exact``: the
        path must equal ``path`` (default: start with it).
        """
        gate = Gate()
        fault = Fault(None, method, path, times, None, False, 0.0, gate, skip, exact)
        with self._state.lock:
            self._state.faults.append(fault)
            self._state.gates.append(gate)
        return gate

    def freeze_time(self) -> None:
        """Stop the emulator's clock: from now on only ``advance_time`` moves it.

        Run progress, timestamps and rate-limit windows then follow the test, not the machine's
        speed. ``reset()`` lets the clock run again.
        """
        s = self._state
        with s.lock:
            if s.frozen is None:
                s.frozen = (time.time(), time.monotonic())
                s._windows.clear()

    def now(self) -> float:
        """The emulator's clock (epoch seconds), as its timestamps and windows see it."""
        return self._state.now()

    def hold_next(self, method: str, path: str, *, skip: int = 0) -> Gate:
        """``hold`` of the one next request ``method path`` (exact path, after ``skip``)."""
        return self.hold(method=method, path=path, skip=skip, exact=True)

    def advance_time(self, seconds: float) -> None:
        """Move the emulator's clock forward (runs progress, timestamps move)."""
        with self._state.lock:
            self._state.time_offset += seconds

    def reset(self) -> None:
        """Drop all data, faults, the request log and clock offset; settings and readings back
        to the config's."""
        s = self._state
        with s.lock:
            s.store.clear()
            s.log.clear()
            s.time_offset = 0.0
            s.frozen = None
            s.release_gates()
            s.last_created_ms = 0
            s.cron_due.clear()
            s.reset_faults()
            _seed(self._endpoints, s.config)

    # data

    def environment_id(self, environment: str | None = None) -> str:
        """The ``environment_id`` of an environment (default: the first token's)."""
        return environment_id(environment or self._default_environment())

    def seed_jobs(
        self, jobs: list[dict[str, Any]], *, environment: str | None = None
    ) -> list[dict[str, Any]]:
        """Store jobs directly (ids/timestamps kept if given); returns them as stored."""
        env = self.environment_id(environment)
        return [self._endpoints.new_job(env, dict(job), keep_ids=True) for job in jobs]

    def jobs(self, environment: str | None = None) -> list[dict[str, Any]]:
        """Every stored job of an environment, in creation order (no HTTP, no log entry)."""
        env = self.environment_id(environment)
        return [row.body for row in self._state.store.select("job", env)]

    def seed_accounts(
        self, accounts: list[dict[str, Any]], *, environment: str | None = None
    ) -> list[dict[str, Any]]:
        """Store integrated accounts directly (as ``POST /integrated-account`` takes them)."""
        env = self.environment_id(environment)
        with self._state.lock:
            return [
                self._endpoints.accounts.new_account(env, dict(a), keep_ids=True) for a in accounts
            ]

    def seed_triggers(
        self, triggers: list[dict[str, Any]], *, environment: str | None = None
    ) -> list[dict[str, Any]]:
        """Store cron triggers directly (not validated, not scheduled): benchmarks and tests
        that need thousands of them without thousands of requests."""
        env = self.environment_id(environment)
        now = iso(self._state.now())
        out = []
        for sent in triggers:
            trigger = {"id": str(uuid.uuid4()), **sent, "environment_id": env}
            trigger.setdefault("created_at", now)
            trigger.setdefault("updated_at", now)
            self._state.store.insert("cron", env, trigger["id"], trigger)
            out.append(trigger)
        return out

    def accounts(self, environment: str | None = None) -> list[dict[str, Any]]:
        env = self.environment_id(environment)
        return [row.body for row in self._state.store.select("account", env)]

    def triggers(self, environment: str | None = None) -> list[dict[str, Any]]:
        """Every cron trigger of an environment, as the API returns them."""
        env = self.environment_id(environment)
        return [row.body for row in self._state.store.select("cron", env)]

    def scheduled(self, environment: str | None = None) -> set[str]:
        """Ids of the active triggers (``/schedule`` called since the last cron change)."""
        env = self.environment_id(environment)
        rows = self._state.store.select("cron", env)
        return {r.body["id"] for r in rows if r.meta.get("next_fire_ts") is not None}

    def runs(self, environment: str | None = None) -> list[dict[str, Any]]:
        env = self.environment_id(environment)
        self._endpoints.accounts.fire_due(env)
        now = self._state.now()
        return [run_view(r.body, r.meta, now) for r in self._state.store.select("run", env)]

    # the request log

    def requests(self, method: str | None = None, path: str | None = None) -> list[RecordedRequest]:
        """Recorded requests, optionally only a method and/or a path prefix."""
        with self._state.lock:
            log = list(self._state.log)
        return [
            r
            for r in log
            if (method is None or r.method == method.upper())
            and (path is None or r.path.startswith(path))
        ]

    def clear_requests(self) -> None:
        with self._state.lock:
            self._state.log.clear()

    def _default_environment(self) -> str:
        return next(iter(self._state.config.tokens.values()))


class RunningEmulator:
    """An emulator serving on ``url``; ``token`` is the first configured token."""

    def __init__(
        self, state: EmulatorState, server: Any, thread: threading.Thread, port: int
    ) -> None:
        self._state = state
        self._server = server
        self._thread = thread
        self.port = port
        self.url = f"http://{state.config.host}:{port}"
        self.tokens = dict(state.config.tokens)
        self.token = next(iter(self.tokens))
        self.control = EmulatorControl(state)

    def stop(self, timeout: float = 10.0) -> None:
        self._state.stopping = True
        self._server.should_exit = True
        self._thread.join(timeout)
        self._state.store.close()

    def wait(self, poll_s: float = 0.5) -> None:
        """Block until the server stops (Ctrl-C raises KeyboardInterrupt in the caller)."""
        while self._thread.is_alive():
            self._thread.join(poll_s)

    def __enter__(self) -> RunningEmulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def load_seed(path: Path) -> list[dict[str, Any]] | dict[str, Any]:
    """Read a ``--seed`` file: a JSON list of jobs, or ``{environment: [jobs]}``; instead of a
    list of jobs, ``{"sync_jobs": [...], "integrated_accounts": [...]}``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EmulatorError(f"{path}: cannot read: {exc.strerror}") from None
    except ValueError as exc:
        raise EmulatorError(f"{path}: invalid JSON: {exc}") from None
    single = isinstance(data, dict) and ("sync_jobs" in data or "integrated_accounts" in data)
    groups = data.values() if isinstance(data, dict) and not single else [data]
    for group in groups:
        parts = (
            [group.get("sync_jobs") or [], group.get("integrated_accounts") or []]
            if isinstance(group, dict)
            else [group]
        )
        if not all(isinstance(p, list) and all(isinstance(j, dict) for j in p) for p in parts):
            raise EmulatorError(
                f"{path}: expected a list of job objects, or an object mapping "
                "environment names to lists of job objects"
            )
    return data  # type: ignore[no-any-return]


def _seed(endpoints: Endpoints, config: EmulatorConfig) -> None:
    groups = seed_groups(config.seed, next(iter(config.tokens.values())))
    for name, (jobs, accounts) in groups.items():
        env = environment_id(name)
        if not endpoints.store.select("job", env, limit=1):  # else: seeded on an earlier start
            for job in jobs:
                endpoints.new_job(env, dict(job), keep_ids=True)
        if not endpoints.store.select("account", env, limit=1):
            for account in accounts:
                endpoints.accounts.new_account(env, dict(account), keep_ids=True)


def start_emulator(config: EmulatorConfig) -> RunningEmulator:
    """Serve the emulator with uvicorn in a daemon thread; returns once it accepts requests."""
    import uvicorn

    if not config.tokens:
        raise EmulatorError("the emulator needs at least one token")
    state = EmulatorState(config)
    _seed(Endpoints(state), config)
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets that say so, and
    # without it Nagle + delayed ACK add ~40 ms to every keep-alive request.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((config.host, config.port))
    except OSError as exc:
        sock.close()
        raise EmulatorError(
            f"cannot listen on {config.host}:{config.port}: {exc.strerror}"
        ) from None
    sock.listen(2048)
    port = int(sock.getsockname()[1])
    uv_config = uvicorn.Config(
        build_app(state),
        log_config=None,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_keep_alive=30,
        timeout_graceful_shutdown=3,
    )
    server = uvicorn.Server(uv_config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="syncspec-emulator", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise EmulatorError("the emulator did not start")
        time.sleep(0.01)
    return RunningEmulator(state, server, thread, port)
