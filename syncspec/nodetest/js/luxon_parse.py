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

# Luxon's ISO 8601 grammar (src/impl/regexParser.js): calendar (extended or basic), week and
# ordinal dates, each with an optional T-time; a time with or without seconds, a fraction
# after "." or ",", an offset Z / +hh / +hh:mm / +hhmm.
_TIME = r"(\d\d)(?::?(\d\d)(?::?(\d\d)(?:[.,](\d{1,30}))?)?)?(?:(Z)|([+-]\d\d)(?::?(\d\d))?)?"
_ISO_FORMS = (
    ("ymd", re.compile(r"([+-]\d{6}|\d{4})(?:-?(\d\d)(?:-?(\d\d))?)?" + f"(?:T{_TIME})?")),
    ("week", re.compile(r"(\d{4})-?W(\d\d)(?:-?(\d))?" + f"(?:T{_TIME})?")),
    ("ordinal", re.compile(r"(\d{4})-?(\d{3})" + f"(?:T{_TIME})?")),
    ("time", re.compile(f"()()(){_TIME}")),  # a time alone: today (in the zone), as Luxon
)


def from_iso(text: Any, zone: Zone | None = SYSTEM) -> DateTimeValue:
    """Luxon ``DateTime.fromISO`` (converted to ``zone``; text without offset is in ``zone``)."""
    if not isinstance(text, str):
        return DateTimeValue(None, None, "unparsable")
    matches = ((kind, regex.fullmatch(text)) for kind, regex in _ISO_FORMS)
    kind, found = next(((k, m) for k, m in matches if m is not None), ("", None))
    if found is None:
        return DateTimeValue(None, None, "unparsable")
    if zone is None:
        return DateTimeValue(None, None, "unsupported zone")
    groups = found.groups()
    date, time = groups[:3], groups[3:]
    try:
        if kind == "time":
            today = datetime.now(zone.tz)
            day0 = datetime(today.year, today.month, today.day)
        elif kind == "ymd":
            day0 = datetime(int(date[0]), int(date[1] or 1), int(date[2] or 1))
        elif kind == "week":
            day0 = datetime.fromisocalendar(int(date[0]), int(date[1]), int(date[2] or 1))
        else:
            year, ordinal = int(date[0]), int(date[1])
            if not 1 <= ordinal <= (366 if calendar.isleap(year) else 365):
                raise ValueError(ordinal)
            day0 = datetime(year, 1, 1) + timedelta(days=ordinal - 1)
    except (ValueError, OverflowError):
        return DateTimeValue(None, None, "unit out of range")
    hour, minute, second = (int(t or 0) for t in time[:3])
    millis = int(float("0." + time[3]) * 1000) if time[3] else 0
    if not (0 <= minute <= 59 and 0 <= second <= 59) or not (
        hour <= 23 or (hour == 24 and minute == second == millis == 0)
    ):
        return DateTimeValue(None, None, "unit out of range")
    naive = day0 + timedelta(hours=hour, minutes=minute, seconds=second, milliseconds=millis)
    if time[4] == "Z":
        moment = naive.replace(tzinfo=UTC)
    elif time[5] is not None:
        sign = -1 if time[5][0] == "-" else 1
        offset = timedelta(hours=int(time[5][1:]), minutes=int(time[6] or 0))
        moment = naive.replace(tzinfo=timezone(sign * offset))
    else:
        moment = naive.replace(tzinfo=zone.tz)
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
    "ZZZ": (r"Z|[+-]\d{4}", "offset"),
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
        if zone is None:  # parsed, then setZone to an invalid zone
            return DateTimeValue(None, None, "unsupported zone")
        return DateTimeValue(moment, zone)
    if fmt == "fromSeconds":
        seconds = parse_int(text)
        if seconds is None:  # DateTime.fromSeconds(NaN)
            return DateTimeValue(None, None, "invalid input")
        if zone is None:
            return DateTimeValue(None, None, "unsupported zone")
        return DateTimeValue(datetime.fromtimestamp(seconds, UTC), zone)
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
        elif token in ("X", "x"):
            # Luxon 3.5's fromFormat never parses a Unix-time token (the oracle: "unparsable")
            return DateTimeValue(None, None, "unparsable")
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
    # Luxon: the units larger than the largest one written come from "now" (a time alone is
    # today), the smaller ones start at their minimum
    written = set(fields) | ({"hour"} if "hour12" in fields else set())
    if "monthname" in written:
        written.add("month")
    now = datetime.now(zone.tz if zone is not None else UTC)
    values: dict[str, Any] = {"year": 1970, "month": 1, "day": 1}
    values.update(hour=0, minute=0, second=0, ms=0)
    order = ("year", "month", "day", "hour", "minute", "second", "ms")
    first = next(
        (
            i
            for i, unit in enumerate(order)
            if unit in written or (unit == "year" and "yy" in written)
        ),
        None,
    )
    if first is not None:
        for unit in order[:first]:
            values[unit] = getattr(now, unit) if unit != "ms" else now.microsecond // 1000
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
