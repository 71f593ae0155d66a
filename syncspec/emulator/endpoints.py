"""The emulated endpoints of ``truto-api.md``: sync jobs, runs, run state, cron triggers
(integrated accounts and trigger firing: ``accounts.py``).

Handlers read the caller's environment from the ASGI scope (set by the gate in ``app.py``) and
only ever see that environment's rows, so another environment's id is a plain 404.
Validation answers 400 with Truto's error body ``{"statusCode", "error", "message"}``.

Where Truto's sources disagree (truto-api.md) the state's readings choose: a run-state ``POST``
of an existing key updates it (``run_state_post="upsert"``, the skills docs) or answers 409
(``"conflict"``); lists name their array ``result`` or ``results``.

Decision: a cron trigger's ``environment_id`` is set from the token. Truto's TypeScript SDK sends
it on create, so the token's own id is accepted (and changes nothing); another environment's id
answers 403 (the token may not act there; the API's 404 is for ids in the path).
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from syncspec.emulator.accounts import Accounts, check_trigger
from syncspec.emulator.protocol import (
    CRON_FIELDS,
    ERROR_HANDLING,
    JOB_FIELDS,
    JOB_NULLABLE,
    RUN_FIELDS,
    RUN_PATCH_FIELDS,
    Check,
    HttpError,
    is_str,
    is_str_or_null,
    json_object,
    page,
    page_params,
    validate,
)
from syncspec.emulator.runs import STATUSES, TERMINAL, iso, run_view
from syncspec.emulator.state import EmulatorState, environment_id, stored_label
from syncspec.emulator.store import Row

# -- the handlers ----------------------------------------------------------------------------


class Endpoints:
    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.store = state.store
        self.accounts = Accounts(self)

    def _env(self, request: Request) -> str:
        env = environment_id(str(request.scope["syncspec.environment"]))
        self.accounts.fire_due(env)  # scheduled triggers whose time has come start runs first
        return env

    def _page(
        self, kind: str, rows: list[Row], limit: int, items: list[dict[str, Any]]
    ) -> JSONResponse:
        return page(kind, rows, limit, items, key=self.state.list_key)

    def _now(self) -> tuple[float, str]:
        ts = self.state.now()
        return ts, iso(ts)

    def _found(self, kind: str, env: str, obj_id: str, what: str, ns: str = "") -> Row:
        row = self.store.get(kind, env, obj_id, ns=ns)
        if row is None:
            raise HttpError(404, f"{what} not found")
        return row

    # sync jobs

    def new_job(self, env: str, sent: dict[str, Any], *, keep_ids: bool = False) -> dict[str, Any]:
        """Store a job as sent plus server fields and defaults (also used to seed)."""
        now = _iso_ms(self.state.creation_ms())
        job_id = str(sent["id"]) if keep_ids and sent.get("id") else str(uuid.uuid4())
        server = ("id", "environment_id", "created_at", "updated_at")
        job: dict[str, Any] = {"id": job_id}
        job.update((k, v) for k, v in sent.items() if k not in server)
        job.setdefault("label", "Untitled")
        job.setdefault("default_runtime_version", self.state.default_runtime_version)
        for name in JOB_NULLABLE:
            job.setdefault(name, None)
        job["environment_id"] = env
        job["created_at"] = sent.get("created_at", now) if keep_ids else now
        job["updated_at"] = sent.get("updated_at", now) if keep_ids else now
        if not self.store.insert("job", env, job_id, job):
            raise HttpError(409, f"sync job {job_id} exists already")
        return job

    async def list_jobs(self, request: Request) -> JSONResponse:
        env = self._env(request)
        limit, after = page_params(request, "job")
        filters = {
            name: request.query_params[name]
            for name in ("integration_name", "environment_id")
            if name in request.query_params
        }
        rows = self.store.select("job", env, filters=filters, after=after, limit=limit + 1)
        return self._page("job", rows, limit, [r.body for r in rows])

    async def get_job(self, request: Request) -> JSONResponse:
        row = self._found("job", self._env(request), request.path_params["id"], "sync job")
        return JSONResponse(row.body)

    async def create_job(self, request: Request) -> JSONResponse:
        body = await json_object(request)
        validate(body, JOB_FIELDS, ("integration_name", "resources"))
        if "label" in body:
            body["label"] = stored_label(body["label"], self.state.label_rewrite)
        return JSONResponse(self.new_job(self._env(request), body), status_code=201)

    async def update_job(self, request: Request) -> JSONResponse:
        env = self._env(request)
        job_id = request.path_params["id"]
        body = await json_object(request)  # read first: no await between read and write
        row = self._found("job", env, job_id, "sync job")
        validate(body, JOB_FIELDS)
        if "label" in body:
            body["label"] = stored_label(body["label"], self.state.label_rewrite)
        job = row.body
        job.update(body)  # each top-level field sent replaces the stored one, whole
        job["updated_at"] = self._now()[1]
        self.store.replace("job", env, job_id, job)
        return JSONResponse(job)

    async def delete_job(self, request: Request) -> JSONResponse:
        env = self._env(request)
        job_id = request.path_params["id"]
        if not self.store.delete("job", env, job_id):
            raise HttpError(404, "sync job not found")
        self.accounts.cascade(env, job_id)
        return JSONResponse({"id": job_id})

    # runs

    def _run(self, row: Row) -> dict[str, Any]:
        return run_view(row.body, row.meta, self.state.now())

    async def create_run(self, request: Request) -> JSONResponse:
        env = self._env(request)
        body = await json_object(request)
        run, meta, ts = self.new_run(env, body)
        return JSONResponse(run_view(run, meta, ts), status_code=201)

    def new_run(
        self,
        env: str,
        body: dict[str, Any],
        *,
        at: float | None = None,
        cron_trigger_id: str | None = None,
    ) -> tuple[dict[str, Any], dict[str, Any], float]:
        """Validate and store a run (``at``: when a cron trigger fired it)."""
        validate(body, RUN_FIELDS, ("sync_job_id", "integrated_account_id"))
        if body.get("status", "created") != "created":
            raise HttpError(400, 'status must be "created"')
        if body.get("webhook_id") and body.get("daemon_group_key"):
            raise HttpError(400, "webhook_id and daemon_group_key cannot be used together")
        handling = body.get("error_handling", "fail_fast")
        if handling not in ERROR_HANDLING:
            raise HttpError(400, f"error_handling must be one of {', '.join(ERROR_HANDLING)}")
        job = self._found("job", env, body["sync_job_id"], "sync job").body
        args = body.get("args") or {}
        for name in _required_args(job.get("args_schema")):
            if name not in args:
                raise HttpError(400, f"args.{name} is required")
        ts, now = self._now() if at is None else (at, iso(at))
        run_id = str(uuid.uuid4())
        run: dict[str, Any] = {
            "id": run_id,
            "sync_job_id": job["id"],
            "integrated_account_id": body["integrated_account_id"],
            "args": args,
            "resources": body.get("resources"),
            "status": "created",
            "daemon_id": None,
            "daemon_group_key": body.get("daemon_group_key"),
            "webhook_id": body.get("webhook_id"),
            "error_handling": handling,
            "ignore_previous_run": body.get("ignore_previous_run", False),
            "version": job.get("default_runtime_version"),
            "resource_stats": {},
            "environment_id": env,
            "created_at": now,
            "updated_at": now,
            "started_at": None,
            "finished_at": None,
        }
        for extra in ("super_query", "events_to_send", "datastore_id", "mutex_key", "state_key"):
            if extra in body:
                run[extra] = body[extra]
        for key in ("mutex_key", "state_key"):  # a run carries them rendered (debugging docs)
            if key not in run:
                run[key] = _render_key(job.get(key), args, body["integrated_account_id"])
        if cron_trigger_id is not None:
            run["sync_job_cron_trigger_id"] = cron_trigger_id
        run["sync_job"] = job
        meta = {
            "created_ts": ts,
            "duration_s": self.state.run_duration_s,
            "job_resources": job.get("resources"),
        }
        self.store.insert("run", env, run_id, run, meta=meta)
        return run, meta, ts

    async def list_runs(self, request: Request) -> JSONResponse:
        env = self._env(request)
        limit, cursor = page_params(request, "run")
        sort = request.query_params.get("sort", "created_at")
        if sort not in ("created_at", "-created_at"):
            raise HttpError(400, "sort must be created_at or -created_at")
        desc = sort.startswith("-")
        status = request.query_params.get("status")
        if status is not None and status not in STATUSES:
            raise HttpError(400, f"status must be one of {', '.join(sorted(STATUSES))}")
        filters = {
            name: request.query_params[name]
            for name in ("sync_job_id", "integrated_account_id")
            if name in request.query_params
        }
        rows = self.store.select(
            "run",
            env,
            filters=filters,
            after=None if desc else cursor,
            before=cursor if desc else None,
            descending=desc,
        )
        views = [(r, self._run(r)) for r in rows]
        if status is not None:
            views = [(r, v) for r, v in views if v["status"] == status]
        kept = [r for r, _ in views]
        return self._page("run", kept, limit, [v for _, v in views])

    async def get_run(self, request: Request) -> JSONResponse:
        row = self._found("run", self._env(request), request.path_params["id"], "sync job run")
        return JSONResponse(self._run(row))

    def _freeze(self, env: str, row: Row, changes: dict[str, Any]) -> dict[str, Any]:
        run = self._run(row)
        run.update(changes)
        run["updated_at"] = self._now()[1]
        self.store.replace("run", env, run["id"], run, meta={**row.meta, "frozen": True})
        return run

    async def update_run(self, request: Request) -> JSONResponse:
        env = self._env(request)
        body = await json_object(request)
        row = self._found("run", env, request.path_params["id"], "sync job run")
        validate(body, RUN_PATCH_FIELDS)
        if "status" in body and body["status"] not in STATUSES:
            raise HttpError(400, f"status must be one of {', '.join(sorted(STATUSES))}")
        return JSONResponse(self._freeze(env, row, body))

    async def delete_run(self, request: Request) -> JSONResponse:
        # Decision: DELETE stops an unfinished run (status "stopped") and keeps it readable;
        # a finished run is returned unchanged. Runs are history; nothing is removed.
        env = self._env(request)
        row = self._found("run", env, request.path_params["id"], "sync job run")
        current = self._run(row)
        if current["status"] in TERMINAL:
            return JSONResponse(current)
        now = self._now()[1]
        return JSONResponse(self._freeze(env, row, {"status": "stopped", "finished_at": now}))

    # run state

    def _state_key(self, request: Request) -> str:
        key = request.query_params.get("state_key")
        if not key:
            raise HttpError(400, "state_key query parameter is required")
        return key

    async def list_state(self, request: Request) -> JSONResponse:
        env, ns = self._env(request), self._state_key(request)
        limit, after = page_params(request, "state")
        rows = self.store.select("state", env, ns=ns, after=after, limit=limit + 1)
        return self._page("state", rows, limit, [r.body for r in rows])

    async def create_state(self, request: Request) -> JSONResponse:
        env, ns = self._env(request), self._state_key(request)
        body = await json_object(request)
        fields: dict[str, Check] = {
            "key": is_str,
            "value": is_str,
            "sync_job_run_id": is_str_or_null,
        }
        validate(body, fields, ("key", "value"))
        if not body["key"]:
            raise HttpError(400, "key must not be empty")
        now = self._now()[1]
        entry = {
            "key": body["key"],
            "value": body["value"],
            "sync_job_run_id": body.get("sync_job_run_id"),
            "created_at": now,
            "updated_at": now,
        }
        if self.store.insert("state", env, body["key"], entry, ns=ns):
            return JSONResponse(entry, status_code=201)
        if self.state.run_state_post == "conflict":
            raise HttpError(409, f"state entry {body['key']} exists already")
        # create-or-update: the entry keeps its created_at (and its run id unless one is sent)
        row = self._found("state", env, body["key"], "state entry", ns)
        sent = {k: v for k, v in body.items() if k != "key"}
        updated = {**row.body, **sent, "updated_at": now}
        self.store.replace("state", env, body["key"], updated, ns=ns)
        return JSONResponse(updated)

    async def get_state(self, request: Request) -> JSONResponse:
        env, ns = self._env(request), self._state_key(request)
        row = self._found("state", env, request.path_params["key"], "state entry", ns)
        return JSONResponse(row.body)

    async def update_state(self, request: Request) -> JSONResponse:
        env, ns = self._env(request), self._state_key(request)
        key = request.path_params["key"]
        body = await json_object(request)
        row = self._found("state", env, key, "state entry", ns)
        fields: dict[str, Check] = {"value": is_str, "sync_job_run_id": is_str_or_null}
        validate(body, fields, ("value",))
        entry = {**row.body, **body, "updated_at": self._now()[1]}
        self.store.replace("state", env, key, entry, ns=ns)
        return JSONResponse(entry)

    async def delete_state(self, request: Request) -> JSONResponse:
        env, ns = self._env(request), self._state_key(request)
        key = request.path_params["key"]
        row = self._found("state", env, key, "state entry", ns)
        self.store.delete("state", env, key, ns=ns)
        return JSONResponse(row.body)

    # cron triggers

    async def list_cron(self, request: Request) -> JSONResponse:
        env = self._env(request)
        limit, after = page_params(request, "cron")
        filters = {
            name: request.query_params[name]
            for name in ("sync_job_id", "integrated_account_id")
            if name in request.query_params
        }
        rows = self.store.select("cron", env, filters=filters, after=after, limit=limit + 1)
        return self._page("cron", rows, limit, [r.body for r in rows])

    async def get_cron(self, request: Request) -> JSONResponse:
        row = self._found("cron", self._env(request), request.path_params["id"], "cron trigger")
        return JSONResponse(row.body)

    async def create_cron(self, request: Request) -> JSONResponse:
        env = self._env(request)
        body = _own_environment(await json_object(request), env)
        validate(body, CRON_FIELDS, ("sync_job_id", "cron_expression"))
        check_trigger(body)
        self._found("job", env, body["sync_job_id"], "sync job")
        if self.state.cron_meta == "dropped":
            body = {k: v for k, v in body.items() if k != "meta"}
        now = self._now()[1]
        trigger_id = str(uuid.uuid4())
        trigger = {"id": trigger_id, **body, "environment_id": env}
        trigger.update(created_at=now, updated_at=now)
        self.store.insert("cron", env, trigger_id, trigger)
        return JSONResponse(trigger, status_code=201)

    async def update_cron(self, request: Request) -> JSONResponse:
        env = self._env(request)
        trigger_id = request.path_params["id"]
        body = await json_object(request)
        row = self._found("cron", env, trigger_id, "cron trigger")
        body = _own_environment(body, env)
        validate(body, CRON_FIELDS)
        if self.state.cron_meta == "dropped":
            body = {k: v for k, v in body.items() if k != "meta"}
        trigger = {**row.body, **body, "updated_at": self._now()[1]}
        check_trigger(trigger)
        if "sync_job_id" in body:
            self._found("job", env, body["sync_job_id"], "sync job")
        meta = row.meta
        if trigger["cron_expression"] != row.body["cron_expression"]:
            # a changed schedule is inactive until POST /schedule (Truto: needed after a change)
            meta = {k: v for k, v in meta.items() if k != "next_fire_ts"}
        self.store.replace("cron", env, trigger_id, trigger, meta=meta)
        return JSONResponse(trigger)

    async def delete_cron(self, request: Request) -> JSONResponse:
        env = self._env(request)
        trigger_id = request.path_params["id"]
        if not self.store.delete("cron", env, trigger_id):
            raise HttpError(404, "cron trigger not found")
        return JSONResponse({"id": trigger_id})

    async def schedule_cron(self, request: Request) -> JSONResponse:
        env = self._env(request)
        row = self._found("cron", env, request.path_params["id"], "cron trigger")
        self.accounts.schedule(env, row)
        return JSONResponse({"success": True})


def _iso_ms(ms: int) -> str:
    """``iso`` of a whole number of milliseconds (exact: no float rounding between jobs)."""
    return iso(ms // 1000)[:-4] + f"{ms % 1000:03d}Z"


def _own_environment(body: dict[str, Any], env: str) -> dict[str, Any]:
    """``body`` without ``environment_id``, which may only name the token's own environment."""
    if "environment_id" not in body:
        return body
    sent = body["environment_id"]
    if not isinstance(sent, str):
        raise HttpError(400, "environment_id must be a string")
    if sent != env:
        raise HttpError(403, "environment_id is not this API token's environment")
    return {k: v for k, v in body.items() if k != "environment_id"}


def _required_args(schema: Any) -> list[str]:
    """Names of ``required: true`` properties, in either documented ``args_schema`` shape."""
    if not isinstance(schema, dict):
        return []
    props = schema.get("properties") if schema.get("type") == "object" else schema
    if not isinstance(props, dict):
        return []
    return [n for n, p in props.items() if isinstance(p, dict) and p.get("required") is True]


def _render_key(template: Any, args: dict[str, Any], account: Any) -> Any:
    """A job's ``mutex_key``/``state_key`` template rendered for one run (its args, with the
    run's integrated account id): what a run shows; None when the job has none."""
    if not isinstance(template, str):
        return None
    from syncspec.nodetest.placeholders import PlaceholderError, replace_placeholders

    context = {"args": {"integrated_account_id": account, **args}, "integrated_account_id": account}
    try:
        rendered = replace_placeholders(template, context)
    except PlaceholderError:
        return None
    return rendered if isinstance(rendered, str) else None
