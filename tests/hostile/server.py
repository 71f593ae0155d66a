"""A small hostile HTTP server on 127.0.0.1 (stdlib ``ThreadingHTTPServer``), for issue 11.

It behaves as an attacker or a broken proxy would: one ``mode`` at a time, set by the test.
Every mode ends by itself: loops stop when the client goes away, when the test ends (``stop``
sets an event every loop checks) or after ``MAX_SECONDS``, whichever comes first.

Modes (``HostileServer.set(mode, **params)``), for every path unless noted:
    ``json``           answer ``params["body"]`` (any JSON-able value, or ``raw`` bytes) with 200
    ``trickle_body``   200 with a large Content-Length, then one byte every ``interval`` s
    ``trickle_headers`` the status line, then one header byte every ``interval`` s
    ``endless``        200, chunked, 64 KiB chunks of spaces, never finished
    ``huge``           200 with ``Content-Length: 1.5 GB`` (and bytes, if the client reads)
    ``pages``          list pages from ``params["pages"](n, query)`` -> JSON body (n from 1)
    ``text_error``     ``params["status"]`` with a text body echoing the bearer token at
                       character ``params["at"]`` (what a debugging proxy does)
    ``redirect``       302 to ``params["location"]``
    ``hold``           set ``params["arrived"]``, wait for ``params["release"]`` (events), then
                       answer ``{"result": []}``
    ``status``         ``params["status"]`` with ``params["headers"]`` and a JSON error body
    ``api``            ``params["answer"](method, path, token)`` -> ``(status, JSON body)``: a
                       plausible API that plays with the bearer token it was sent (issue 22)
Every request is recorded (method, path with query, whether it carried ``Authorization``).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

MAX_SECONDS = 30.0
CHUNK = b" " * 65536


@dataclass
class Recorded:
    method: str
    path: str
    authorized: bool


@dataclass
class _State:
    mode: str = "json"
    params: dict[str, Any] = field(default_factory=lambda: {"body": {"result": []}})
    requests: list[Recorded] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: pytest shows what the test asserts

    def _serve(self) -> None:
        state = self.server.state
        with state.lock:
            mode, params = state.mode, dict(state.params)
            state.requests.append(
                Recorded(self.command, self.path, "Authorization" in self.headers)
            )
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        # The client giving up (a broken connection) is what the tests want.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            getattr(self, f"_mode_{mode}")(params)

    do_GET = do_POST = do_PATCH = do_DELETE = _serve

    def _running(self, started: float) -> bool:
        return not self.server.state.stop.is_set() and time.monotonic() - started < MAX_SECONDS

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _mode_json(self, params: dict[str, Any]) -> None:
        raw = params.get("raw")
        self._send(200, raw if raw is not None else json.dumps(params["body"]).encode())

    def _mode_pages(self, params: dict[str, Any]) -> None:
        pages: Callable[[int, dict[str, str]], Any] = params["pages"]
        with self.server.state.lock:
            number = sum(1 for r in self.server.state.requests if r.method == "GET")
        query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
        self._send(200, json.dumps(pages(number, query)).encode())

    def _mode_trickle_body(self, params: dict[str, Any]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "1000000")
        self.end_headers()
        self.wfile.write(b'{"result": [')
        self.wfile.flush()
        started = time.monotonic()
        while self._running(started):
            self.server.state.stop.wait(params.get("interval", 0.2))
            self.wfile.write(b" ")
            self.wfile.flush()
        self.close_connection = True

    def _mode_trickle_headers(self, params: dict[str, Any]) -> None:
        self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        self.wfile.flush()
        started = time.monotonic()
        while self._running(started):
            self.server.state.stop.wait(params.get("interval", 0.2))
            self.wfile.write(b"a")
            self.wfile.flush()
        self.close_connection = True

    def _mode_endless(self, params: dict[str, Any]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.write(b"%x\r\n[\r\n" % 1)
        frame = b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK)
        started = time.monotonic()
        while self._running(started):
            self.wfile.write(frame)
        self.close_connection = True

    def _mode_huge(self, params: dict[str, Any]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(1_500_000_000))
        self.end_headers()
        started = time.monotonic()
        while self._running(started):
            self.wfile.write(CHUNK)
        self.close_connection = True

    def _mode_text_error(self, params: dict[str, Any]) -> None:
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        at = params.get("at", 190)
        text = ("x" * at + f"Authorization: Bearer {token} rejected by upstream\n").encode()
        self._send(params.get("status", 502), text, "text/plain")

    def _mode_hold(self, params: dict[str, Any]) -> None:
        params["arrived"].set()
        params["release"].wait(MAX_SECONDS)
        self._send(200, b'{"result": [], "next_cursor": null}')

    def _mode_status(self, params: dict[str, Any]) -> None:
        body = json.dumps({"statusCode": params["status"], "message": "try later"}).encode()
        self.send_response(params["status"])
        for name, value in params.get("headers", {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _mode_api(self, params: dict[str, Any]) -> None:
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        status, body = params["answer"](self.command, self.path, token)
        self._send(status, json.dumps(body).encode())

    def _mode_redirect(self, params: dict[str, Any]) -> None:
        self.send_response(302)
        self.send_header("Location", params["location"])
        self.send_header("Content-Length", "0")
        self.end_headers()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: _State


class HostileServer:
    """``url``, ``set(mode, **params)``, ``requests``, ``stop()``; see the module docstring."""

    def __init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.state = _State()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def set(self, mode: str, **params: Any) -> None:
        state = self._server.state
        with state.lock:
            state.mode, state.params = mode, params
            state.requests.clear()

    @property
    def requests(self) -> list[Recorded]:
        with self._server.state.lock:
            return list(self._server.state.requests)

    def stop(self) -> None:
        self._server.state.stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
