"""Issue 11 measurements: each hostile case as a real ``syncspec`` process, with its exit code,
wall time and peak memory (``/usr/bin/time``'s maximum RSS).

    python bench/hostile.py            # prints a markdown table

The hostile server is ``tests/hostile/server.py`` on 127.0.0.1 (in this process, a thread).
Limits are the defaults except the request deadline, ``DEADLINE`` seconds (the default 30 s
would only make the trickle cases slower to measure; their time is the deadline).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.hostile import server as hostile_server  # noqa: E402
from tests.hostile.server import HostileServer  # noqa: E402

DEADLINE = "5"
TOKEN = "bench-hostile-token-0123456789abcdef"


def job(label: Any, ident: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "id": ident or f"id-{label}",
        "label": label,
        "integration_name": "zendesk",
        "default_runtime_version": 2,
        "resources": [{"resource": "ticketing/tickets", "method": "list"}],
        **extra,
    }


def nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth - 1):
        value = [value]
    return value


ODD = [
    job("ok"),
    job("crlf", args_validation="(\r\n  $a := 1\r\n)"),
    job("nan", mutex_key=float("nan")),
    job("surrogate", mutex_key="\ud800"),
    job(7),
    job("deep", args_schema={"d": nested(900)}),
    job("big", mutex_key="y" * 10_000_000),
    job("lint", mutex_key="{{args.x}}"),
]

CASES: list[tuple[str, str, dict[str, Any], list[str], dict[str, str]]] = [
    ("trickle body (1 byte / 0.5 s)", "trickle_body", {"interval": 0.5}, ["plan"], {}),
    ("trickle headers (1 byte / 0.5 s)", "trickle_headers", {"interval": 0.5}, ["plan"], {}),
    ("endless chunked body", "endless", {}, ["plan"], {}),
    ("Content-Length 1.5 GB", "huge", {}, ["plan"], {}),
    (
        "changing cursor, new ids (page cap 1000)",
        "pages",
        {"pages": lambda n, q: {"result": [job(f"j{n}")], "next_cursor": f"c{n}"}},
        ["plan"],
        {},
    ),
    (
        "changing cursor, same ids",
        "pages",
        {"pages": lambda n, q: {"result": [job("a")], "next_cursor": f"c{n}"}},
        ["plan"],
        {},
    ),
    (
        "empty page with cursor",
        "pages",
        {"pages": lambda n, q: {"result": [job("a")] if n == 1 else [], "next_cursor": f"c{n}"}},
        ["apply", "--auto-approve", "--prune"],
        {},
    ),
    (
        "non-object item",
        "json",
        {"body": {"result": [job("a"), 5], "next_cursor": None}},
        ["pull"],
        {},
    ),
    (
        "dot ids under --prune",
        "json",
        {"body": {"result": [job("d", "."), job("dd", "..")], "next_cursor": None}},
        ["apply", "--auto-approve", "--prune"],
        {},
    ),
    ("text error body with the token", "text_error", {"status": 400, "at": 190}, ["plan"], {}),
    ("redirect to another host", "redirect", {"location": "http://evil.example/x"}, ["plan"], {}),
    ("userinfo in TRUTO_API_URL", "json", {"body": {}}, ["plan"], {"userinfo": "1"}),
    (
        "JSON nested 200,000 deep",
        "json",
        {"raw": b'{"result": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"},
        ["plan"],
        {},
    ),
    (
        "pull of odd jobs (NaN, surrogate, 900-deep, 10 MB, lint)",
        "json",
        {"raw": json.dumps({"result": ODD, "next_cursor": None}).encode()},
        ["pull"],
        {},
    ),
]


def _run_case(url: str, args: list[str]) -> tuple[int, float, int, str]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "jobs").mkdir()
        (root / "syncspec.toml").write_text('jobs_dir = "jobs"\n[prune]\nlabels = ["*"]\n')
        env = {
            **os.environ,
            "TRUTO_API_URL": url,
            "TRUTO_API_TOKEN": TOKEN,
            "SYNCSPEC_REQUEST_DEADLINE": DEADLINE,
        }
        started = time.monotonic()
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%M", sys.executable, "-m", "syncspec", *args],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        elapsed = time.monotonic() - started
        written = "".join(p.read_text(errors="replace") for p in root.rglob("*.yaml"))
    lines = done.stderr.strip().splitlines()
    peak_kb = int(lines[-1])
    errors = [line for line in lines if line.startswith("error:")]
    message = errors[0] if errors else ""
    everything = done.stdout + done.stderr + written
    if any(TOKEN[i : i + 8] in everything for i in range(len(TOKEN) - 7)):
        message = "TOKEN LEAKED " + message
    return done.returncode, elapsed, peak_kb, message[:110]


def measure() -> list[tuple[str, int, float, int, str]]:
    hostile_server.MAX_SECONDS = 120.0
    server = HostileServer()
    rows = []
    try:
        for name, mode, params, args, flags in CASES:
            server.set(mode, **params)
            url = server.url.replace("//", "//admin:pw@") if flags.get("userinfo") else server.url
            rows.append((name, *_run_case(url, args)))
    finally:
        server.stop()
    return rows


def main() -> None:
    print("| case | exit | time (s) | peak RSS (MB) | first error line |")
    print("|---|---|---|---|---|")
    for name, code, elapsed, peak_kb, message in measure():
        print(f"| {name} | {code} | {elapsed:.2f} | {peak_kb / 1024:.0f} | {message} |")


if __name__ == "__main__":
    main()
