"""A client-side rate limiter shared by every thread of one command run.

Truto allows 500 requests per 10 s per token. A classic token bucket of capacity 500 refilled at
50/s lets 1000 requests through in the first 10 s (the full bucket plus the refill), which a
fixed-window server answers with 429s. So this limiter is the exact form of the same idea: a
bucket of ``max_requests`` tokens where each token comes back ``period`` seconds after it was
spent ("at most N starts in any window of P seconds"). A burst of N goes out at once; request
N+1 waits until the first one is ``period`` old. A small ``margin`` is added to the period because
the server starts its window when the first request *arrives*, which can be later than we sent
it (connection set-up), and a later request can travel faster.

Each caller reserves a start time under a lock and sleeps outside it, so waiting threads do not
block each other's bookkeeping and are served in arrival order.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class RateLimiter:
    """At most ``max_requests`` acquisitions in any ``period + margin`` seconds, across threads."""

    def __init__(
        self,
        max_requests: int,
        period: float,
        *,
        margin: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_requests < 1 or period <= 0:
            raise ValueError("rate limit needs max_requests >= 1 and period > 0")
        self.max_requests = max_requests
        self.period = period
        self.margin = max(0.05, 0.02 * period) if margin is None else margin
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._starts: deque[float] = deque(maxlen=max_requests)
        self._not_before = 0.0

    def acquire(self, count: int = 1) -> float:
        """Block until ``count`` requests may start (together); return the seconds waited.

        ``count`` > 1 reserves the tokens of requests that must follow each other without
        queueing in between (a freshness re-read and its write: ``HttpCore.prepaid``).
        """
        count = max(1, min(count, self.max_requests))
        with self._lock:
            now = self._clock()
            start = max(now, self._not_before)
            expire = len(self._starts) + count - self.max_requests  # oldest starts to age out
            if expire > 0:
                start = max(start, self._starts[expire - 1] + self.period + self.margin)
            self._starts.extend([start] * count)
        wait = start - now
        if wait > 0:
            self._sleep(wait)
            return wait
        return 0.0

    def defer(self, seconds: float) -> None:
        """Hold every new request for ``seconds`` (the server said ``Retry-After``)."""
        with self._lock:
            self._not_before = max(self._not_before, self._clock() + seconds)
