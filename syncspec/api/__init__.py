"""The Truto Admin API client: auth, retries, rate limit, pagination, error mapping.

Only this package imports httpx. ``TrutoClient`` is the entry point; see ``client.py``.
"""

from __future__ import annotations

from syncspec.api.client import TrutoClient
from syncspec.api.http import RequestStats
from syncspec.api.ratelimit import RateLimiter

__all__ = ["RateLimiter", "RequestStats", "TrutoClient"]
