"""The Truto Admin API client: auth, retries, rate limit, pagination, error mapping.

Only this package imports httpx. ``TrutoClient`` is the entry point; see ``client.py``.
"""

from __future__ import annotations

from syncspec.api._lazy_httpx import skip_httpx_cli

skip_httpx_cli()  # before the first ``import httpx``; see _lazy_httpx.py

from syncspec.api.client import TrutoClient  # noqa: E402
from syncspec.api.ratelimit import RateLimiter  # noqa: E402
from syncspec.api.stats import RequestStats  # noqa: E402

__all__ = ["RateLimiter", "RequestStats", "TrutoClient"]
