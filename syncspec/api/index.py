"""A package index, read for ``syncspec init``'s hash-pinned requirements (issue 25).

Two reads, both bounded in time and size and over https only (plain http to a loopback host for
a local mirror): the files of a project with their sha256 from a PEP 691 simple index (JSON), and
the sha256 of one file at a URL (a wheel given to ``init --install-from``). Nothing that comes
back is trusted: a hash must be 64 hex digits, a file name a string, a page a JSON object.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import httpx

from syncspec.errors import ConfigError
from syncspec.safety import is_loopback, shown_url

DEFAULT_INDEX = "https://pypi.org/simple"
_ACCEPT = "application/vnd.pypi.simple.v1+json"
_TIMEOUT = httpx.Timeout(30.0)
# a project page of PyPI's largest projects (every file of every version) is a few MB
_MAX_PAGE = 64 * 1024 * 1024
_MAX_FILE = 200 * 1024 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _check_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ConfigError(f"not a URL: {shown_url(url)!r} ({exc})") from None
    if parsed.userinfo:
        raise ConfigError(f"{shown_url(url)}: put no credentials in the URL")
    if parsed.scheme == "https" or (parsed.scheme == "http" and is_loopback(parsed.host)):
        return parsed
    raise ConfigError(
        f"{shown_url(url)}: hashes are only read over https (or http to this machine)"
    )


class _Refused(Exception):
    pass


def _only_safe(request: httpx.Request) -> None:
    """Every request, redirects included, before it is sent: https, or http to loopback."""
    if request.url.scheme != "https" and not is_loopback(request.url.host):
        raise _Refused(f"{request.url} is neither https nor on this machine")


def _get(url: httpx.URL, limit: int, accept: str | None = None) -> bytes:
    headers = {"Accept": accept} if accept else {}
    try:
        with (
            httpx.Client(
                timeout=_TIMEOUT,
                follow_redirects=True,  # release assets redirect to their storage
                max_redirects=5,
                event_hooks={"request": [_only_safe]},
                trust_env=True,
            ) as client,
            client.stream("GET", url, headers=headers) as response,
        ):
            if response.status_code != 200:
                raise ConfigError(f"GET {url} -> {response.status_code}")
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > limit:
                    raise ConfigError(f"GET {url}: more than {limit} bytes; refused")
            return bytes(body)
    except _Refused as exc:
        raise ConfigError(f"GET {url}: refused a redirect: {exc}") from None
    except httpx.HTTPError as exc:
        raise ConfigError(f"GET {url} failed: {type(exc).__name__}: {exc}") from None


def project_files(index_url: str, name: str) -> list[tuple[str, str]]:
    """``(file name, sha256)`` of every file the index lists for the project ``name``."""
    base = _check_url(index_url.rstrip("/") + "/")
    url = base.join(f"{name}/")
    import json

    try:
        page: Any = json.loads(_get(url, _MAX_PAGE, accept=_ACCEPT))
    except ValueError:
        raise ConfigError(f"GET {url}: not a PEP 691 JSON page") from None
    files = page.get("files") if isinstance(page, dict) else None
    if not isinstance(files, list):
        raise ConfigError(f"GET {url}: no 'files' list (is this a PEP 691 simple index?)")
    found: list[tuple[str, str]] = []
    for item in files:
        if not isinstance(item, dict):
            continue
        filename, hashes = item.get("filename"), item.get("hashes")
        digest = hashes.get("sha256") if isinstance(hashes, dict) else None
        if isinstance(filename, str) and isinstance(digest, str) and _SHA256.fullmatch(digest):
            found.append((filename, digest))
    return found


def file_sha256(url: str) -> str:
    """The sha256 of the file at ``url`` (downloaded once, at most 200 MB)."""
    return hashlib.sha256(_get(_check_url(url), _MAX_FILE)).hexdigest()
