"""Integrated accounts (``/integrated-account``) and the cron triggers' life in the emulator.

Accounts have Truto's fields (truto-api.md, "Integrated accounts"): ``id``, ``tenant_id``,
``environment_id``, ``environment_integration_id``, ``status``, ``is_sandbox``,
``integration: {id, name, category}``, ``authentication_method``, ``region``, ``context``,
timestamps; the list filters on ``tenant_id`` and ``is_sandbox``. Truto creates accounts through
its connect flow; the emulator also takes ``POST`` (``tenant_id``, ``integration_name`` or
``integration: {name}``, ``is_sandbox``, ``status``), ``PATCH`` of ``status``/``context`` and
``DELETE``, so demos and tests can set accounts up over HTTP.

Cron triggers are checked as Truto documents them (5-field cron, enums, ``webhook_id`` xor
``daemon_group_key``, ``meta`` an object kept as sent). A trigger fires only once
``POST /schedule`` activated it; changing its ``cron_expression`` deactivates it until the next
``/schedule`` (the reading that makes a client call it, as Truto says it must). Firing follows the
emulator's clock lazily: each request first starts the runs of every fire time that has passed
(croniter computes them), so a test that advances the frozen clock past a fire time sees the runs.
"""

from __future__ import annotations

import contextlib
import math
import re
import uuid
from datetime import UTC, datetime
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse

from syncspec.emulator.protocol import (
    ERROR_HANDLING,
    Check,
    HttpError,
    is_str,
    is_str_or_null,
    json_object,
    page,
    page_params,
    validate,
)
from syncspec.emulator.runs import iso
from syncspec.emulator.state import EmulatorState
from syncspec.emulator.store import Row, Store


class Endpoints(Protocol):
    """What these handlers use of ``endpoints.Endpoints`` (no import: no circle)."""

    state: EmulatorState
    store: Store

    def _env(self, request: Request) -> str: ...

    def _found(self, kind: str, env: str, obj_id: str, what: str, ns: str = "") -> Row: ...

    def new_run(
        self,
        env: str,
        body: dict[str, Any],
        *,
        at: float | None = None,
        cron_trigger_id: str | None = None,
    ) -> tuple[dict[str, Any], dict[str, Any], float]: ...


def valid_cron(expression: str) -> bool:
    """A 5-field cron expression Truto would take (croniter reads it; no H, no seconds). The
    emulator is a separate server: it does not share syncspec's own cron checks."""
    from croniter import croniter

    names = re.sub(_NAMES, "", expression)
    return (
        len(expression.split()) == 5
        and re.fullmatch(r"[0-9*,/\- ]+", names) is not None
        and bool(croniter.is_valid(expression))
    )


def next_fire(expression: str, after: float) -> float | None:
    """The next fire time after ``after`` (epoch seconds, UTC), or None if it never fires."""
    from croniter import croniter
    from croniter.croniter import CroniterError

    try:
        fire: datetime = croniter(expression, datetime.fromtimestamp(after, UTC)).get_next(datetime)
    except (CroniterError, ValueError, TypeError):
        return None
    return fire.timestamp()


SUPER_QUERY = ("apac", "wnam")
_NAMES = re.compile(
    r"(?i)jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|sun|mon|tue|wed|thu|fri|sat"
)
_CATEGORIES = {"zendesk": "ticketing", "jira": "ticketing", "hubspot": "crm", "salesforce": "crm"}
# Fire times started per trigger in one catch-up (a clock advanced by a year does not start
# half a million runs; later fire times that were missed are skipped, as a real scheduler would).
MAX_CATCH_UP = 50


def _is_bool(v: Any) -> bool:
    return isinstance(v, bool)


def _is_obj(v: Any) -> bool:
    return isinstance(v, dict)


def _is_integration(v: Any) -> bool:
    return isinstance(v, dict) and isinstance(v.get("name"), str) and bool(v["name"])


_CREATE_FIELDS: dict[str, Check] = {
    "id": is_str,
    "tenant_id": is_str,
    "integration_name": is_str,
    "integration": _is_integration,
    "is_sandbox": _is_bool,
    "status": is_str,
    "context": _is_obj,
    "region": is_str_or_null,
    "authentication_method": is_str_or_null,
    "created_at": is_str,
    "updated_at": is_str,
}
_PATCH_FIELDS: dict[str, Check] = {"status": is_str, "context": _is_obj, "is_sandbox": _is_bool}


def check_trigger(body: dict[str, Any]) -> None:
    """400 for what Truto documents as invalid in a trigger (beyond the field types)."""
    expression = body.get("cron_expression")
    if isinstance(expression, str) and not valid_cron(expression):
        raise HttpError(400, f"cron_expression {expression!r} is not a valid 5-field cron")
    if body.get("error_handling") is not None and body["error_handling"] not in ERROR_HANDLING:
        raise HttpError(400, f"error_handling must be one of {', '.join(ERROR_HANDLING)}")
    if body.get("super_query") is not None and body["super_query"] not in SUPER_QUERY:
        raise HttpError(400, f"super_query must be one of {', '.join(SUPER_QUERY)}")
    if body.get("webhook_id") and body.get("daemon_group_key"):
        raise HttpError(400, "webhook_id and daemon_group_key cannot be used together")


class Accounts:
    """The ``/integrated-account`` handlers and the triggers' firing."""

    def __init__(self, endpoints: Endpoints) -> None:
        self.e = endpoints
        self.state = endpoints.state
        self.store = endpoints.store

    def new_account(self, env: str, sent: dict[str, Any], *, keep_ids: bool = False) -> Any:
        validate(sent, _CREATE_FIELDS, ("tenant_id",))
        integration = sent.get("integration") or {}
        name = sent.get("integration_name") or integration.get("name")
        if not isinstance(name, str) or not name:
            raise HttpError(400, "integration_name (or integration.name) is required")
        now = iso(self.state.now())
        account_id = str(sent["id"]) if keep_ids and sent.get("id") else str(uuid.uuid4())
        account = {
            "id": account_id,
            "tenant_id": sent["tenant_id"],
            "environment_id": env,
            "environment_integration_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{env}/{name}")),
            "status": sent.get("status", "active"),
            "is_sandbox": sent.get("is_sandbox", False),
            "integration": {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"integration/{name}")),
                "name": name,
                "category": integration.get("category", _CATEGORIES.get(name, "unified")),
            },
            "authentication_method": sent.get("authentication_method", "oauth2"),
            "region": sent.get("region"),
            "context": sent.get("context", {}),
            "created_at": sent.get("created_at", now) if keep_ids else now,
            "updated_at": sent.get("updated_at", now) if keep_ids else now,
        }
        if not self.store.insert("account", env, account_id, account):
            raise HttpError(409, f"integrated account {account_id} exists already")
        return account

    async def list(self, request: Request) -> JSONResponse:
        env = self.e._env(request)
        limit, after = page_params(request, "account")
        filters = {n: request.query_params[n] for n in ("tenant_id",) if n in request.query_params}
        sandbox = request.query_params.get("is_sandbox")
        if sandbox is not None and sandbox not in ("true", "false"):
            raise HttpError(400, "is_sandbox must be true or false")
        rows = self.store.select("account", env, filters=filters, after=after)
        if sandbox is not None:
            rows = [r for r in rows if r.body.get("is_sandbox") is (sandbox == "true")]
        rows = rows[: limit + 1]
        return page("account", rows, limit, [r.body for r in rows], key=self.state.list_key)

    async def get(self, request: Request) -> JSONResponse:
        env = self.e._env(request)
        row = self.e._found("account", env, request.path_params["id"], "integrated account")
        return JSONResponse(row.body)

    async def create(self, request: Request) -> JSONResponse:
        env = self.e._env(request)
        body = await json_object(request)
        return JSONResponse(self.new_account(env, body), status_code=201)

    async def update(self, request: Request) -> JSONResponse:
        env = self.e._env(request)
        account_id = request.path_params["id"]
        body = await json_object(request)
        row = self.e._found("account", env, account_id, "integrated account")
        validate(body, _PATCH_FIELDS)
        account = dict(row.body)
        if "context" in body:
            account["context"] = {**(account.get("context") or {}), **body["context"]}
        account.update((k, v) for k, v in body.items() if k != "context")
        account["updated_at"] = iso(self.state.now())
        self.store.replace("account", env, account_id, account)
        return JSONResponse(account)

    async def delete(self, request: Request) -> JSONResponse:
        env = self.e._env(request)
        account_id = request.path_params["id"]
        if not self.store.delete("account", env, account_id):
            raise HttpError(404, "integrated account not found")
        return JSONResponse({"id": account_id})

    # -- cron triggers on the emulator's clock ---------------------------------------------

    def schedule(self, env: str, row: Row) -> None:
        """Activate a trigger: its next fire time after now (``POST /schedule``)."""
        now = self.state.now()
        fire = next_fire(row.body["cron_expression"], now)
        meta = {**row.meta, "scheduled_at": iso(now), "next_fire_ts": fire}
        self.store.replace("cron", env, row.body["id"], row.body, meta=meta)
        with self.state.lock:
            if fire is not None:
                due = self.state.cron_due.get(env, math.inf)
                self.state.cron_due[env] = min(due, fire)

    def fire_due(self, env: str) -> None:
        """Start the runs of every fire time of an active trigger up to now (cheap when none
        is due: one comparison)."""
        state = self.state
        with state.lock:
            now = state.now()
            if now < state.cron_due.get(env, math.inf):
                return
            next_due = math.inf
            for row in self.store.select("cron", env):
                fire = row.meta.get("next_fire_ts")
                if not isinstance(fire, int | float):
                    continue
                fire = self._fire(env, row, float(fire), now)
                if fire is not None:
                    next_due = min(next_due, fire)
            state.cron_due[env] = next_due

    def _fire(self, env: str, row: Row, fire: float, now: float) -> float | None:
        trigger = row.body
        started = 0
        upcoming: float | None = fire
        while upcoming is not None and upcoming <= now:
            if started < MAX_CATCH_UP:
                self._start(env, trigger, upcoming)
                started += 1
                after = upcoming
            else:
                after = now  # the rest of the missed fire times are skipped
            upcoming = next_fire(trigger["cron_expression"], after)
        meta = {**row.meta, "next_fire_ts": upcoming, "fired": row.meta.get("fired", 0) + started}
        self.store.replace("cron", env, trigger["id"], trigger, meta=meta)
        return upcoming

    def _start(self, env: str, trigger: dict[str, Any], at: float) -> None:
        body: dict[str, Any] = {
            "sync_job_id": trigger["sync_job_id"],
            "integrated_account_id": trigger.get("integrated_account_id") or "",
            "args": trigger.get("args") or {},
        }
        for name in ("webhook_id", "daemon_group_key", "error_handling", "super_query"):
            if trigger.get(name) is not None:
                body[name] = trigger[name]
        if trigger.get("events_to_send") is not None:
            body["events_to_send"] = trigger["events_to_send"]
        # the job is gone or the args no longer fit: Truto logs a failed fire, starts nothing
        with contextlib.suppress(HttpError):
            self.e.new_run(env, body, at=at, cron_trigger_id=trigger["id"])

    def cascade(self, env: str, job_id: str) -> None:
        """Delete the job's triggers when the reading says a job delete takes them along."""
        if self.state.cron_on_job_delete != "cascade":
            return
        for row in self.store.select("cron", env, filters={"sync_job_id": job_id}):
            self.store.delete("cron", env, row.body["id"])


def seed_groups(
    seed: Any, first_environment: str
) -> dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """``--seed`` data as {environment name: (jobs, accounts)}.

    A group is a list of jobs, or ``{"sync_jobs": [...], "integrated_accounts": [...]}``; the
    file is one group (the first token's environment) or ``{environment name: group}``.
    """
    if not seed:
        return {}
    if isinstance(seed, list) or (
        isinstance(seed, dict) and ("sync_jobs" in seed or "integrated_accounts" in seed)
    ):
        seed = {first_environment: seed}
    out: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
    for name, group in seed.items():
        if isinstance(group, list):
            out[name] = (group, [])
        else:
            out[name] = (group.get("sync_jobs") or [], group.get("integrated_accounts") or [])
    return out
