"""Shared fixtures: a local Truto emulator on 127.0.0.1, served over real HTTP.

One emulator starts per test session (uvicorn in a thread, in-memory SQLite); every test that
uses ``emulator`` gets it with all data, faults, the request log and the clock reset.

Fixtures
--------
``emulator`` -> ``EmulatorHandle`` (function scope)
    ``.url``                  ``http://127.0.0.1:PORT``
    ``.token``                token of environment "staging"
    ``.other_token``          token of environment "production" (isolation tests)
    ``.environment_id`` / ``.other_environment_id``   the ``environment_id`` each token sees
    ``.control``              ``syncspec.emulator.server.EmulatorControl``:
        ``set_faults(latency_ms=, fail_rate=, rate_limit=(n, s) | None, run_duration_s=)``,
        ``fail_next(status, times=1, method=, path=, retry_after=, after_commit=False)``,
        ``lose_next_response(method="POST", path=)`` (held until reset) -> Gate,
        ``hold(method=, path=, times=, skip=)`` -> Gate (``.wait()``, ``.release(drop=)``),
        ``freeze_time()`` (then only ``advance_time(s)`` moves the clock), ``now()``,
        ``advance_time(s)``,
        ``hold_next(method, path, skip=0)`` -> gate (``wait_reached(timeout)``, ``release()``):
        the request waits before taking effect, so a test acts at an exact point,
        ``seed_jobs(jobs, environment="production")``, ``jobs(env)``, ``runs(env)``,
        ``requests(method=, path=)`` -> ``[RecordedRequest(method, path, query, status,
        environment, dropped)]``, ``clear_requests()``, ``reset()``,
        ``set_readings(run_state_post="upsert"|"conflict", list_key="result"|"results",
        default_runtime_version=3|2, label_rewrite="verbatim"|"trim"|"nfd"|"collapse_spaces"|"cap",
        late_writes="drop"|"complete",
        patch_merge="replace"|"object"|"index"|"merge-patch")`` (where Truto's sources
        disagree; ``reset()`` restores upsert / result / 3 / verbatim / drop / replace).
    ``.client(token=None, **overrides)``  a ``TrutoClient`` for it (closed after the test);
        defaults for tests: no client rate limit, ``backoff=0.01``, ``timeout=10``.
    ``.environ(token=None)``  ``{"TRUTO_API_URL": url, "TRUTO_API_TOKEN": token}``
    ``.seed(*jobs, other=False)``  shorthand for ``control.seed_jobs``.
``emulator_env`` -> ``EmulatorHandle``: the same, with ``TRUTO_API_URL``/``TRUTO_API_TOKEN`` set
    (and ``SYNCSPEC_PROFILE`` removed) via monkeypatch, so ``syncspec`` commands run in-process
    with ``CliRunner`` (or ``load_settings()``) talk to the emulator.
``env`` -> ``EmulatorHandle``: ``emulator_env`` run from an empty ``tmp_path`` (no syncspec.toml,
    no jobs/ unless a test writes them).
``http`` -> ``httpx.Client`` on the emulator with ``emulator.token`` (raw protocol tests).
``truto_client`` -> ``TrutoClient`` for ``emulator.token``.

Emulator defaults in tests: runs take ``run_duration_s=1.0`` (``created`` for the first 0.2 s,
then ``running``, then ``completed``); use ``control.advance_time(s)`` instead of sleeping.
Heavy imports stay inside the fixtures, so tests that do not use them do not import httpx.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, settings

# Shared, noisy 2-core machines: no per-example deadlines and no "too slow" health check, so a
# property test fails only for a real counterexample, never for a slow moment.
settings.register_profile(
    "syncspec", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("syncspec")

if TYPE_CHECKING:
    import httpx

    from syncspec.api.client import TrutoClient
    from syncspec.emulator.server import EmulatorControl, RunningEmulator

ENVIRONMENT = "staging"
OTHER_ENVIRONMENT = "production"
TEST_RUN_DURATION_S = 1.0


@dataclass
class EmulatorHandle:
    url: str
    token: str
    other_token: str
    control: EmulatorControl
    environment_id: str
    other_environment_id: str
    _clients: list[TrutoClient] = field(default_factory=list, repr=False)

    def client(self, token: str | None = None, **overrides: Any) -> TrutoClient:
        from syncspec.api.client import TrutoClient
        from syncspec.config import Secret

        options: dict[str, Any] = {"rate_limit": None, "backoff": 0.01, "timeout": 10.0}
        options.update(overrides)
        client = TrutoClient(self.url, Secret(token or self.token), **options)
        self._clients.append(client)
        return client

    def environ(self, token: str | None = None) -> dict[str, str]:
        return {"TRUTO_API_URL": self.url, "TRUTO_API_TOKEN": token or self.token}

    def seed(self, *jobs: dict[str, Any], other: bool = False) -> list[dict[str, Any]]:
        environment = OTHER_ENVIRONMENT if other else ENVIRONMENT
        return self.control.seed_jobs(list(jobs), environment=environment)

    def _close(self) -> None:
        for client in self._clients:
            client.close()
        self._clients.clear()


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[RunningEmulator]:
    from syncspec.emulator.server import EmulatorConfig, start_emulator

    # Long random tokens: tests grep output and logs for them. No words in them: every 8
    # characters of a token are masked in output (syncspec.redact), so "emu-production-..."
    # would mask the word "production" in help texts and messages.
    token = f"emu-s-{secrets.token_hex(12)}"
    other = f"emu-p-{secrets.token_hex(12)}"
    config = EmulatorConfig(
        tokens={token: ENVIRONMENT, other: OTHER_ENVIRONMENT},
        run_duration_s=TEST_RUN_DURATION_S,
        random_seed=1234,
    )
    server = start_emulator(config)
    yield server
    server.stop()


@pytest.fixture
def emulator(emulator_server: RunningEmulator) -> Iterator[EmulatorHandle]:
    control = emulator_server.control
    control.reset()
    token, other = list(emulator_server.tokens)
    handle = EmulatorHandle(
        url=emulator_server.url,
        token=token,
        other_token=other,
        control=control,
        environment_id=control.environment_id(ENVIRONMENT),
        other_environment_id=control.environment_id(OTHER_ENVIRONMENT),
    )
    yield handle
    handle._close()
    control.reset()


@pytest.fixture
def emulator_env(emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> EmulatorHandle:
    for name, value in emulator.environ().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SYNCSPEC_PROFILE", raising=False)
    return emulator


@pytest.fixture
def env(
    emulator_env: EmulatorHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> EmulatorHandle:
    monkeypatch.chdir(tmp_path)  # no syncspec.toml, no jobs/ unless a test writes them
    return emulator_env


@pytest.fixture
def http(emulator: EmulatorHandle) -> Iterator[httpx.Client]:
    import httpx

    headers = {"Authorization": f"Bearer {emulator.token}"}
    with httpx.Client(base_url=emulator.url, headers=headers) as client:
        yield client


@pytest.fixture
def truto_client(emulator: EmulatorHandle) -> TrutoClient:
    return emulator.client()


@pytest.fixture(scope="session")
def wheelhouse_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/wheelhouse.py: the syncspec wheel and a wheel of every installed dependency.
    ``SYNCSPEC_TEST_WHEEL``: a syncspec wheel already built from this tree (else hatchling)."""
    import os

    from tests.wheelhouse import make_wheelhouse

    prebuilt = os.environ.get("SYNCSPEC_TEST_WHEEL")
    if not prebuilt:
        pytest.importorskip("hatchling", reason="hatchling (test group) builds the wheel offline")
    out = tmp_path_factory.mktemp("wheelhouse")
    return make_wheelhouse(out, Path(prebuilt) if prebuilt else None)


@pytest.fixture(scope="module")
def wheelhouse(wheelhouse_dir: Path) -> Iterator[Path]:
    """`syncspec init` (in-process or a subprocess) reads its hashes from the wheelhouse, for
    the tests of one module (``pytestmark = pytest.mark.usefixtures("wheelhouse")``)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SYNCSPEC_FIND_LINKS", str(wheelhouse_dir))
        yield wheelhouse_dir
