"""The emulator's ASGI application: routes plus a gate that plays the API's front door.

For each request the gate, in order: waits ``latency_ms``; checks the bearer token (401) and puts
its environment in the scope; applies the per-token fixed-window rate limit (429 with
``Retry-After`` = seconds left in the window, rounded up); plays scripted faults and random
``fail_rate`` failures (500/502/503, before anything is applied); then runs the endpoint. A
fault marked ``after_commit`` lets the endpoint apply the change first and then answers with the
fault's status, or holds the real response back for ``hang_s`` (a lost response). Every request
is recorded in the state's log with the status the client saw.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from syncspec.emulator.endpoints import Endpoints
from syncspec.emulator.protocol import HttpError, error_response
from syncspec.emulator.state import EmulatorState, Fault, RecordedRequest
from syncspec.emulator.state import Gate as HoldGate


def build_app(state: EmulatorState) -> ASGIApp:
    e = Endpoints(state)
    routes = [
        Route("/sync-job", e.list_jobs, methods=["GET"]),
        Route("/sync-job", e.create_job, methods=["POST"]),
        Route("/sync-job/{id}", e.get_job, methods=["GET"]),
        Route("/sync-job/{id}", e.update_job, methods=["PATCH"]),
        Route("/sync-job/{id}", e.delete_job, methods=["DELETE"]),
        Route("/sync-job-run", e.list_runs, methods=["GET"]),
        Route("/sync-job-run", e.create_run, methods=["POST"]),
        Route("/sync-job-run/{id}", e.get_run, methods=["GET"]),
        Route("/sync-job-run/{id}", e.update_run, methods=["PATCH"]),
        Route("/sync-job-run/{id}", e.delete_run, methods=["DELETE"]),
        Route("/sync-job-run-state", e.list_state, methods=["GET"]),
        Route("/sync-job-run-state", e.create_state, methods=["POST"]),
        Route("/sync-job-run-state/{key:path}", e.get_state, methods=["GET"]),
        Route("/sync-job-run-state/{key:path}", e.update_state, methods=["PATCH"]),
        Route("/sync-job-run-state/{key:path}", e.delete_state, methods=["DELETE"]),
        Route("/sync-job-cron-trigger", e.list_cron, methods=["GET"]),
        Route("/sync-job-cron-trigger", e.create_cron, methods=["POST"]),
        Route("/sync-job-cron-trigger/{id}", e.get_cron, methods=["GET"]),
        Route("/sync-job-cron-trigger/{id}", e.update_cron, methods=["PATCH"]),
        Route("/sync-job-cron-trigger/{id}", e.delete_cron, methods=["DELETE"]),
        Route("/sync-job-cron-trigger/{id}/schedule", e.schedule_cron, methods=["POST"]),
        Route("/integrated-account", e.accounts.list, methods=["GET"]),
        Route("/integrated-account", e.accounts.create, methods=["POST"]),
        Route("/integrated-account/{id}", e.accounts.get, methods=["GET"]),
        Route("/integrated-account/{id}", e.accounts.update, methods=["PATCH"]),
        Route("/integrated-account/{id}", e.accounts.delete, methods=["DELETE"]),
    ]

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HttpError)
        return error_response(exc.status, exc.message)

    async def starlette_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        text = "route not found" if exc.status_code == 404 else str(exc.detail)
        return error_response(exc.status_code, text)

    app = Starlette(
        routes=routes,
        exception_handlers={HttpError: http_error, HTTPException: starlette_error},
    )
    return Gate(app, state)


class Gate:
    """Auth, rate limit, faults, latency and the request log around the endpoints."""

    def __init__(self, app: ASGIApp, state: EmulatorState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = self.state
        method: str = scope["method"]
        path: str = scope["path"]
        query = scope.get("query_string", b"").decode("latin-1")
        seen: dict[str, Any] = {"status": 0, "dropped": False, "env": None}
        arrived = time.monotonic()
        recorded = False

        def record() -> None:
            nonlocal recorded
            if not recorded:
                recorded = True
                entry = RecordedRequest(
                    method=method,
                    path=path,
                    query=query,
                    status=int(seen["status"]),
                    environment=seen["env"],
                    dropped=bool(seen["dropped"]),
                    at=arrived,
                )
                state.record(entry)

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                record()  # before the client can see the answer, so tests never race the log
            await send(message)

        seen["record"] = record
        if method in _WRITES and state.late_writes == "complete":
            receive = await _buffered(receive)
        try:
            await self._handle(scope, receive, recording_send, seen)
        finally:
            record()
            gate = seen.get("gate")
            if gate is not None:
                gate.finished.set()

    async def _handle(
        self, scope: Scope, receive: Receive, send: Send, seen: dict[str, Any]
    ) -> None:
        state = self.state
        if state.latency_ms > 0:
            await asyncio.sleep(state.latency_ms / 1000)
        token = _bearer(scope)
        environment = state.environment_for(token) if token else None
        if environment is None:
            message = "missing bearer token" if not token else "invalid API token"
            await error_response(401, message)(scope, receive, send)
            return
        seen["env"] = environment
        scope["syncspec.environment"] = environment
        assert token is not None
        wait = state.take_rate_limit(token)
        if wait is not None:
            response = error_response(429, "rate limit exceeded", {"Retry-After": str(wait)})
            await response(scope, receive, send)
            return
        fault = state.take_fault(scope["method"], scope["path"])
        if fault is not None and fault.gate is not None and not fault.after_commit:
            seen["gate"] = fault.gate  # its ``finished`` is set once the answer is logged
            await _held(fault.gate, state)  # held before it takes effect, then served normally
            if fault.gate.dropped or state.stopping:
                await error_response(503, "held request dropped")(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        if fault is not None and not fault.after_commit:
            await _fault_response(fault)(scope, receive, send)
            return
        if fault is None:
            failure = state.random_failure()
            if failure is not None:
                await error_response(failure, "injected failure")(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        # after_commit: apply the request, then fail or hold the real answer back.
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        await self.app(scope, receive, hold)
        if fault.status is not None:
            await _fault_response(fault)(scope, receive, send)
            return
        seen["dropped"] = True
        starts = [m for m in held if m["type"] == "http.response.start"]
        seen["status"] = starts[0]["status"] if starts else 0
        seen["record"]()  # the change is applied; the client will not hear about it in time
        if fault.gate is not None:
            await _held(fault.gate, state)
        else:
            deadline = time.monotonic() + fault.hang_s
            while time.monotonic() < deadline and not state.stopping:
                await asyncio.sleep(0.02)
        for held_message in held:
            await send(held_message)


_WRITES = frozenset({"POST", "PATCH", "PUT", "DELETE"})


async def _buffered(receive: Receive) -> Receive:
    """Read the whole request body now, and replay it: a write held later still takes effect
    when its client has gone away meanwhile (the ``late_writes="complete"`` reading)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break  # the client went away before sending it all: nothing to complete
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        return await receive()

    return replay


async def _held(gate: HoldGate, state: EmulatorState) -> None:
    """Wait until the test releases ``gate`` (or the emulator stops or is reset)."""
    gate.count += 1
    gate.reached.set()
    deadline = time.monotonic() + gate.MAX_HOLD_S  # a forgotten gate never wedges the server
    while not gate.released.is_set() and not state.stopping and time.monotonic() < deadline:
        await asyncio.sleep(0.005)


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            text = bytes(value).decode("latin-1")
            scheme, _, credentials = text.partition(" ")
            if scheme.lower() == "bearer" and credentials.strip():
                return credentials.strip()
            return None
    return None


def _fault_response(fault: Fault) -> JSONResponse:
    status = fault.status or 500
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else None
    return error_response(status, "injected failure", headers)
