"""JavaScript's conversions of JSON values, as Truto's TypeScript runtime performs them.

Placeholders are resolved by ``@truto/replace-placeholders`` (TypeScript): inserting a value into
a longer string uses JavaScript's ``String(value)``, the ``:str`` cast uses lodash's ``toString``,
``:int``/``:num`` use ``parseInt``/``parseFloat``. Python's own conversions differ (``True`` vs
``true``, ``1e-07`` vs ``1e-7``, ``[1, 2]`` vs ``1,2``), so the resolver uses these.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

# a value that JavaScript would call ``undefined`` (absent), as opposed to ``null`` (None)
UNDEFINED: Any = type("Undefined", (), {"__repr__": lambda self: "undefined"})()

_FLOAT_PREFIX = re.compile(r"[+-]?(?:Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")
_DECIMAL_DIGITS = re.compile(r"[0-9]+")
_HEX_DIGITS = re.compile(r"[0-9a-fA-F]+")


def number_to_string(value: float | int) -> str:
    """ECMAScript ``Number::toString`` (shortest round-trip digits, JS exponent rules)."""
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    digits_tuple, exponent = Decimal(repr(abs(value))).normalize().as_tuple()[1:]
    digits = "".join(map(str, digits_tuple))
    assert isinstance(exponent, int)
    k = len(digits)
    n = exponent + k  # the decimal point sits after n digits
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    e = n - 1
    mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{sign}{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"


def js_string(value: Any) -> str:
    """JavaScript ``String(value)`` of a JSON value."""
    if value is UNDEFINED:
        return "undefined"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number_to_string(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        # Array.prototype.join: null and undefined elements become ""
        return ",".join("" if v is None or v is UNDEFINED else js_string(v) for v in value)
    return "[object Object]"


def lodash_to_string(value: Any) -> str:
    """lodash ``toString``: like ``String()``, but null -> "" and arrays map it element-wise."""
    if value is None or value is UNDEFINED:
        return ""
    return _base_to_string(value)


def _base_to_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return ",".join(_base_to_string(v) if v is not UNDEFINED else "undefined" for v in value)
    if isinstance(value, float) and value == 0 and math.copysign(1.0, value) < 0:
        return "-0"
    return js_string(value)


def parse_int(value: Any) -> int | None:
    """JavaScript ``parseInt(value)`` (radix from the text); None for NaN."""
    text = js_string(value).lstrip()
    sign = 1
    if text[:1] in "+-" and text:
        sign = -1 if text[0] == "-" else 1
        text = text[1:]
    if text[:2] in ("0x", "0X"):
        match = _HEX_DIGITS.match(text, 2)
        return sign * int(match.group(0), 16) if match else None
    match = _DECIMAL_DIGITS.match(text)
    return sign * int(match.group(0)) if match else None


def parse_float(value: Any) -> float | int | None:
    """JavaScript ``parseFloat(value)``; None for NaN."""
    match = _FLOAT_PREFIX.match(js_string(value).lstrip())
    if match is None:
        return None
    text = match.group(0)
    number = float(text.replace("Infinity", "inf"))
    return as_js_number(number)


_NUMBER_TEXT = re.compile(r"[+-]?(?:Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")
_RADIX_TEXT = re.compile(r"0([xXbBoO])([0-9a-fA-F]+)")


def js_number(value: Any) -> float:
    """JavaScript ``Number(value)`` of a primitive (null -> 0, undefined -> NaN)."""
    if value is None:
        return 0.0
    if value is UNDEFINED:
        return math.nan
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip(" \t\n\r\v\f\u00a0\ufeff\u2028\u2029")
        if text == "":
            return 0.0
        if _NUMBER_TEXT.fullmatch(text):
            return float(text.replace("Infinity", "inf"))
        radix = _RADIX_TEXT.fullmatch(text)
        if radix:
            base = {"x": 16, "b": 2, "o": 8}[radix.group(1).lower()]
            try:
                return float(int(radix.group(2), base))
            except ValueError:
                return math.nan
        return math.nan
    if isinstance(value, list | tuple):
        return js_number(js_string(value))
    return math.nan


def as_js_number(number: float | int) -> float | int:
    """One number type, as in JavaScript: integral floats become ints (1.0 -> 1)."""
    if isinstance(number, float) and number.is_integer() and abs(number) < 2**53:
        return int(number)
    return number


def js_truthy(value: Any) -> bool:
    """JavaScript truthiness (``if (value)``): objects and arrays are truthy even when empty."""
    if value is None or value is UNDEFINED or value is False:
        return False
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value != 0 and not (isinstance(value, float) and math.isnan(value))
    if isinstance(value, str):
        return value != ""
    return True
