"""Where the API token may go, and which ids may go into a URL path (issue 11).

Pure functions, no httpx: ``config`` and ``engine`` use them as well as ``api``.

**Token destinations** (DESIGN.md, Configuration). The token is sent only

- over ``https``, or over ``http`` to a loopback host (``127.0.0.0/8``, ``::1``, ``localhost``);
- to ``api.truto.one`` or a loopback host, unless the host is allowed by the environment
  (``SYNCSPEC_ALLOWED_HOSTS``, comma-separated) or the command line (``--allow-host``, repeatable).
  ``syncspec.toml`` can never allow a host: a pull request can edit it, and CI would then send
  its production token to the editor's server (a profile's ``api_url``, or ``default_profile``
  choosing such a profile, are refused alike because the check is on the final URL);
- never in a URL with userinfo (``https://user:pass@host``): it would be printed in errors.

**Path ids.** Ids and keys come from the server or the command line. httpx collapses dot
segments, so an id ``.`` or ``..`` turns ``DELETE /sync-job/{id}`` into ``DELETE /sync-job`` or
``/``; percent-encoding them does not help (``%2E`` is the same URL to a server). They are refused,
as are empty ids, control characters and (for server-made ids) ``/``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from syncspec.errors import ConfigError

# C0 controls and DEL (one regex search, not a Python loop over every character)
_CONTROL = re.compile("[\x00-\x1f\x7f]")

DEFAULT_ALLOWED_HOSTS = ("api.truto.one",)
ALLOWED_HOSTS_ENV = "SYNCSPEC_ALLOWED_HOSTS"


# Hosts allowed by ``--allow-host`` for this process; set (not added to) by the CLI's root group
# on every invocation, so in-process runs (tests) never inherit another run's allowance.
def allowed_hosts(environ: Mapping[str, str] | None = None) -> frozenset[str]:
    """``api.truto.one`` plus the hosts of ``SYNCSPEC_ALLOWED_HOSTS`` (``--allow-host`` hosts
    reach the client through ``Settings.allowed_hosts``)."""
    env = os.environ if environ is None else environ
    from_env = (h for h in env.get(ALLOWED_HOSTS_ENV, "").split(",") if h.strip())
    return frozenset({*DEFAULT_ALLOWED_HOSTS, *(_norm_host(h) for h in from_env)})


def _norm_host(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


def is_loopback(host: str) -> bool:
    host = _norm_host(host)
    # only the name itself: other *.localhost names are resolved by whatever resolver the
    # machine has (mDNS, DNS), so plain http to them could leave the machine
    if host == "localhost":
        return True
    import ipaddress  # here: validate imports this module (via the CLI) but never needs it

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def shown_url(url: str) -> str:
    """``url`` without any userinfo, safe to print."""
    try:
        parts = urlsplit(url.strip())
        netloc = parts.netloc.rpartition("@")[2]
    except ValueError:
        return "<unparsable URL>"
    return parts._replace(netloc=netloc).geturl()


def check_api_url(
    url: str, *, extra_hosts: Iterable[str] = (), environ: Mapping[str, str] | None = None
) -> str:
    """``url`` normalised (no trailing slash) if the token may be sent there, else ConfigError.

    ``extra_hosts`` are allowed too (a program's own choice, as ``--allow-host`` is a user's).
    """
    text = url.strip().rstrip("/")
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        _ = parts.port  # raises ValueError for a non-numeric or out-of-range port
    except ValueError:
        raise ConfigError(
            f"invalid API URL {shown_url(url)!r}: expected https://host[:port]"
        ) from None
    if "@" in parts.netloc:
        raise ConfigError(
            f"invalid API URL {shown_url(url)!r}: it contains a user name or password "
            "(user:pass@host); put the API token in the token variable, never in the URL"
        )
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigError(f"invalid API URL {shown_url(url)!r}: expected https://host[:port]")
    if parts.query or parts.fragment:
        raise ConfigError(f"invalid API URL {shown_url(url)!r}: no query or fragment expected")
    loopback = is_loopback(host)
    if parts.scheme == "http" and not loopback:
        raise ConfigError(
            f"refusing to send the API token to {shown_url(text)} in clear text: use https "
            "(plain http is allowed only to loopback: 127.0.0.1, ::1, localhost)"
        )
    allowed = allowed_hosts(environ) | {_norm_host(h) for h in extra_hosts}
    name = _norm_host(host)
    if not loopback and name not in allowed:
        raise ConfigError(
            f"refusing to send the API token to {name!r}: only {', '.join(sorted(allowed))} "
            f"and loopback are allowed. If this host is yours, allow it with --allow-host {name} "
            f"or {ALLOWED_HOSTS_ENV}={name} (syncspec.toml cannot allow hosts: a pull request "
            "could edit it)"
        )
    return text


def path_id_problem(value: object, *, allow_slash: bool = False) -> str | None:
    """Why ``value`` cannot be one path segment of a request URL, or None when it can."""
    if not isinstance(value, str):
        return f"is not a string ({type(value).__name__})"
    if not value:
        return "is empty"
    if value in (".", ".."):
        return f"is {value!r}, which a URL reads as a relative path"
    if not allow_slash and "/" in value:
        return "contains '/'"
    if _CONTROL.search(value):
        return "contains a control character"
    return None
