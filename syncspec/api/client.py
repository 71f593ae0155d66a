"""``TrutoClient``: typed calls for every Truto Admin API endpoint syncspec uses.

One client = one pooled connection set, one rate limiter and one ``RequestStats`` for a whole
command run. It is synchronous and thread-safe: ``apply`` shares one client between the threads
of a ``ThreadPoolExecutor``. See ``syncspec.api.http`` for the retry policy and error mapping, and
``/work/shared/truto-api.md`` (``docs/truto-api.md``) for the endpoints.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

from syncspec.api.http import DEFAULT_DEADLINE, DEFAULT_MAX_RESPONSE_BYTES, HttpCore
from syncspec.api.stats import RequestStats
from syncspec.config import Secret, Settings
from syncspec.errors import ApiError, ConfigError
from syncspec.safety import allowed_hosts, path_id_problem

JOBS = "/sync-job"
RUNS = "/sync-job-run"
RUN_STATE = "/sync-job-run-state"
CRON = "/sync-job-cron-trigger"
ACCOUNTS = "/integrated-account"
# A listing longer than this many pages is treated as a server that never ends it.
DEFAULT_MAX_PAGES = 1000
DEADLINE_ENV = "SYNCSPEC_REQUEST_DEADLINE"
MAX_RESPONSE_BYTES_ENV = "SYNCSPEC_MAX_RESPONSE_BYTES"
MAX_PAGES_ENV = "SYNCSPEC_MAX_PAGES"


def _segment(value: str, what: str, *, allow_slash: bool = False) -> str:
    """``value`` as one percent-encoded path segment; ids that would change the URL's meaning
    (``.``, ``..``, ``/``, empty, control characters) are refused before anything is sent."""
    problem = path_id_problem(value, allow_slash=allow_slash)
    if problem is not None:
        raise ConfigError(f"{what} {value!r} {problem}: it cannot be used in a request URL")
    return quote(value, safe="")


def _env_number(environ: Mapping[str, str], name: str, kind: type[float] | type[int]) -> Any:
    text = environ.get(name, "").strip()
    if not text:
        return None
    try:
        value = kind(text)
    except ValueError:
        value = 0
    if not value > 0:
        raise ConfigError(f"{name}={text!r}: expected a positive {kind.__name__}")
    return value


class IncompleteListing(ApiError):
    """A listing that cannot be proven complete: never used as a (short) list of items."""


# The largest page the API allows: a plan over N live jobs costs ceil(N / 1000) list requests.
LIST_PAGE_SIZE = 1000


class TrutoClient:
    """The Truto Admin API, with retries, a shared rate limiter and syncspec's error tree."""

    def __init__(
        self,
        base_url: str,
        token: Secret,
        *,
        token_env: str = "TRUTO_API_TOKEN",
        rate_limit: tuple[int, float] | None = (500, 10.0),
        timeout: float = 30.0,
        max_attempts: int = 4,
        page_size: int = 100,
        transport: httpx.BaseTransport | None = None,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        max_retry_after: float = 60.0,
        deadline: float = DEFAULT_DEADLINE,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_pages: int = DEFAULT_MAX_PAGES,
        allowed_hosts: Iterable[str] = (),
    ) -> None:
        if not 1 <= page_size <= 1000:
            raise ConfigError("page_size must be between 1 and 1000")
        if max_pages < 1:
            raise ConfigError("max_pages must be at least 1")
        self.page_size = page_size
        self.max_pages = max_pages
        self._http = HttpCore(
            base_url,
            token,
            token_env=token_env,
            rate_limit=rate_limit,
            timeout=timeout,
            max_attempts=max_attempts,
            transport=transport,
            backoff=backoff,
            max_backoff=max_backoff,
            max_retry_after=max_retry_after,
            deadline=deadline,
            max_response_bytes=max_response_bytes,
            allowed_hosts=allowed_hosts,
        )
        self.base_url = self._http.base_url
        self.token_env = token_env

    @classmethod
    def from_settings(
        cls, settings: Settings, environ: Mapping[str, str] | None = None, **overrides: Any
    ) -> TrutoClient:
        """The one way syncspec builds a client: for the settings' profile (URL, token variable,
        rate limit, the command line's allowed hosts), options in ``overrides``, bounded by
        ``SYNCSPEC_REQUEST_DEADLINE`` (seconds), ``SYNCSPEC_MAX_RESPONSE_BYTES`` and
        ``SYNCSPEC_MAX_PAGES`` when they are set."""
        env = os.environ if environ is None else environ
        kwargs: dict[str, Any] = {
            "token_env": settings.profile.token_env,
            "rate_limit": settings.rate_limit,
        }
        for option, name, kind in (
            ("deadline", DEADLINE_ENV, float),
            ("max_response_bytes", MAX_RESPONSE_BYTES_ENV, int),
            ("max_pages", MAX_PAGES_ENV, int),
        ):
            value = _env_number(env, name, kind)
            if value is not None:
                kwargs[option] = value
        kwargs["allowed_hosts"] = sorted({*allowed_hosts(env), *settings.allowed_hosts})
        kwargs.update(overrides)
        base_url = kwargs.pop("base_url", settings.profile.api_url)
        token = kwargs.pop("token", None) or settings.token()
        return cls(base_url, token, **kwargs)

    @property
    def stats(self) -> RequestStats:
        return self._http.stats

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> TrutoClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"TrutoClient({self.base_url!r}, token from {self.token_env})"

    # -- plumbing ----------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """One call with retries and error mapping; returns the decoded JSON body."""
        return self._http.request(method, path, params=params, json=json)

    def _object(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        body = self.request(method, path, **kwargs)
        if not isinstance(body, dict):
            raise ApiError(
                "expected a JSON object in the response", method=method, path=path, status=200
            )
        return body

    def paginate(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        max_items: int | None = None,
        id_field: str = "id",
    ) -> list[dict[str, Any]]:
        """Every item of a list endpoint, following ``next_cursor`` (``result`` or ``results``).

        The list is returned only when it is provably complete; anything else raises
        ``IncompleteListing`` (a short list would make a plan propose duplicates or deletes):
        an empty page that still has a cursor, a cursor seen before (a cycle), the same item
        (by ``id_field``) on two pages, more than ``max_pages`` pages, an item that is not an
        object or lacks a string ``id_field``. ``max_items`` stops early on purpose.
        """
        items: list[dict[str, Any]] = []
        ids: set[str] = set()
        query = dict(params or {})
        seen: set[str] = set()
        for page_number in range(1, self.max_pages + 1):
            limit = self.page_size
            if max_items is not None:
                limit = max(1, min(limit, max_items - len(items)))
            body = self.request("GET", path, params={**query, "limit": limit})
            page = body.get("result", body.get("results")) if isinstance(body, dict) else body
            if not isinstance(page, list):
                raise self._incomplete(path, "the response is not a list (no `result` array)")
            for index, item in enumerate(page):
                ident = item.get(id_field) if isinstance(item, dict) else None
                if not isinstance(ident, str):
                    what = (
                        "not an object"
                        if not isinstance(item, dict)
                        else (f"an object without a string `{id_field}`")
                    )
                    raise self._incomplete(path, f"item {index} of page {page_number} is {what}")
                if ident in ids:
                    raise self._incomplete(
                        path, f"{id_field} {ident!r} came back on two pages (or twice on one)"
                    )
                ids.add(ident)
                items.append(item)
            cursor = body.get("next_cursor") if isinstance(body, dict) else None
            if max_items is not None and len(items) >= max_items:
                return items[:max_items]
            if cursor is None or cursor == "":
                return items
            if not isinstance(cursor, str):
                raise self._incomplete(path, "next_cursor is not a string")
            if not page:
                raise self._incomplete(path, f"page {page_number} is empty but has a next_cursor")
            if cursor in seen:
                raise self._incomplete(
                    path, "pagination did not advance (the same next_cursor came back twice)"
                )
            seen.add(cursor)
            query["next_cursor"] = cursor
        raise self._incomplete(
            path, f"more than {self.max_pages:,} pages (SYNCSPEC_MAX_PAGES); the listing never ends"
        )

    @staticmethod
    def _incomplete(path: str, reason: str) -> IncompleteListing:
        return IncompleteListing(
            f"{reason}; the listing cannot be proven complete, so nothing was done with it",
            method="GET",
            path=path,
            status=200,
        )

    # -- sync jobs ---------------------------------------------------------------------------

    def list_sync_jobs(self, *, integration_name: str | None = None) -> list[dict[str, Any]]:
        return self.paginate(JOBS, {"integration_name": integration_name})

    def get_sync_job(self, job_id: str) -> dict[str, Any]:
        return self._object("GET", f"{JOBS}/{_segment(job_id, 'job id')}")

    def create_sync_job(self, body: Mapping[str, Any]) -> dict[str, Any]:
        return self._object("POST", JOBS, json=dict(body))

    def update_sync_job(self, job_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return self._object("PATCH", f"{JOBS}/{_segment(job_id, 'job id')}", json=dict(body))

    def delete_sync_job(self, job_id: str) -> dict[str, Any]:
        return self._object("DELETE", f"{JOBS}/{_segment(job_id, 'job id')}")

    # -- sync job runs -----------------------------------------------------------------------

    def create_sync_job_run(self, body: Mapping[str, Any]) -> dict[str, Any]:
        return self._object("POST", RUNS, json=dict(body))

    def list_sync_job_runs(
        self,
        *,
        sync_job_id: str | None = None,
        integrated_account_id: str | None = None,
        status: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Runs matching the filters; ``limit`` caps how many are returned (all pages if None)."""
        params = {
            "sync_job_id": sync_job_id,
            "integrated_account_id": integrated_account_id,
            "status": status,
        }
        return self.paginate(RUNS, params, max_items=limit)

    def get_sync_job_run(self, run_id: str) -> dict[str, Any]:
        return self._object("GET", f"{RUNS}/{_segment(run_id, 'run id')}")

    def update_sync_job_run(self, run_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return self._object("PATCH", f"{RUNS}/{_segment(run_id, 'run id')}", json=dict(body))

    def delete_sync_job_run(self, run_id: str) -> dict[str, Any]:
        return self._object("DELETE", f"{RUNS}/{_segment(run_id, 'run id')}")

    # -- sync job run state (``state_key`` is the namespace; the path id is the entry's key) ---

    def list_run_state(self, state_key: str) -> list[dict[str, Any]]:
        _segment(state_key, "state_key", allow_slash=True)
        return self.paginate(RUN_STATE, {"state_key": state_key}, id_field="key")

    def create_run_state(
        self, state_key: str, key: str, value: str, *, sync_job_run_id: str | None = None
    ) -> dict[str, Any]:
        _segment(state_key, "state_key", allow_slash=True)
        _segment(key, "state key", allow_slash=True)
        body: dict[str, Any] = {"key": key, "value": value}
        if sync_job_run_id is not None:
            body["sync_job_run_id"] = sync_job_run_id
        return self._object("POST", RUN_STATE, params={"state_key": state_key}, json=body)

    def get_run_state(self, state_key: str, key: str) -> dict[str, Any]:
        return self._state("GET", state_key, key)

    def update_run_state(self, state_key: str, key: str, value: str) -> dict[str, Any]:
        return self._state("PATCH", state_key, key, json={"value": value})

    def delete_run_state(self, state_key: str, key: str) -> dict[str, Any]:
        return self._state("DELETE", state_key, key)

    def _state(self, method: str, state_key: str, key: str, **kwargs: Any) -> dict[str, Any]:
        _segment(state_key, "state_key", allow_slash=True)
        path = f"{RUN_STATE}/{_segment(key, 'state key', allow_slash=True)}"
        return self._object(method, path, params={"state_key": state_key}, **kwargs)

    # -- cron triggers -----------------------------------------------------------------------

    def list_cron_triggers(self, *, sync_job_id: str | None = None) -> list[dict[str, Any]]:
        return self.paginate(CRON, {"sync_job_id": sync_job_id})

    def get_cron_trigger(self, trigger_id: str) -> dict[str, Any]:
        return self._object("GET", f"{CRON}/{_segment(trigger_id, 'cron trigger id')}")

    def create_cron_trigger(self, body: Mapping[str, Any]) -> dict[str, Any]:
        return self._object("POST", CRON, json=dict(body))

    def update_cron_trigger(self, trigger_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        path = f"{CRON}/{_segment(trigger_id, 'cron trigger id')}"
        return self._object("PATCH", path, json=dict(body))

    def delete_cron_trigger(self, trigger_id: str) -> dict[str, Any]:
        return self._object("DELETE", f"{CRON}/{_segment(trigger_id, 'cron trigger id')}")

    def schedule_cron_trigger(self, trigger_id: str) -> dict[str, Any]:
        path = f"{CRON}/{_segment(trigger_id, 'cron trigger id')}/schedule"
        return self._object("POST", path)

    # -- integrated accounts (read-only: Truto's connect flow creates them) --------------------

    def list_integrated_accounts(
        self, *, tenant_id: str | None = None, is_sandbox: bool | None = None
    ) -> list[dict[str, Any]]:
        """Every integrated account (no documented filter by integration: filter on
        ``integration.name``), provably complete or ``IncompleteListing``."""
        sandbox = None if is_sandbox is None else ("true" if is_sandbox else "false")
        return self.paginate(ACCOUNTS, {"tenant_id": tenant_id, "is_sandbox": sandbox})

    def get_integrated_account(self, account_id: str) -> dict[str, Any]:
        return self._object("GET", f"{ACCOUNTS}/{_segment(account_id, 'integrated account id')}")
