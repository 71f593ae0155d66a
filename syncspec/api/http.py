"""HTTP plumbing of the Truto client: one pooled ``httpx.Client``, retries, rate limit, errors.

Retry policy (tenacity, jittered exponential backoff, ``max_attempts`` in total):

- 429, 408, 425: retried for every method (the server refused the request without acting on it),
  waiting ``Retry-After`` when given; a ``Retry-After`` above ``max_retry_after`` is not waited.
- 502, 503, 504, 500 and read/write failures: retried for idempotent methods only. For a POST
  they mean the request may have been applied, so the error is raised at once with
  ``maybe_applied=True`` and the caller looks before trying again (``engine.apply`` re-lists).
- Connection failures (connect error/timeout, no pooled connection): the request never left,
  so they are retried for every method, POST included.

Bounds (issue 11): every call (all its attempts and the waits between them) ends by an overall
``deadline`` (default 30 s): each socket operation is clamped to the time left (``transport.py``),
so a server trickling bytes cannot keep a call alive, and a retry is not started when its wait
would pass the deadline. A response body is streamed and abandoned past ``max_response_bytes``
(default 64 MiB; a larger ``Content-Length`` is refused before reading); error bodies are read
up to 64 KiB only. Neither is retried: the same server would do the same again.

Where the token goes (``syncspec.safety``): https, or http to loopback only; ``api.truto.one``,
loopback and the hosts allowed by ``SYNCSPEC_ALLOWED_HOSTS`` / ``--allow-host``. Redirects are
never followed (httpx's default, kept explicit): a 3xx is an error naming where it pointed.
Proxies from the environment (``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY``) are used for https only,
where the token travels inside TLS end to end (an http proxy gets a ``CONNECT`` tunnel); an
http (loopback) URL never goes through a proxy, so the token is never sent in clear text to one.
For http URLs no certificates are loaded (issue 12: ~30 ms), with a context that refuses any TLS.

Errors become ``syncspec.errors`` classes carrying method, path (as sent, ids percent-encoded),
status and Truto's ``message``. The token lives only in a ``Secret`` used by the auth flow;
nothing here logs headers; error bodies are redacted before they are shortened.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception
from tenacity.wait import wait_exponential, wait_random

from syncspec import __version__
from syncspec.api import transport as _transport
from syncspec.api.ratelimit import RateLimiter
from syncspec.api.responses import (
    SHOWN_BODY_CHARS,
    content_length,
    decode,
    error,
    parse_retry_after,
    server_message,
)
from syncspec.api.stats import RequestStats
from syncspec.config import Secret
from syncspec.errors import (
    ApiError,
    AuthError,
    ConfigError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TransportError,
)
from syncspec.redact import redact
from syncspec.safety import check_api_url, shown_url

log = logging.getLogger("syncspec.api")

USER_AGENT = f"syncspec/{__version__} python-httpx/{httpx.__version__}"
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})
# Statuses meaning "not acted on, try again later": safe to retry even for POST.
REFUSED_STATUSES = frozenset({408, 425, 429})
# Statuses retried for idempotent methods only: the request may have been (partly) applied.
SERVER_RETRY_STATUSES = frozenset({500, 502, 503, 504})
# httpx errors raised before any byte of the request was sent.
_NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_TIMEOUT_ERRORS = (httpx.TimeoutException,)
DEFAULT_DEADLINE = 30.0
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
# Only a message is taken from an error body; the rest is not worth reading.
MAX_ERROR_BODY_BYTES = 64 * 1024


class _BearerAuth(httpx.Auth):
    def __init__(self, token: Secret) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Any:
        request.headers["Authorization"] = f"Bearer {self._token.reveal()}"
        yield request

    def __repr__(self) -> str:
        return "_BearerAuth(***)"


class _Retry(Exception):
    """One failed attempt that tenacity may retry; ``error`` is raised if it may not."""

    def __init__(self, error: ApiError, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


class HttpCore:
    """Sends one request with rate limiting, retries and error mapping; returns decoded JSON."""

    def __init__(
        self,
        base_url: str,
        token: Secret,
        *,
        token_env: str,
        rate_limit: tuple[int, float] | None,
        timeout: float,
        max_attempts: int,
        transport: httpx.BaseTransport | None,
        backoff: float,
        max_backoff: float,
        max_retry_after: float,
        deadline: float = DEFAULT_DEADLINE,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        allowed_hosts: Iterable[str] = (),
    ) -> None:
        url = check_api_url(base_url, extra_hosts=allowed_hosts)
        raw = token.reveal()
        if not raw.isascii() or any(c.isspace() for c in raw):
            raise ConfigError(
                f"the token in {token_env} contains spaces or non-ASCII characters; "
                "it cannot be sent as a bearer token"
            )
        if max_attempts < 1:
            raise ConfigError("max_attempts must be at least 1")
        if not deadline > 0:
            raise ConfigError("the request deadline must be a positive number of seconds")
        if max_response_bytes < 1:
            raise ConfigError("the response size limit must be a positive number of bytes")
        self.base_url = url
        self.token_env = token_env
        self.max_attempts = max_attempts
        self.max_retry_after = max_retry_after
        self.timeout = timeout
        self.deadline = deadline
        self.max_response_bytes = max_response_bytes
        self.stats = RequestStats()
        self.limiter = RateLimiter(*rate_limit) if rate_limit else None
        # backoff * 2**(n-1), capped, plus up to one ``backoff`` of random jitter.
        self._backoff = wait_exponential(multiplier=backoff, max=max_backoff) + wait_random(
            0, backoff
        )
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=32)
        # Requests in flight, and whether close() was called: see close().
        self._inflight = 0
        self._local = threading.local()  # prepaid rate-limit tokens of each thread
        self._closed = False
        self._lifecycle = threading.Lock()
        self._client = httpx.Client(
            base_url=url,
            auth=_BearerAuth(token),
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            limits=limits,
            transport=transport or _transport.build(url, limits),
            follow_redirects=False,  # the token must never follow a redirect elsewhere
            trust_env=False,  # proxies are chosen in _transport, for https only
        )

    @contextlib.contextmanager
    def prepaid(self, count: int) -> Iterator[None]:
        """Take ``count`` rate-limit tokens now, for the next ``count`` requests of this thread:
        they start without waiting for the limiter (a re-read and its write, issue 22). Tokens
        not used are given up when the block ends; retries take tokens as usual."""
        if self.limiter is None:
            yield
            return
        waited = self.limiter.acquire(count)
        if waited:
            self.stats._add(rate_limit_waits=waited)
        self._local.prepaid = count
        try:
            yield
        finally:
            self._local.prepaid = 0

    def _spend_prepaid(self) -> bool:
        left: int = getattr(self._local, "prepaid", 0)
        if left <= 0:
            return False
        self._local.prepaid = left - 1
        return True

    def close(self) -> None:
        """Close the connections; with requests still in flight in other threads (plan abandons
        a listing this way), the last of them closes it when it ends (by its deadline). Closing
        under a running request would let httpcore open a connection nobody ever closes."""
        with self._lifecycle:
            self._closed = True
            if self._inflight:
                return
        self._client.close()

    def _enter(self, method: str, path: str) -> None:
        with self._lifecycle:
            if self._closed:
                raise error(TransportError, method, path, "not sent: the client was closed")
            self._inflight += 1

    def _leave(self) -> None:
        with self._lifecycle:
            self._inflight -= 1
            last = self._closed and not self._inflight
        if last:
            self._client.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        method = method.upper()
        query = {k: v for k, v in (params or {}).items() if v is not None}
        attempts = [0]
        # [end]: pushed back by the client-side rate limiter's waits (our own pacing, not the
        # server's doing), so only the server's time and the retry waits count against it.
        deadline = [time.monotonic() + self.deadline]
        stopped_by_deadline = [False]

        def attempt() -> Any:
            attempts[0] += 1
            return self._attempt(method, path, query, json, attempts[0], deadline)

        def stop(state: RetryCallState) -> bool:
            # The deadline bounds the whole call: no attempt starts after a wait that ends past it.
            if state.attempt_number >= self.max_attempts:
                return True
            late = time.monotonic() + (state.upcoming_sleep or 0.0) >= deadline[0]
            stopped_by_deadline[0] = late
            return late

        retrying = Retrying(
            stop=stop,
            wait=self._wait,
            retry=retry_if_exception(self._may_retry),
            before_sleep=self._before_sleep,
            reraise=True,
        )
        try:
            return retrying(attempt)
        except _Retry as exc:
            if stopped_by_deadline[0]:
                exc.error.args = (
                    f"{exc.error.args[0]} (not retried: waiting would pass the request deadline "
                    f"of {self.deadline:g} s, SYNCSPEC_REQUEST_DEADLINE)",
                )
            raise exc.error from None

    # -- one attempt -------------------------------------------------------------------------

    def _attempt(  # noqa: PLR0917 - one request's parts
        self,
        method: str,
        path: str,
        query: dict[str, Any],
        body: Any,
        number: int,
        end: list[float],  # [deadline], see request()
    ) -> Any:
        if self.limiter is not None and not self._spend_prepaid():
            waited = self.limiter.acquire()
            if waited:
                self.stats._add(rate_limit_waits=waited)
                end[0] += waited
        deadline = end[0]
        self.stats._add(requests=1)
        shown = path + (f"?{httpx.QueryParams(query)}" if query else "")
        started = time.monotonic()
        self._enter(method, path)
        try:
            with _transport.deadline_scope(deadline):
                status, headers, content = self._exchange(method, path, query, body, deadline)
        except httpx.TransportError as exc:
            self.stats._add(transport_errors=1)
            log.debug("%s %s -> %s (%.0f ms)", method, shown, type(exc).__name__, _ms(started))
            if isinstance(exc, _TIMEOUT_ERRORS) and time.monotonic() >= deadline - 0.01:
                sent = not isinstance(exc, _NOT_SENT_ERRORS)
                raise self._deadline_failure(method, path, sent) from None
            raise self._transport_failure(method, path, exc, number) from None
        except httpx.DecodingError as exc:
            text = redact(f"the response body cannot be decoded ({exc})")[:SHOWN_BODY_CHARS]
            raise error(ApiError, method, path, text) from None
        finally:
            self._leave()
        log.debug("%s %s -> %d (%.0f ms)", method, shown, status, _ms(started))
        self.stats._response(status)
        if 200 <= status < 300:
            return decode(content, method, path, status)
        raise self._status_failure(method, path, status, headers, content, number)

    def _exchange(
        self,
        method: str,
        path: str,
        query: dict[str, Any],
        body: Any,
        deadline: float,
    ) -> tuple[int, httpx.Headers, bytes]:
        """Status, headers and (bounded) body of one request, streamed."""
        request = self._client.build_request(method, path, params=query or None, json=body)
        response = self._client.send(request, stream=True)
        try:
            ok = response.is_success
            cap = self.max_response_bytes if ok else MAX_ERROR_BODY_BYTES
            declared = content_length(response.headers)
            if ok and declared is not None and declared > cap:
                raise self._too_large(method, path, response.status_code, f"{declared:,} bytes")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > cap:
                    if not ok:  # enough of an error body to find its message
                        chunks.append(chunk[: cap - (size - len(chunk))])
                        break
                    what = f"more than {cap:,} bytes"
                    raise self._too_large(method, path, response.status_code, what)
                chunks.append(chunk)
                if time.monotonic() >= deadline:
                    raise self._deadline_failure(method, path, True)
            return response.status_code, response.headers, b"".join(chunks)
        finally:
            response.close()

    def _too_large(self, method: str, path: str, status: int, what: str) -> ApiError:
        text = (
            f"the response is {what}, over the limit of {self.max_response_bytes:,} bytes "
            "(SYNCSPEC_MAX_RESPONSE_BYTES); abandoned"
        )
        # A write answered with success was applied, even if its answer cannot be read.
        maybe = method not in IDEMPOTENT_METHODS
        return error(ApiError, method, path, text, status=status, maybe_applied=maybe)

    def _deadline_failure(self, method: str, path: str, sent: bool) -> ApiError:
        text = (
            f"no complete response within {self.deadline:g} s, the overall deadline of a "
            "request (SYNCSPEC_REQUEST_DEADLINE); abandoned"
        )
        maybe = sent and method not in IDEMPOTENT_METHODS
        if maybe:
            text += "; the request may have been applied: check the current state before retrying"
        return error(TransportError, method, path, text, maybe_applied=maybe)

    def _transport_failure(
        self, method: str, path: str, exc: httpx.TransportError, number: int
    ) -> Exception:
        reason = redact(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
        if isinstance(exc, _NOT_SENT_ERRORS):
            text = f"cannot connect to {self.base_url} ({reason})"
            return _Retry(error(TransportError, method, path, text))
        if method not in IDEMPOTENT_METHODS:
            text = (
                f"no response ({reason}); the request may have been applied, so it was not "
                "retried: check the current state before trying again"
            )
            return error(TransportError, method, path, text, maybe_applied=True)
        text = f"no response ({reason}) after {number} attempt(s)"
        return _Retry(error(TransportError, method, path, text))

    def _status_failure(  # noqa: PLR0917 - the parts of one response
        self,
        method: str,
        path: str,
        status: int,
        headers: httpx.Headers,
        content: bytes,
        number: int,
    ) -> Exception:
        if 300 <= status < 400:
            where = headers.get("Location")
            target = f" to {redact(shown_url(where))[:SHOWN_BODY_CHARS]}" if where else ""
            text = (
                f"the server answered with a redirect{target}; syncspec never follows redirects "
                "(the API token would go along): set the API URL to the final address"
            )
            return error(ApiError, method, path, text, status=status)
        message = server_message(content)
        retry_after = parse_retry_after(headers.get("Retry-After"))
        if status in (401, 403):
            what = "authentication failed" if status == 401 else "permission denied"
            text = f"{what}: check the API token in the environment variable {self.token_env}"
            return error(AuthError, method, path, text, status=status, server_message=message)
        if status == 404:
            text = (
                f"{'' if message else 'not found: '}it may not exist, or belong to another "
                f"Truto environment than the one of the token in {self.token_env}"
            )
            # A DELETE that was retried after a lost response may have done its job already.
            return error(
                NotFoundError,
                method,
                path,
                text,
                status=status,
                server_message=message,
                maybe_applied=method == "DELETE" and number > 1,
            )
        if status in REFUSED_STATUSES:
            cls: type[ApiError] = RateLimitedError if status == 429 else ApiError
            if status == 429:
                text = f"rate limited; gave up after {number} attempt(s)"
            else:
                text = f"not processed; gave up after {number} attempt(s)"
            if retry_after is not None and retry_after > self.max_retry_after:
                text = f"rate limited; the server asks to wait {retry_after:.0f} s, too long"
            return _Retry(
                error(cls, method, path, text, status=status, server_message=message), retry_after
            )
        if status >= 500:
            if method not in IDEMPOTENT_METHODS:
                text = (
                    "server error; the request may have been applied, so it was not retried: "
                    "check the current state before trying again"
                )
                return error(
                    ServerError,
                    method,
                    path,
                    text,
                    status=status,
                    server_message=message,
                    maybe_applied=True,
                )
            text = f"server error; gave up after {number} attempt(s)"
            err = error(ServerError, method, path, text, status=status, server_message=message)
            return _Retry(err, retry_after) if status in SERVER_RETRY_STATUSES else err
        return error(
            ApiError, method, path, "request rejected", status=status, server_message=message
        )

    # -- tenacity hooks ----------------------------------------------------------------------

    def _may_retry(self, exc: BaseException) -> bool:
        if not isinstance(exc, _Retry):
            return False
        return exc.retry_after is None or exc.retry_after <= self.max_retry_after

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retry) and exc.retry_after is not None:
            if self.limiter is not None and exc.error.status == 429:
                self.limiter.defer(exc.retry_after)
            # Never earlier than asked; a little jitter so waiting threads do not return at once.
            return exc.retry_after + random.uniform(0, min(1.0, 0.1 * exc.retry_after))
        return float(self._backoff(state))

    def _before_sleep(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        delay = state.next_action.sleep if state.next_action else 0.0
        self.stats._add(retries=1, retry_waits=delay)
        if isinstance(exc, _Retry):
            err = exc.error
            what = str(err.status) if err.status is not None else "no response"
            log.debug(
                "retrying %s %s in %.2f s (attempt %d of %d failed: %s)",
                err.method,
                err.path,
                delay,
                state.attempt_number,
                self.max_attempts,
                what,
            )


def _ms(started: float) -> float:
    return (time.monotonic() - started) * 1000
