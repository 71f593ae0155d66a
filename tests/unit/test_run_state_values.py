"""Run-state value helpers: --value/--value-file/--json/--base64 and --decode."""

from __future__ import annotations

import base64
import json

import pytest

from syncspec.engine.run_state import decode_value, encode_value, with_decoded
from syncspec.errors import ConfigError


def test_plain_value_is_stored_as_given() -> None:
    assert encode_value(value="2024-01-01T00:00:00Z") == "2024-01-01T00:00:00Z"


def test_json_is_stored_compact() -> None:
    assert (
        encode_value(json_text='{ "page": 3,\n "ids": ["a", "b"] }') == '{"page":3,"ids":["a","b"]}'
    )


def test_base64_of_json() -> None:
    stored = encode_value(json_text='{"page": 3}', as_base64=True)
    assert stored == base64.b64encode(b'{"page":3}').decode()


def test_file_bytes_are_kept_exactly_and_binary_needs_base64() -> None:
    assert encode_value(value_bytes=b"abc\n") == "abc\n"
    assert encode_value(value_bytes=b"\xff\x00", as_base64=True) == "/wA="
    with pytest.raises(ConfigError, match=r"not UTF-8 text; pass --base64"):
        encode_value(value_bytes=b"\xff\x00")


def test_invalid_json_and_source_count() -> None:
    with pytest.raises(ConfigError, match=r"^--json: invalid JSON: "):
        encode_value(json_text="{nope")
    with pytest.raises(ConfigError, match=r"^give exactly one of --value, --value-file or --json$"):
        encode_value()
    with pytest.raises(ConfigError, match=r"^give exactly one of"):
        encode_value(value="a", json_text="1")


def test_decode_base64_json_pretty() -> None:
    stored = base64.b64encode(json.dumps({"since": "2024-01-01", "page": 2}).encode()).decode()
    decoded = decode_value(stored)
    assert decoded.encoding == "base64+json"
    assert decoded.text == '{\n  "since": "2024-01-01",\n  "page": 2\n}'
    assert decoded.data == {"since": "2024-01-01", "page": 2}


def test_decode_base64_text_and_plain_json_and_raw() -> None:
    assert decode_value(base64.b64encode(b"cursor-17").decode()).text == "cursor-17"
    assert decode_value('{"a":1}').text == '{\n  "a": 1\n}'
    assert decode_value('{"a":1}').encoding == "json"
    raw = decode_value("2024-01-01T00:00:00Z")
    assert (raw.text, raw.encoding) == ("2024-01-01T00:00:00Z", "raw")


def test_values_that_merely_look_like_base64_are_shown_as_stored() -> None:
    # "2024" and "test" are valid base64, but of bytes that are not text.
    for value in ("2024", "test", "abcd"):
        assert decode_value(value).text == value
        assert decode_value(value).encoding == "raw"


def test_with_decoded_adds_keys() -> None:
    stored = base64.b64encode(b'{"x":[1]}').decode()
    assert with_decoded({"key": "k", "value": stored}) == {
        "key": "k",
        "value": stored,
        "decoded_value": {"x": [1]},
        "encoding": "base64+json",
    }
