"""The emulator's mutable state: configuration, clock, data, faults, request log.

Shared by the ASGI app (event-loop thread) and ``EmulatorControl`` (test threads); every mutable
collection is guarded by ``lock``.
"""

from __future__ import annotations

import math
import random
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from syncspec.emulator.store import Store

_ENV_NAMESPACE = uuid.UUID("6f1c1e3a-5b7e-4c1e-9a59-2f7d3c1b9e10")


def environment_id(name: str) -> str:
    """The environment uuid for an environment name (stable, so a ``--db`` file can be reused)."""
    return str(uuid.uuid5(_ENV_NAMESPACE, name))


@dataclass
class EmulatorConfig:
    """How to run an emulator. ``tokens`` maps each accepted token to its environment's name."""

    tokens: dict[str, str] = field(default_factory=lambda: {"dev": "dev"})
    latency_ms: float = 0.0
    fail_rate: float = 0.0  # share of requests answered with a random 500/502/503
    rate_limit: tuple[int, float] | None = None  # (requests, seconds) per token
    run_duration_s: float = 3.0
    # Jobs (and integrated accounts) to preload: see ``server.load_seed``.
    seed: list[dict[str, Any]] | dict[str, Any] | None = None
    db_path: str | None = None  # None = in memory
    random_seed: int | None = None
    # stamped on jobs created without one: Truto's skills docs say 3, its CLI docs say 2 (a
    # reading: ``set_readings(default_runtime_version=2)`` plays the other)
    default_runtime_version: int = 3
    # Where Truto's sources disagree (truto-api.md), the reading the emulator plays:
    # run-state POST of an existing key: "upsert" (create-or-update, as the skills docs say)
    # or "conflict" (409, the other reading); the array of a list response: "result" or
    # "results" (some doc pages).
    run_state_post: str = "upsert"
    list_key: str = "result"
    # How a created or renamed job's label is stored (issue 19; no source says Truto stores it
    # verbatim): "verbatim", "trim", "nfd" (Unicode decomposed), "collapse_spaces" or "cap"
    # (cut to LABEL_CAP characters).
    label_rewrite: str = "verbatim"
    # A write whose client went away while it was held: "drop" (it never takes effect, as when
    # the body was never read) or "complete" (the front end had the whole request and finishes
    # it: a late write, landing after the client is gone).
    late_writes: str = "drop"
    # whether deleting a sync job deletes its cron triggers ("cascade") or leaves them pointing
    # at a job that is gone ("orphan"); no source says (truto-api.md)
    cron_on_job_delete: str = "orphan"
    # whether a trigger's ``meta`` comes back as sent ("kept") or is not stored ("dropped");
    # truto-api.md lists it among what no source settles
    cron_meta: str = "kept"
    host: str = "127.0.0.1"
    port: int = 0


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: str
    status: int
    environment: str | None  # environment name, None when the token was not accepted
    dropped: bool = False  # the response was held back (lost-response fault)
    at: float = 0.0  # time.monotonic() when the request arrived


class Gate:
    """A request held by the emulator until the test lets it go (``EmulatorControl.hold``).

    ``reached`` is set when a matching request arrives (or, ``after_commit``, once it took
    effect), so a test waits for an event instead of sleeping and hoping.
    """

    MAX_HOLD_S = 60.0  # a forgotten gate never wedges the server

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.released = threading.Event()
        self.finished = threading.Event()  # a held request has been answered and logged
        self.dropped = False  # released with drop=True: held requests never take effect
        self.count = 0  # how many requests it has held so far

    def wait(self, timeout: float = 60.0) -> bool:
        """Block until a request is held (``timeout`` is a failsafe, not a timing assumption)."""
        return self.reached.wait(timeout)

    wait_reached = wait

    def wait_finished(self, timeout: float = 60.0) -> bool:
        """After ``release()``: wait until the held request is done (so it cannot land in the
        next test's request log)."""
        return self.finished.wait(timeout)

    def release(self, *, drop: bool = False) -> None:
        """Let held requests go (served normally, or with ``drop`` answered 503 without taking
        effect); requests that arrive later are no longer held."""
        self.dropped = drop
        self.released.set()


@dataclass
class Fault:
    """A scripted failure for the next ``times`` matching requests."""

    status: int | None  # answer with this status (None: the real answer, held back)
    method: str | None = None
    path: str | None = None  # prefix of the request path
    times: int = 1
    retry_after: int | None = None
    after_commit: bool = False  # let the request take effect first, then fail or hold it
    hang_s: float = 0.0  # hold the response back this long (lost response)
    gate: Gate | None = None  # hold the request (or its response) until the gate is released
    skip: int = 0  # let this many matching requests through untouched first
    exact: bool = False  # ``path`` is the whole path, not a prefix

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method:
            return False
        if self.path is None:
            return True
        return path == self.path if self.exact else path.startswith(self.path)


READINGS = {
    "run_state_post": ("upsert", "conflict"),
    "list_key": ("result", "results"),
    "label_rewrite": ("verbatim", "trim", "nfd", "collapse_spaces", "cap"),
    "late_writes": ("drop", "complete"),
    "cron_on_job_delete": ("orphan", "cascade"),
    "cron_meta": ("kept", "dropped"),
}
LABEL_CAP = 64  # characters kept by the "cap" label_rewrite reading


def stored_label(label: object, reading: str) -> object:
    """``label`` as a server playing ``reading`` stores it (non-strings unchanged)."""
    import unicodedata

    if not isinstance(label, str) or reading == "verbatim":
        return label
    if reading == "trim":
        return label.strip()
    if reading == "nfd":
        return unicodedata.normalize("NFD", label)
    if reading == "collapse_spaces":
        return " ".join(label.split())
    return label[:LABEL_CAP]


def check_reading(name: str, value: str) -> str:
    if value not in READINGS[name]:
        raise ValueError(f"{name} must be one of {', '.join(READINGS[name])}, not {value!r}")
    return value


RUNTIME_READINGS = (2, 3)  # what Truto stamps on a job created without default_runtime_version


def check_runtime_reading(value: int) -> int:
    if isinstance(value, bool) or value not in RUNTIME_READINGS:
        raise ValueError(f"default_runtime_version must be 2 or 3, not {value!r}")
    return value


class EmulatorState:
    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.lock = threading.RLock()
        self.store = Store(config.db_path)
        self.environments = {token: name for token, name in config.tokens.items()}
        self.rng = random.Random(config.random_seed)
        self.log: deque[RecordedRequest] = deque(maxlen=100_000)
        self.faults: list[Fault] = []
        # created_at of the last job created (ms): every new job gets a later one
        self.last_created_ms = 0
        self._windows: dict[str, tuple[float, int]] = {}
        self.time_offset = 0.0
        # frozen: the clock stands still except for ``advance_time`` (tests on any machine speed)
        self.frozen: tuple[float, float] | None = None  # (wall, monotonic) when frozen
        self.gates: list[Gate] = []
        # per environment: the earliest next fire time of an active cron trigger
        self.cron_due: dict[str, float] = {}
        self.stopping = False
        self.reset_faults()

    def reset_faults(self) -> None:
        with self.lock:
            self.latency_ms = self.config.latency_ms
            self.fail_rate = self.config.fail_rate
            self.rate_limit = self.config.rate_limit
            self.run_duration_s = self.config.run_duration_s
            self.run_state_post = check_reading("run_state_post", self.config.run_state_post)
            self.list_key = check_reading("list_key", self.config.list_key)
            self.default_runtime_version = check_runtime_reading(
                self.config.default_runtime_version
            )
            self.label_rewrite = check_reading("label_rewrite", self.config.label_rewrite)
            self.late_writes = check_reading("late_writes", self.config.late_writes)
            self.cron_on_job_delete = check_reading(
                "cron_on_job_delete", self.config.cron_on_job_delete
            )
            self.cron_meta = check_reading("cron_meta", self.config.cron_meta)
            self.faults.clear()
            self._windows.clear()

    def now(self) -> float:
        """Wall-clock seconds as the emulator sees them (timestamps, run progress)."""
        base = self.frozen[0] if self.frozen is not None else time.time()
        return base + self.time_offset

    def monotonic(self) -> float:
        """Monotonic seconds on the same clock (rate-limit windows)."""
        base = self.frozen[1] if self.frozen is not None else time.monotonic()
        return base + self.time_offset

    def release_gates(self) -> None:
        """Reset: held requests are dropped (a later test must not see them take effect)."""
        with self.lock:
            for gate in self.gates:
                gate.release(drop=True)
            self.gates.clear()

    def environment_for(self, token: str) -> str | None:
        return self.environments.get(token)

    def take_rate_limit(self, token: str) -> int | None:
        """Count one request; None if allowed, else the seconds to put in ``Retry-After``."""
        with self.lock:
            if self.rate_limit is None:
                return None
            limit, period = self.rate_limit
            now = self.monotonic()
            start, count = self._windows.get(token, (now, 0))
            if now - start >= period:
                start, count = now, 0
            if count >= limit:
                return max(1, math.ceil(start + period - now))
            self._windows[token] = (start, count + 1)
            return None

    def take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in [f for f in self.faults if f.gate and f.gate.released.is_set()]:
                self.faults.remove(fault)
            for fault in self.faults:
                if fault.matches(method, path):
                    if fault.skip > 0:
                        fault.skip -= 1
                        return None
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault
            return None

    def creation_ms(self) -> int:
        """Milliseconds for a new job's ``created_at``, strictly after the previous job's: jobs
        created in one millisecond still have a creation order (racing applies rely on it)."""
        with self.lock:
            ms = max(math.floor(self.now() * 1000), self.last_created_ms + 1)
            self.last_created_ms = ms
            return ms

    def random_failure(self) -> int | None:
        with self.lock:
            if self.fail_rate > 0 and self.rng.random() < self.fail_rate:
                return self.rng.choice((500, 502, 503))
            return None

    def record(self, entry: RecordedRequest) -> None:
        with self.lock:
            self.log.append(entry)
