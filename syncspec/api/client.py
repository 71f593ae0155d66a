"""``TrutoClient``: typed calls for every Truto Admin API endpoint syncspec uses.

One client = one pooled connection set, one rate limiter and one ``RequestStats`` for a whole
command run. It is synchronous and thread-safe: ``apply`` shares one client between the threads
of a ``ThreadPoolExecutor``. See ``syncspec.api.http`` for the retry policy and error mapping, and
``/work/shared/truto-api.md`` (``docs/truto-api.md``) for the endpoints.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

from syncspec.api.http import HttpCore, RequestStats
from syncspec.config import Secret, Settings
from syncspec.errors import ApiError, ConfigError

JOBS = "/sync-job"
RUNS = "/sync-job-run"
RUN_STATE = "/sync-job-run-state"
CRON = "/sync-job-cron-trigger"


def _segment(value: str, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{what} must be a non-empty string")
    return quote(value, safe="")


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
    ) -> None:
        if not 1 <= page_size <= 1000:
            raise ConfigError("page_size must be between 1 and 1000")
        self.page_size = page_size
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
        )
        self.base_url = self._http.base_url
        self.token_env = token_env

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> TrutoClient:
        """A client for the settings' profile (URL, token variable, rate limit)."""
        kwargs: dict[str, Any] = {
            "token_env": settings.profile.token_env,
            "rate_limit": settings.rate_limit,
        }
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
        self, path: str, params: Mapping[str, Any] | None = None, *, max_items: int | None = None
    ) -> list[dict[str, Any]]:
        """Every item of a list endpoint, following ``next_cursor`` (``result`` or ``results``)."""
        items: list[dict[str, Any]] = []
        query = dict(params or {})
        seen: set[str] = set()
        while True:
            limit = self.page_size
            if max_items is not None:
                limit = max(1, min(limit, max_items - len(items)))
            body = self.request("GET", path, params={**query, "limit": limit})
            page = body.get("result", body.get("results")) if isinstance(body, dict) else body
            if not isinstance(page, list):
                raise ApiError(
                    "expected a list response with `result`", method="GET", path=path, status=200
                )
            items.extend(item for item in page if isinstance(item, dict))
            cursor = body.get("next_cursor") if isinstance(body, dict) else None
            if max_items is not None and len(items) >= max_items:
                return items[:max_items]
            if not cursor or not page:
                return items
            if cursor in seen:
                raise ApiError(
                    "pagination did not advance (the same next_cursor came back twice)",
                    method="GET",
                    path=path,
                    status=200,
                )
            seen.add(cursor)
            query["next_cursor"] = cursor

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
        _segment(state_key, "state_key")
        return self.paginate(RUN_STATE, {"state_key": state_key})

    def create_run_state(
        self, state_key: str, key: str, value: str, *, sync_job_run_id: str | None = None
    ) -> dict[str, Any]:
        _segment(state_key, "state_key")
        _segment(key, "state key")
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
        _segment(state_key, "state_key")
        path = f"{RUN_STATE}/{_segment(key, 'state key')}"
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
