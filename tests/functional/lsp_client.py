"""A minimal Language Server Protocol client over stdio, for testing the editor schema.

JSON-RPC 2.0 with ``Content-Length`` framing (the LSP base protocol). A reader thread parses
messages into a queue; every wait is bounded by a timeout, so a silent server fails the test
instead of hanging it. ``workspace/configuration`` requests (yaml-language-server pulls its
settings with them after ``workspace/didChangeConfiguration``) are answered from ``settings``,
by section; other requests the server sends us are answered with ``null``.
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

Message = dict[str, Any]


class LspError(AssertionError):
    """The server did not answer as expected (shown as a test failure)."""


def _read_message(stream: IO[bytes]) -> Message | None:
    length = None
    while True:
        line = stream.readline()
        if not line:
            return None
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode("ascii").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    if length is None:
        raise LspError("LSP message without Content-Length")
    body = stream.read(length)
    message: Message = json.loads(body.decode("utf-8"))
    return message


class LspClient:
    def __init__(self, argv: list[str], cwd: Path) -> None:
        self._proc = subprocess.Popen(
            argv,
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._next_id = 0
        self._inbox: queue.Queue[Message | None] = queue.Queue()
        self._seen: list[Message] = []
        # what ``workspace/configuration`` answers, by section (e.g. {"yaml": {...}})
        self.settings: dict[str, Any] = {}
        self.configuration_pulls = 0  # how many workspace/configuration requests were answered
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()

    def _read_loop(self) -> None:
        assert self._proc.stdout is not None
        try:
            while (message := _read_message(self._proc.stdout)) is not None:
                self._inbox.put(message)
        finally:
            self._inbox.put(None)

    def _send(self, message: Message) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self._proc.stdin is not None
        with self._lock:
            self._proc.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode("ascii") + body)
            self._proc.stdin.flush()

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: Any, timeout: float) -> Any:
        self._next_id += 1
        request_id = self._next_id
        self._send({"id": request_id, "method": method, "params": params})
        reply = self.wait_for(
            lambda m: m.get("id") == request_id and "method" not in m, timeout, method
        )
        if "error" in reply:
            raise LspError(f"{method} failed: {reply['error']}")
        return reply.get("result")

    def wait_for(self, match: Callable[[Message], bool], timeout: float, what: str) -> Message:
        """The first message (already seen or arriving within ``timeout`` s) that ``match``es."""
        for i, message in enumerate(self._seen):
            if match(message):
                return self._seen.pop(i)
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                message = self._inbox.get(timeout=left)
            except queue.Empty:
                break
            if message is None:
                raise LspError(f"the language server exited while waiting for {what}")
            if "method" in message and "id" in message:  # a request from the server
                self._send({"id": message["id"], "result": self._answer(message)})
                continue
            if match(message):
                return message
            self._seen.append(message)
        raise LspError(f"no {what} from the language server within {timeout} s")

    def _answer(self, request: Message) -> Any:
        if request["method"] != "workspace/configuration":
            return None
        items = request.get("params", {}).get("items", [])
        self.configuration_pulls += 1
        return [self.settings.get(str(item.get("section"))) for item in items]

    def wait_for_configuration_pull(self, timeout: float) -> None:
        """Until the server has asked for (and been given) ``settings``."""
        deadline = time.monotonic() + timeout
        while self.configuration_pulls == 0:
            left = deadline - time.monotonic()
            if left <= 0:
                raise LspError(f"the server did not ask for its settings within {timeout} s")
            try:  # answers the server's requests while waiting; nothing else matches
                self.wait_for(lambda m: False, min(left, 0.2), "the settings request")
            except LspError as exc:
                if "exited" in str(exc):
                    raise

    def diagnostics(self, uri: str, timeout: float) -> list[Message]:
        message = self.wait_for(
            lambda m: (
                m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
            ),
            timeout,
            f"diagnostics for {uri}",
        )
        diagnostics: list[Message] = message["params"]["diagnostics"]
        return diagnostics

    def close(self) -> None:
        try:
            if self._proc.poll() is None:
                self.request("shutdown", None, timeout=5)
                self.notify("exit", None)
                self._proc.wait(timeout=5)
        except (LspError, OSError, subprocess.TimeoutExpired):
            pass
        finally:
            if self._proc.poll() is None:
                self._proc.kill()
                self._proc.wait(timeout=5)
            self._reader.join(timeout=5)  # it ends at EOF of the exited server's stdout
            for stream in (self._proc.stdin, self._proc.stdout):
                if stream is not None:
                    stream.close()
