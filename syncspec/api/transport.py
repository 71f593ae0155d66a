"""The httpx transport: certificates and proxies for https only, and an overall deadline for
every socket operation of a request, enforced below httpx.

httpx's timeouts are per operation: a server that sends one byte every few seconds resets the read
timeout on every byte, so neither the headers nor the body of its response ever time out. The
client sets a per-thread deadline before each request (``deadline_scope``); the network backend
installed here clamps the timeout of every connect, TLS handshake, read and write to the time
left, so the whole exchange ends by the deadline even while bytes keep trickling in.

httpx's sync client does all I/O on the calling thread, so a thread-local deadline is exact even
when several threads share one pooled client (``apply`` does). The backend is an httpcore
``NetworkBackend`` (httpcore's documented extension point); httpx does not let one pass it to
``HTTPTransport``, so it is set on the transport's pool once, before any connection exists
(``install``). Name resolution (``getaddrinfo``) is outside any socket timeout and so outside the
deadline too; a loopback or ``api.truto.one`` address resolves at once in practice.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx

from syncspec.errors import ConfigError
from syncspec.safety import is_loopback, shown_url

# The smallest timeout handed to a socket: 0 would make it non-blocking (an error, not a timeout).
_MIN_TIMEOUT = 0.001

_local = threading.local()


@contextmanager
def deadline_scope(deadline: float) -> Iterator[None]:
    """Every socket operation of this thread ends by ``deadline`` (``time.monotonic()``)."""
    previous = getattr(_local, "deadline", None)
    _local.deadline = deadline
    try:
        yield
    finally:
        _local.deadline = previous


def _clamp(timeout: float | None) -> float | None:
    deadline: float | None = getattr(_local, "deadline", None)
    if deadline is None:
        return timeout
    left = max(deadline - time.monotonic(), _MIN_TIMEOUT)
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _clamp(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _clamp(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _Stream(self._stream.start_tls(ssl_context, server_hostname, _clamp(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(
            host, port, _clamp(timeout), local_address, socket_options
        )
        return _Stream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        return _Stream(self._backend.connect_unix_socket(path, _clamp(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def install(transport: httpx.HTTPTransport) -> None:
    """Make every socket operation of ``transport`` honour the thread's deadline."""
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if pool is None or not isinstance(backend, httpcore.NetworkBackend):
        # A future httpx/httpcore moved its internals: fail loudly rather than run unbounded
        # (tests/functional/test_hostile.py checks the trickle cases end by the deadline).
        raise RuntimeError(
            f"cannot install the request deadline on httpx {httpx.__version__}: "
            "syncspec needs updating for this httpx version"
        )
    pool._network_backend = _Backend(backend)


def build(url: str, limits: httpx.Limits) -> httpx.HTTPTransport:
    """The transport for ``url``: certificates and environment proxies for https only."""
    if url.startswith("http://"):
        # Loopback only (syncspec.safety): no TLS is ever needed, and no proxy is ever used.
        # A context without CA certificates refuses any TLS peer, so nothing can silently
        # become "verification off"; building it costs nothing, unlike loading certifi.
        transport = httpx.HTTPTransport(
            verify=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT), trust_env=False, limits=limits
        )
    else:
        transport = httpx.HTTPTransport(trust_env=True, limits=limits, proxy=_env_proxy(url))
    install(transport)
    return transport


def _env_proxy(url: str) -> str | None:
    """The proxy the environment names for the https ``url`` (``HTTPS_PROXY``/``ALL_PROXY``,
    ``NO_PROXY`` honoured), as httpx's ``trust_env`` would choose it."""
    import urllib.request

    host = httpx.URL(url).host
    bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
    if is_loopback(host) or bypass(host):
        return None
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get("https") or proxies.get("all") or None
    if proxy is not None and not proxy.lower().startswith(("http://", "https://")):
        raise ConfigError(
            f"the proxy {shown_url(proxy)!r} from the environment (HTTPS_PROXY/ALL_PROXY) is not "
            "an http(s) proxy, which is all syncspec supports; unset it or set NO_PROXY"
        )
    return proxy
