"""The client-side limiter: at most N starts in any period (+ margin), shared by threads."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from syncspec.api.ratelimit import RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)


def test_a_burst_up_to_the_limit_goes_at_once_then_waits_a_full_period() -> None:
    clock = FakeClock()
    limiter = RateLimiter(3, 10.0, margin=0.5, clock=clock, sleep=clock.sleep)
    assert [limiter.acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire() == 10.5
    clock.now = 4.0
    assert limiter.acquire() == 6.5  # the second start (t=0) frees its token at 10.5
    assert clock.slept == [10.5, 6.5]


def test_tokens_come_back_one_period_after_they_were_spent() -> None:
    clock = FakeClock()
    limiter = RateLimiter(2, 1.0, margin=0.0, clock=clock, sleep=clock.sleep)
    limiter.acquire()
    clock.now = 0.6
    limiter.acquire()
    clock.now = 1.0
    assert limiter.acquire() == 0.0  # the t=0 start is a full period old
    assert limiter.acquire() == pytest.approx(0.6)  # waits for the t=0.6 start to age


def test_defer_holds_every_new_request() -> None:
    clock = FakeClock()
    limiter = RateLimiter(100, 10.0, clock=clock, sleep=clock.sleep)
    limiter.defer(2.0)
    assert limiter.acquire() == 2.0
    assert limiter.acquire() == 2.0


def test_threads_share_one_budget() -> None:
    clock = FakeClock()
    limiter = RateLimiter(50, 1.0, margin=0.0, clock=clock, sleep=clock.sleep)
    with ThreadPoolExecutor(8) as pool:
        waits = sorted(pool.map(lambda _: limiter.acquire(), range(150)))
    assert waits == [0.0] * 50 + [1.0] * 50 + [2.0] * 50


def test_default_margin_scales_with_the_period() -> None:
    assert RateLimiter(500, 10.0).margin == pytest.approx(0.2)
    assert RateLimiter(50, 1.0).margin == pytest.approx(0.05)


@pytest.mark.parametrize(("n", "period"), [(0, 1.0), (1, 0.0), (-1, 5.0)])
def test_rejects_nonsense(n: int, period: float) -> None:
    with pytest.raises(ValueError, match="rate limit needs"):
        RateLimiter(n, period)


def test_default_parallelism_follows_the_rate_limit(tmp_path: Path) -> None:
    from syncspec.config import DEFAULT_RATE_LIMIT, default_parallelism, load_settings

    assert default_parallelism(DEFAULT_RATE_LIMIT) == 16
    assert default_parallelism((100, 10.0)) == 4
    assert default_parallelism((1, 60.0)) == 1
    assert default_parallelism((100_000, 1.0)) == 64
    (tmp_path / "syncspec.toml").write_text('rate_limit = "100/10s"\n', encoding="utf-8")
    assert load_settings(tmp_path, environ={}).parallelism == 4
    (tmp_path / "syncspec.toml").write_text("parallelism = 3\n", encoding="utf-8")
    assert load_settings(tmp_path, environ={}).parallelism == 3
