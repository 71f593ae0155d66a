"""``RequestStats``: what one client did (benchmarks and ``--debug`` read it)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RequestStats:
    """Thread-safe counters for one client (benchmarks and ``--debug`` read them)."""

    requests: int = 0  # HTTP attempts sent (retries included)
    retries: int = 0
    transport_errors: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    rate_limit_waits: float = 0.0  # seconds spent waiting in the client-side limiter
    retry_waits: float = 0.0  # seconds slept between attempts
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def _add(self, **deltas: float) -> None:
        with self._lock:
            for name, delta in deltas.items():
                setattr(self, name, getattr(self, name) + delta)

    def _response(self, status: int) -> None:
        with self._lock:
            self.by_status[status] = self.by_status.get(status, 0) + 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": self.requests,
                "retries": self.retries,
                "transport_errors": self.transport_errors,
                "by_status": dict(sorted(self.by_status.items())),
                "rate_limit_waits": round(self.rate_limit_waits, 3),
                "retry_waits": round(self.retry_waits, 3),
            }
