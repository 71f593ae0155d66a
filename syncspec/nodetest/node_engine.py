"""The real ``@truto/truto-jsonata`` under Node, as an engine: one long-lived worker process.

``node/worker.cjs`` reads requests as JSON lines and answers each with the JSON value (or the
error) the real package gives; one process serves every expression of a run (Node starts in a
fraction of a second, which per case would dominate). Used by the oracle tests (tests/oracle) and
by ``syncspec test --engine node``. The worker finds the package in ``node_modules`` of ``base``.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from syncspec.nodetest.js.values import UNDEFINED

WORKER = Path(__file__).with_name("node") / "worker.cjs"
# answers longer than this are refused (a runaway result must not exhaust our memory)
MAX_ANSWER = 64 * 1024 * 1024


class NodeUnavailable(Exception):
    """Node, or the package in ``node_modules``, is missing."""


@dataclass(frozen=True)
class Answer:
    ok: bool
    value: Any = UNDEFINED  # JSON (UNDEFINED: the expression yielded nothing)
    error: str = ""
    code: str = ""


class NodeEngine:
    """A running worker. ``timeout`` (seconds) bounds one request; a stuck worker is killed."""

    def __init__(self, base: Path, timeout: float = 60.0) -> None:
        node = shutil.which("node")
        if node is None:
            raise NodeUnavailable("node is not installed (not on PATH)")
        self.timeout = timeout
        self._proc = subprocess.Popen(
            [node, str(WORKER), str(base)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
        )
        hello = self._read_line()
        if not hello.get("ready"):
            self.close()
            where = base / "node_modules"
            raise NodeUnavailable(
                f"@truto/truto-jsonata is not installed in {where} ({hello.get('error', '?')}); "
                f"fix: npm install --prefix {base} @truto/truto-jsonata"
            )
        self.version = str(hello.get("version", "?"))
        self._next = 0

    def _read_line(self) -> dict[str, Any]:
        assert self._proc.stdout is not None
        timer = threading.Timer(self.timeout, self._proc.kill)
        timer.start()
        try:
            line = self._proc.stdout.readline(MAX_ANSWER)
        finally:
            timer.cancel()
        if not line.endswith("\n"):
            self.close()
            raise NodeUnavailable(
                "the Node worker stopped answering (killed after "
                f"{self.timeout:g} s, or an answer over {MAX_ANSWER:,} characters)"
            )
        try:
            answer = json.loads(line)
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            self.close()
            raise NodeUnavailable("the Node worker answered something that is not a JSON object")
        return answer

    def evaluate_many(self, requests: Iterable[tuple[str, Any]], chunk: int = 256) -> list[Answer]:
        """Evaluate ``(expression, input)`` pairs, in order (written ``chunk`` at a time)."""
        answers: list[Answer] = []
        batch: list[tuple[str, Any]] = []
        for request in requests:
            batch.append(request)
            if len(batch) >= chunk:
                answers.extend(self._run(batch))
                batch = []
        if batch:
            answers.extend(self._run(batch))
        return answers

    def evaluate(self, expression: str, document: Any) -> Answer:
        return self._run([(expression, document)])[0]

    def _run(self, batch: Sequence[tuple[str, Any]]) -> list[Answer]:
        assert self._proc.stdin is not None
        first = self._next
        lines = []
        for expression, document in batch:
            request = {"id": self._next, "expression": expression, "input": document}
            lines.append(json.dumps(request, ensure_ascii=False, default=_undefined_as_null))
            self._next += 1
        if self._proc.poll() is not None or self._proc.stdin.closed:
            raise NodeUnavailable("the Node worker is not running (it stopped or was stopped)")
        try:
            self._proc.stdin.write("\n".join(lines) + "\n")
            self._proc.stdin.flush()
        except (OSError, ValueError) as exc:
            self.close()
            raise NodeUnavailable(f"the Node worker exited ({exc})") from None
        out: list[Answer] = []
        for expected in range(first, self._next):
            raw = self._read_line()
            if raw.get("id") != expected:
                self.close()
                raise NodeUnavailable("the Node worker answered out of order")
            if raw.get("ok"):
                out.append(Answer(True, raw.get("value", UNDEFINED)))
            else:
                out.append(
                    Answer(False, error=str(raw.get("error")), code=str(raw.get("code", "")))
                )
        return out

    def close(self) -> None:
        if self._proc.poll() is None:
            if self._proc.stdin is not None:
                with contextlib.suppress(OSError):
                    self._proc.stdin.close()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        for stream in (self._proc.stdout,):
            if stream is not None:
                stream.close()

    def __enter__(self) -> NodeEngine:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _undefined_as_null(value: Any) -> Any:
    if value is UNDEFINED:
        return None
    raise TypeError(f"not JSON: {type(value).__name__}")
