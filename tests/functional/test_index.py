"""syncspec.api.index: the hashes `syncspec init` reads from a PEP 691 index, against a local
hostile server (tests/hostile/server.py): only well-formed entries count, and oversized, non-JSON
or redirected answers are refused with a clear error."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest

from syncspec.api import index
from syncspec.errors import ConfigError
from syncspec.pins import file_hashes
from tests.hostile.server import HostileServer

GOOD = "a" * 64
OTHER = "b" * 64


@pytest.fixture
def server() -> Iterator[HostileServer]:
    running = HostileServer()
    yield running
    running.stop()


def _page(*files: object) -> dict[str, object]:
    return {"meta": {"api-version": "1.1"}, "name": "click", "files": list(files)}


def test_only_well_formed_files_of_the_pinned_version_count(server: HostileServer) -> None:
    server.set(
        "json",
        body=_page(
            {"filename": "click-8.4.0-py3-none-any.whl", "hashes": {"sha256": GOOD}},
            {"filename": "click-8.4.0.tar.gz", "hashes": {"sha256": OTHER}},
            {"filename": "click-8.3.0-py3-none-any.whl", "hashes": {"sha256": "c" * 64}},
            {"filename": "click-8.4.0-py2-none-any.whl", "hashes": {"sha256": "NOTHEX"}},
            {"filename": "click-8.4.0-cp311-none-any.whl", "hashes": {"md5": "d" * 32}},
            {"filename": 7, "hashes": {"sha256": "e" * 64}},
            "junk",
        ),
    )
    assert file_hashes({"click": "8.4.0"}, index_url=server.url) == {"click": [GOOD, OTHER]}
    (request,) = server.requests
    assert request.path == "/click/"


@pytest.mark.parametrize(
    ("mode", "params", "message"),
    [
        ("json", {"body": {"result": []}}, "no 'files' list (is this a PEP 691 simple index?)"),
        ("json", {"raw": b"<html>simple</html>"}, "not a PEP 691 JSON page"),
        ("status", {"status": 404, "headers": {}}, "-> 404"),
        ("redirect", {"location": "http://pypi.invalid/click/"}, "refused a redirect"),
    ],
)
def test_bad_answers_are_clear_errors(
    server: HostileServer, mode: str, params: dict[str, object], message: str
) -> None:
    server.set(mode, **params)
    with pytest.raises(ConfigError) as raised:
        file_hashes({"click": "8.4.0"}, index_url=server.url)
    assert message in str(raised.value)


def test_no_file_of_the_version_names_the_pin(server: HostileServer) -> None:
    server.set("json", body=_page())
    with pytest.raises(ConfigError, match=r"no file of click==8\.4\.0 on http://127\.0\.0\.1"):
        file_hashes({"click": "8.4.0"}, index_url=server.url)


def test_an_endless_page_is_cut_at_the_limit(
    server: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index, "_MAX_PAGE", 256 * 1024)
    server.set("endless")
    with pytest.raises(ConfigError, match="more than 262144 bytes; refused"):
        index.project_files(server.url, "click")


def test_plain_http_elsewhere_and_credentials_are_refused() -> None:
    with pytest.raises(ConfigError, match="only read over https"):
        index.project_files("http://pypi.example/simple", "click")
    with pytest.raises(ConfigError, match="put no credentials in the URL"):
        index.project_files("https://user:pw@pypi.example/simple", "click")


def test_file_sha256_is_the_hash_of_the_bytes_served(server: HostileServer) -> None:
    server.set("json", raw=b"wheel bytes")
    digest = index.file_sha256(f"{server.url}/truto_syncspec-0.1.0-py3-none-any.whl")
    assert digest == hashlib.sha256(b"wheel bytes").hexdigest()
