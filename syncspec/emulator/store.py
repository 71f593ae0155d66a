"""The emulator's SQLite store: every object is a JSON document kept exactly as the API returns it.

One table holds jobs, runs, cron triggers and run-state entries (``kind``), each scoped to an
environment (``env``) and, for run state, a namespace (``ns`` = the ``state_key``). ``seq`` is the
insertion order that list endpoints page over. ``meta`` holds emulator-only data (a run's
duration, a frozen status) that is never sent to clients. Bodies are stored with their key order,
so what a client sent comes back as sent.

One connection, guarded by a lock: the ASGI app (event-loop thread) and the test-side control
(other threads) share it. SQLite calls are short, so they run inline.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    seq  INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    env  TEXT NOT NULL,
    ns   TEXT NOT NULL DEFAULT '',
    id   TEXT NOT NULL,
    body TEXT NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}',
    UNIQUE (kind, env, ns, id)
);
CREATE INDEX IF NOT EXISTS objects_list ON objects (kind, env, ns, seq);
"""

# Fields list endpoints may filter on, per kind (never interpolated from user input).
FILTERABLE = {
    "job": ("integration_name", "environment_id"),
    "run": ("sync_job_id", "integrated_account_id"),
    "cron": ("sync_job_id", "integrated_account_id"),
    "state": (),
    "account": ("tenant_id",),
}


@dataclass
class Row:
    seq: int
    body: dict[str, Any]
    meta: dict[str, Any]


class Store:
    def __init__(self, path: str | None = None) -> None:
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path or ":memory:", check_same_thread=False)
        self._db.isolation_level = None  # autocommit; each statement is its own transaction
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def clear(self) -> None:
        with self._lock:
            self._db.execute("DELETE FROM objects")

    def insert(
        self,
        kind: str,
        env: str,
        obj_id: str,
        body: dict[str, Any],
        *,
        ns: str = "",
        meta: dict[str, Any] | None = None,
    ) -> bool:
        """Store a new object; False if (kind, env, ns, id) exists already."""
        with self._lock:
            try:
                self._db.execute(
                    "INSERT INTO objects (kind, env, ns, id, body, meta) VALUES (?, ?, ?, ?, ?, ?)",
                    (kind, env, ns, obj_id, json.dumps(body), json.dumps(meta or {})),
                )
            except sqlite3.IntegrityError:
                return False
            return True

    def get(self, kind: str, env: str, obj_id: str, *, ns: str = "") -> Row | None:
        with self._lock:
            cur = self._db.execute(
                "SELECT seq, body, meta FROM objects WHERE kind=? AND env=? AND ns=? AND id=?",
                (kind, env, ns, obj_id),
            )
            found = cur.fetchone()
        return _row(found) if found else None

    def replace(
        self,
        kind: str,
        env: str,
        obj_id: str,
        body: dict[str, Any],
        *,
        ns: str = "",
        meta: dict[str, Any] | None = None,
    ) -> None:
        with self._lock:
            if meta is None:
                self._db.execute(
                    "UPDATE objects SET body=? WHERE kind=? AND env=? AND ns=? AND id=?",
                    (json.dumps(body), kind, env, ns, obj_id),
                )
            else:
                self._db.execute(
                    "UPDATE objects SET body=?, meta=? WHERE kind=? AND env=? AND ns=? AND id=?",
                    (json.dumps(body), json.dumps(meta), kind, env, ns, obj_id),
                )

    def delete(self, kind: str, env: str, obj_id: str, *, ns: str = "") -> bool:
        with self._lock:
            cur = self._db.execute(
                "DELETE FROM objects WHERE kind=? AND env=? AND ns=? AND id=?",
                (kind, env, ns, obj_id),
            )
            return cur.rowcount > 0

    def select(
        self,
        kind: str,
        env: str,
        *,
        ns: str = "",
        filters: dict[str, str] | None = None,
        after: int | None = None,
        before: int | None = None,
        descending: bool = False,
        limit: int | None = None,
    ) -> list[Row]:
        """Objects in insertion order (or reversed), filtered on top-level string fields."""
        sql = ["SELECT seq, body, meta FROM objects WHERE kind=? AND env=? AND ns=?"]
        args: list[Any] = [kind, env, ns]
        for name, value in (filters or {}).items():
            if name not in FILTERABLE[kind]:
                raise ValueError(f"cannot filter {kind} on {name}")
            sql.append(f"AND json_extract(body, '$.{name}') = ?")
            args.append(value)
        if after is not None:
            sql.append("AND seq > ?")
            args.append(after)
        if before is not None:
            sql.append("AND seq < ?")
            args.append(before)
        sql.append("ORDER BY seq DESC" if descending else "ORDER BY seq")
        if limit is not None:
            sql.append("LIMIT ?")
            args.append(limit)
        with self._lock:
            rows = self._db.execute(" ".join(sql), args).fetchall()
        return [_row(r) for r in rows]


def _row(found: tuple[int, str, str]) -> Row:
    seq, body, meta = found
    return Row(seq=seq, body=json.loads(body), meta=json.loads(meta))
