"""Client behaviour the emulator cannot produce, via an injected httpx transport."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from syncspec import __version__
from syncspec.api.client import TrutoClient
from syncspec.api.responses import parse_retry_after
from syncspec.config import Secret, load_settings
from syncspec.errors import ApiError, ConfigError, ServerError, TransportError

TOKEN = "unit-test-token-0123456789"
Handler = Callable[[httpx.Request], httpx.Response]


def make(handler: Handler, **options: object) -> tuple[TrutoClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    # truto.test is not a default token destination (issue 11): allowed as a program would.
    defaults: dict[str, object] = {
        "rate_limit": None,
        "backoff": 0.001,
        "allowed_hosts": ["truto.test"],
    }
    defaults.update(options)
    client = TrutoClient(
        "https://truto.test/", Secret(TOKEN), transport=httpx.MockTransport(record), **defaults
    )
    return client, seen


def test_headers() -> None:
    client, seen = make(lambda r: httpx.Response(200, json={"id": "j1"}))
    client.get_sync_job("j1")
    headers = seen[0].headers
    assert headers["authorization"] == f"Bearer {TOKEN}"
    assert headers["accept"] == "application/json"
    assert headers["user-agent"].startswith(f"syncspec/{__version__} ")
    assert str(seen[0].url) == "https://truto.test/sync-job/j1"
    assert TOKEN not in repr(client) and TOKEN not in repr(seen[0].headers)


def test_reads_results_when_result_is_absent() -> None:
    client, _ = make(lambda r: httpx.Response(200, json={"results": [{"id": "a"}]}))
    assert client.list_sync_jobs() == [{"id": "a"}]


def test_a_cursor_that_comes_back_is_an_error_not_a_loop() -> None:
    pages = iter(range(10))
    client, seen = make(
        lambda r: httpx.Response(
            200, json={"result": [{"id": f"a{next(pages)}"}], "next_cursor": "c"}
        )
    )
    with pytest.raises(ApiError) as info:
        client.list_sync_jobs()
    assert str(info.value) == (
        "GET /sync-job -> 200: pagination did not advance (the same next_cursor came back "
        "twice); the listing cannot be proven complete, so nothing was done with it"
    )
    assert len(seen) == 2


def test_run_list_limit_caps_the_result_and_the_page_size() -> None:
    client, seen = make(
        lambda r: httpx.Response(
            200, json={"result": [{"id": str(i)} for i in range(3)], "next_cursor": "n"}
        )
    )
    assert [r["id"] for r in client.list_sync_job_runs(status="running", limit=3)] == [
        "0",
        "1",
        "2",
    ]
    assert len(seen) == 1
    assert seen[0].url.params["limit"] == "3" and seen[0].url.params["status"] == "running"
    assert "sync_job_id" not in seen[0].url.params


def test_non_json_error_body_is_quoted_briefly() -> None:
    client, _ = make(lambda r: httpx.Response(400, text="<html>bad gateway config</html>"))
    with pytest.raises(ApiError) as info:
        client.list_sync_jobs()
    assert (
        str(info.value)
        == "GET /sync-job -> 400: <html>bad gateway config</html> (request rejected)"
    )


def test_non_json_success_body_is_an_error() -> None:
    client, _ = make(lambda r: httpx.Response(200, text="hello"))
    with pytest.raises(ApiError, match="not JSON"):
        client.get_sync_job("x")


def test_post_read_error_is_maybe_applied_and_not_retried() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadError("connection reset", request=request)

    client, seen = make(handler)
    with pytest.raises(TransportError) as info:
        client.create_sync_job({"integration_name": "x", "resources": []})
    assert info.value.maybe_applied is True
    assert len(seen) == 1


def test_post_that_could_not_connect_is_retried() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(201, json={"id": "new"})

    client, _ = make(handler)
    assert client.create_sync_job({"integration_name": "x", "resources": []}) == {"id": "new"}
    assert len(calls) == 2
    assert client.stats.retries == 1 and client.stats.transport_errors == 1


def test_post_503_is_maybe_applied_but_get_500_is_retried() -> None:
    client, seen = make(lambda r: httpx.Response(503, json={"message": "down"}))
    with pytest.raises(ServerError) as info:
        client.create_sync_job({})
    assert info.value.maybe_applied is True and len(seen) == 1

    client, seen = make(lambda r: httpx.Response(500, json={"message": "oops"}), max_attempts=3)
    with pytest.raises(ServerError) as info:
        client.list_sync_jobs()
    assert info.value.maybe_applied is False and len(seen) == 3


def test_400_is_not_retried() -> None:
    client, seen = make(
        lambda r: httpx.Response(400, json={"statusCode": 400, "message": ["a", "b"]})
    )
    with pytest.raises(ApiError) as info:
        client.update_sync_job("j", {})
    assert info.value.server_message == "a; b"
    assert len(seen) == 1


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("7", 7.0),
        (" 1.5 ", 1.5),
        ("-3", 0.0),
        ("Wed, 21 Oct 2015 07:28:10 GMT", 10.0),
        ("soon", None),
        ("", None),
        (None, None),
        ("nan", None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    now = 1445412480.0  # Wed, 21 Oct 2015 07:28:00 GMT
    assert parse_retry_after(header, now=now) == expected


def test_bad_configuration_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"invalid API URL 'api\.truto\.one'"):
        TrutoClient("api.truto.one", Secret(TOKEN))
    with pytest.raises(ConfigError) as info:
        TrutoClient("https://api.truto.one", Secret("has space " + TOKEN), token_env="MY_TOKEN")
    assert str(info.value) == (
        "the token in MY_TOKEN contains spaces or non-ASCII characters; "
        "it cannot be sent as a bearer token"
    )
    client, _ = make(lambda r: httpx.Response(200, json={}))
    with pytest.raises(ConfigError) as info:
        client.get_sync_job("")
    assert str(info.value) == "job id '' is empty: it cannot be used in a request URL"


def test_from_settings_uses_the_profile(tmp_path: Path) -> None:
    (tmp_path / "syncspec.toml").write_text(
        'rate_limit = "100/5s"\n[profiles.prod]\n'
        'api_url = "https://prod.test"\ntoken_env = "PROD_TOKEN"\n'
    )
    settings = load_settings(cwd=tmp_path, environ={})
    with pytest.raises(ConfigError, match="set the environment variable PROD_TOKEN"):
        TrutoClient.from_settings(settings)
    with pytest.raises(ConfigError, match=r"refusing to send the API token to 'prod\.test'"):
        TrutoClient.from_settings(settings, token=Secret(TOKEN))
    client = TrutoClient.from_settings(
        settings, {"SYNCSPEC_ALLOWED_HOSTS": "other.test, prod.test"}, token=Secret(TOKEN)
    )
    assert client.base_url == "https://prod.test"
    assert client.token_env == "PROD_TOKEN"
    assert client._http.limiter is not None
    assert (client._http.limiter.max_requests, client._http.limiter.period) == (100, 5.0)


def test_httpx_is_imported_without_its_command_line_module() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import syncspec.api; import httpx\n"
        "assert not {'rich', 'pygments', 'click'} & set(sys.modules)\n"
        "assert sys.modules['httpx._main']._syncspec_placeholder\n"
        "print(httpx.main is sys.modules['syncspec.api._lazy_httpx']._real_main)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "True\n"  # a placeholder that hands over to the real httpx.main


def test_no_certificates_are_loaded_for_loopback_http_and_tls_is_refused_there() -> None:
    import ssl

    loopback = TrutoClient("http://127.0.0.1:9", Secret(TOKEN))
    context = loopback._http._client._transport._pool._ssl_context  # type: ignore[attr-defined]
    assert context.cert_store_stats()["x509_ca"] == 0
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    remote = TrutoClient("https://api.truto.one", Secret(TOKEN))
    context = remote._http._client._transport._pool._ssl_context  # type: ignore[attr-defined]
    assert context.cert_store_stats()["x509_ca"] > 0
    loopback.close()
    remote.close()


def test_a_non_http_proxy_for_https_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "socks5://user:secret@proxy.example:1080")
    with pytest.raises(ConfigError) as info:
        TrutoClient("https://api.truto.one", Secret(TOKEN))
    assert "secret" not in str(info.value)
    assert str(info.value).startswith(
        "the proxy 'socks5://proxy.example:1080' from the environment (HTTPS_PROXY/ALL_PROXY) "
    )


@pytest.mark.parametrize("moved", ["HTTPTransport._pool", "ConnectionPool._network_backend"])
def test_the_deadline_install_fails_loudly_if_httpx_moves_its_internals(moved: str) -> None:
    """The request deadline lives in httpx/httpcore private attributes (pyproject bounds both
    from above). If a release moves them, building a client must fail, never run unbounded."""
    from syncspec.api import transport

    real = httpx.HTTPTransport()
    try:
        transport.install(real)  # the versions installed now: it works
        assert type(real._pool._network_backend).__name__ == "_Backend"  # type: ignore[attr-defined]
    finally:
        real.close()
    broken = httpx.HTTPTransport()
    pool = broken._pool  # type: ignore[attr-defined]
    if moved == "HTTPTransport._pool":
        del broken._pool  # type: ignore[attr-defined]
    else:
        del pool._network_backend
    with pytest.raises(RuntimeError) as raised:
        transport.install(broken)
    assert str(raised.value) == (
        f"cannot install the request deadline on httpx {httpx.__version__}: "
        "syncspec needs updating for this httpx version"
    )
    pool.close()
