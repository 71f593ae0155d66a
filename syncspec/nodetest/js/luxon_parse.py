"""Parsing dates as Luxon does, for ``$dtFromIso`` and ``$dtFromFormat`` (see ``luxon``)."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from syncspec.nodetest.js.errors import NotOffline
from syncspec.nodetest.js.luxon import FORMAT_TOKEN, SYSTEM, DateTimeValue, Zone, zone_named
from syncspec.nodetest.js.values import parse_int


def from_iso(text: Any, zone: Zone | None = SYSTEM) -> DateTimeValue:
    """Luxon ``DateTime.fromISO`` (converted to ``zone``; text without offset is in ``zone``)."""
    if not isinstance(text, str) or not text.strip():
        return DateTimeValue(None, None, "unparsable")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return DateTimeValue(None, None, "unparsable")
    if zone is None:
        return DateTimeValue(None, None, "unsupported zone")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone.tz)
    return DateTimeValue(moment, zone)


_PARSE_TOKENS: dict[str, tuple[str, str]] = {
    "yyyy": (r"\d{4}", "year"), "yy": (r"\d{2}", "yy"), "y": (r"\d{1,6}", "year"),
    "MM": (r"\d{2}", "month"), "M": (r"\d{1,2}", "month"), "LL": (r"\d{2}", "month"),
    "L": (r"\d{1,2}", "month"), "dd": (r"\d{2}", "day"), "d": (r"\d{1,2}", "day"),
    "HH": (r"\d{2}", "hour"), "H": (r"\d{1,2}", "hour"), "hh": (r"\d{2}", "hour12"),
    "h": (r"\d{1,2}", "hour12"), "mm": (r"\d{2}", "minute"), "m": (r"\d{1,2}", "minute"),
    "ss": (r"\d{2}", "second"), "s": (r"\d{1,2}", "second"), "SSS": (r"\d{3}", "ms"),
    "S": (r"\d{1,3}", "ms"), "a": (r"AM|PM|am|pm", "meridiem"),
    "MMM": (r"[A-Za-z]{3}", "monthname"), "MMMM": (r"[A-Za-z]+", "monthname"),
    "EEE": (r"[A-Za-z]{3}", "skip"), "EEEE": (r"[A-Za-z]+", "skip"),
    "ZZ": (r"Z|[+-]\d{2}:\d{2}", "offset"), "Z": (r"Z|[+-]\d{1,2}(?::\d{2})?", "offset"),
    "ZZZ": (r"Z|[+-]\d{4}", "offset"), "X": (r"-?\d+", "unix"), "x": (r"-?\d+", "unixms"),
}  # fmt: skip
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})


def from_format(text: Any, fmt: Any, options: Any = None) -> DateTimeValue:
    """``$dtFromFormat``: ``RFC2822``, ``ISO``, ``fromSeconds`` or a Luxon format string."""
    opts = options if isinstance(options, dict) else {}
    zone = zone_named(opts.get("zone"))
    if fmt == "ISO":
        return from_iso(text, zone)
    if fmt == "RFC2822":
        try:
            moment = parsedate_to_datetime(str(text))
        except (TypeError, ValueError):
            return DateTimeValue(None, None, "unparsable")
        return DateTimeValue(moment, zone or SYSTEM)
    if fmt == "fromSeconds":
        seconds = parse_int(text)
        if seconds is None:
            return DateTimeValue(None, None, "unparsable")
        return DateTimeValue(datetime.fromtimestamp(seconds, UTC), zone or SYSTEM)
    if not isinstance(text, str) or not isinstance(fmt, str):
        return DateTimeValue(None, None, "unparsable")
    return _parse_with(text, fmt, zone)


def _parse_with(text: str, fmt: str, zone: Zone | None) -> DateTimeValue:

    pattern: list[str] = []
    fields: list[str] = []
    for match in FORMAT_TOKEN.finditer(fmt):
        token = match.group(0)
        if token.startswith("'"):
            pattern.append(re.escape(token[1:-1] if len(token) > 2 else "'"))
        elif token in _PARSE_TOKENS:
            regex, field = _PARSE_TOKENS[token]
            pattern.append(f"({regex})")
            fields.append(field)
        elif token[0].isalpha():
            raise NotOffline(f"$dtFromFormat token {token!r}")
        else:
            pattern.append(re.escape(token))
    found = re.fullmatch("".join(pattern), text)
    if found is None or zone is None:
        return DateTimeValue(None, None, "unparsable")
    values: dict[str, Any] = {"year": 1970, "month": 1, "day": 1}
    values.update(hour=0, minute=0, second=0, ms=0)
    offset: timezone | None = None
    for field, raw in zip(fields, found.groups(), strict=True):
        if field == "yy":
            values["year"] = 2000 + int(raw) if int(raw) < 60 else 1900 + int(raw)
        elif field == "monthname":
            if raw.lower() not in _MONTHS:
                return DateTimeValue(None, None, "unparsable")
            values["month"] = _MONTHS[raw.lower()]
        elif field == "offset":
            offset = _parse_offset(raw)
        elif field in ("unix", "unixms"):
            seconds = int(raw) / (1000 if field == "unixms" else 1)
            return DateTimeValue(datetime.fromtimestamp(seconds, UTC), zone)
        elif field not in ("skip", "meridiem"):
            values[field] = int(raw)
    if "hour12" in values:
        meridiem = next(
            (r for f, r in zip(fields, found.groups(), strict=True) if f == "meridiem"), ""
        )
        hour = values.pop("hour12") % 12
        values["hour"] = hour + (12 if meridiem.lower() == "pm" else 0)
    try:
        moment = datetime(
            values["year"], values["month"], values["day"], values["hour"], values["minute"],
            values["second"], values["ms"] * 1000, tzinfo=offset or zone.tz,
        )  # fmt: skip
    except ValueError:
        return DateTimeValue(None, None, "unit out of range")
    return DateTimeValue(moment, zone)


def _parse_offset(raw: str) -> timezone:
    if raw == "Z":
        return UTC
    sign = -1 if raw[0] == "-" else 1
    digits = raw[1:].replace(":", "")
    hours = int(digits[:-2] or 0) if len(digits) > 2 else int(digits)
    minutes = int(digits[-2:]) if len(digits) > 2 else 0
    return timezone(sign * timedelta(hours=hours, minutes=minutes))
