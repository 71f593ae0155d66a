"""Dates as Truto's JSONata sees them: Luxon DateTimes (``$dtFromIso``) and JavaScript Dates.

``@truto/truto-jsonata`` returns a Luxon ``DateTime`` wrapped as a plain object whose properties
are its getters and bound methods (``toJsonataDateTime.ts``), so ``$dtFromIso(x).minus({...})
.toUTC().toISO()`` works. This is that object over Python's ``datetime``, with Luxon's output
rules: ``toISO()`` writes ``Z`` only in a *universal* zone (after ``toUTC()``), ``+00:00`` in the
runtime's system zone. Truto runs on UTC, so the system zone here is UTC (not universal).

The run's date fields (``sync_job_run.started_at`` ...) are JavaScript ``Date`` objects in Truto's
context (its docs write ``sync_job_run.started_at.toISOString()``); a case writes them as ISO
text, and ``jsdate.prepare_input`` turns them into Date-like objects for JSONata; parsing
(``$dtFromIso``, ``$dtFromFormat``) is in ``luxon_parse``.
"""

from __future__ import annotations

import calendar
import math
import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import partial
from typing import Any

from syncspec.nodetest.js.errors import NotOffline
from syncspec.nodetest.js.values import UNDEFINED, as_js_number

_UNITS = {
    "year": "years", "quarter": "quarters", "month": "months", "week": "weeks", "day": "days",
    "hour": "hours", "minute": "minutes", "second": "seconds", "millisecond": "milliseconds",
}  # fmt: skip
_CALENDAR_DAYS = {"years": 365, "quarters": 91, "months": 30, "weeks": 7, "days": 1}
_OFFLINE_METHODS = (
    "setLocale", "reconfigure", "toRelative", "toRelativeCalendar", "toLocaleString", "diff",
    "diffNow", "until", "hasSame", "toJSDate", "toISOWeekDate", "set",
)  # fmt: skip


_GETTERS = (
    "year",
    "month",
    "day",
    "hour",
    "minute",
    "second",
    "millisecond",
    "weekday",
    "quarter",
    "ordinal",
    "weekNumber",
    "weekYear",
    "daysInYear",
    "zoneName",
    "zone",
    "weeksInWeekYear",
    "offset",
    "isOffsetFixed",
    "monthShort",
    "monthLong",
    "weekdayShort",
    "weekdayLong",
    "locale",
    "offsetNameShort",
    "offsetNameLong",
    "invalidExplanation",
    "numberingSystem",
    "outputCalendar",
)  # fmt: skip (an invalid DateTime's getters; its daysInMonth is undefined)
_ZONE_NAMES = ("offsetNameShort", "offsetNameLong")  # ICU names: only UTC's are known offline


def js_null() -> Any:
    """JSONata's ``null`` (a None would read as undefined)."""
    from jsonata.utils import Utils  # type: ignore[import-untyped]

    return Utils.NULL_VALUE


def _or_null(fn: Any) -> Any:
    """A Luxon output method: null on an invalid DateTime."""

    def call(self: DateTimeValue, *args: Any) -> Any:
        if self.moment is None:
            return js_null()
        return fn(self, *args)

    return call


def jsonata_function(fn: Any) -> Any:
    from jsonata import Jsonata  # type: ignore[import-untyped]

    return Jsonata.JLambda(fn)


class Zone:
    """A Luxon zone: its name, whether it is universal (fixed), and its tzinfo."""

    def __init__(self, name: str, tz: tzinfo, universal: bool) -> None:
        self.name, self.tz, self.universal = name, tz, universal


SYSTEM = Zone("UTC", UTC, universal=False)
UTC_ZONE = Zone("UTC", UTC, universal=True)
# Luxon's FixedOffsetZone.parseSpecifier: "UTC+3", "utc-05:30" (not "+03:00", not "GMT+3")
_FIXED = re.compile(r"UTC([+-])(\d{1,2})(?::(\d{2}))?\Z", re.IGNORECASE)


def zone_named(name: Any) -> Zone | None:
    if name is None or name is UNDEFINED:
        return SYSTEM
    if not isinstance(name, str):
        return None
    lowered = name.lower()
    if lowered in ("local", "system", "default"):
        return SYSTEM
    if lowered in ("utc", "gmt"):
        return UTC_ZONE
    fixed = _FIXED.match(name)
    if fixed:
        minutes = int(fixed.group(2)) * 60 + int(fixed.group(3) or 0)
        minutes = -minutes if fixed.group(1) == "-" else minutes
        label = f"UTC{fixed.group(1)}{fixed.group(2).lstrip('0') or '0'}"
        if fixed.group(3) and fixed.group(3) != "00":
            label += f":{fixed.group(3)}"
        return Zone(label, timezone(timedelta(minutes=minutes)), universal=True)
    try:
        from zoneinfo import ZoneInfo

        return Zone(name, ZoneInfo(name), universal=False)
    except Exception:  # unknown zone: Luxon makes the DateTime invalid
        return None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _whole_millis(moment: datetime) -> datetime:
    """A JavaScript time value: whole milliseconds, a fraction cut toward zero (TimeClip)."""
    micros = (moment - _EPOCH) // timedelta(microseconds=1)
    millis = abs(micros) // 1000 * (1 if micros >= 0 else -1)
    return _EPOCH + timedelta(milliseconds=millis)


class DateTimeValue(dict[str, Any]):
    """The JSONata view of a Luxon DateTime: its getters and methods, looked up by name.

    jsonata-python reads a field of a mapping with ``.get``; the getters and the bound methods
    are made there, on first use (a chain such as ``.minus(...).toUTC().toISO()`` builds three
    DateTimes and reads one method of each).
    """

    def __init__(self, moment: datetime | None, zone: Zone | None, reason: str | None = None):
        super().__init__()
        self.moment = moment.astimezone(zone.tz) if moment is not None and zone else None
        self.zone = zone
        self.reason = None if self.moment is not None else (reason or "unparsable")
        self._fields: dict[str, Any] | None = None
        self._bound: dict[str, Any] = {}

    def get(self, key: str, default: Any = None) -> Any:
        method = _METHODS.get(key)
        if method is not None:
            bound = self._bound.get(key)
            if bound is None:
                bound = self._bound[key] = jsonata_function(partial(method, self))
            return bound
        if key in _ZONE_NAMES and self.zone is not None and self.zone.name != "UTC":
            raise NotOffline(f".{key} (the zone's localized name)")
        return self.fields().get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in _METHODS or key in self.fields()

    def fields(self) -> dict[str, Any]:
        """The getters (year, month, ..., isValid)."""
        if self._fields is not None:
            return self._fields
        m, zone = self.moment, self.zone
        if m is None or zone is None:
            # an invalid DateTime: its getters are NaN or null (JSON null), as in Luxon
            null = js_null()
            invalid: dict[str, Any] = {name: null for name in _GETTERS}
            invalid.update(
                isValid=False, isInLeapYear=False, isInDST=False, invalidReason=self.reason
            )
            self._fields = invalid
            return invalid
        null = js_null()
        fields: dict[str, Any] = {"isValid": True, "invalidReason": null}
        fields.update(invalidExplanation=null, numberingSystem=null, outputCalendar=null)
        if m is not None and zone is not None:
            offset = m.utcoffset() or timedelta(0)
            iso_year, iso_week, _ = m.isocalendar()
            fields.update(
                year=m.year, month=m.month, day=m.day, hour=m.hour, minute=m.minute,
                second=m.second, millisecond=m.microsecond // 1000, weekday=m.isoweekday(),
                quarter=(m.month - 1) // 3 + 1, ordinal=m.timetuple().tm_yday,
                weekNumber=iso_week, weekYear=iso_year,
                weeksInWeekYear=datetime(iso_year, 12, 28).isocalendar()[1],
                isInDST=bool(m.dst()), offsetNameShort="UTC",
                offsetNameLong="Coordinated Universal Time",
                daysInMonth=calendar.monthrange(m.year, m.month)[1],
                daysInYear=366 if calendar.isleap(m.year) else 365,
                isInLeapYear=calendar.isleap(m.year), zoneName=zone.name, zone=zone.name,
                offset=as_js_number(offset.total_seconds() / 60), isOffsetFixed=zone.universal,
                monthShort=calendar.month_abbr[m.month], monthLong=calendar.month_name[m.month],
                weekdayShort=calendar.day_abbr[m.weekday()],
                weekdayLong=calendar.day_name[m.weekday()],
                locale="en-US",
            )  # fmt: skip
        self._fields = fields
        return fields

    def _equals(self, other: Any = None) -> bool:
        return (
            isinstance(other, DateTimeValue)
            and other.moment == self.moment
            and other.zone is not None
            and self.zone is not None
            and other.zone.name == self.zone.name
            and other.zone.universal == self.zone.universal
        )

    def _seconds(self, *_: Any) -> float | None:
        return None if self.moment is None else self.moment.timestamp()

    # -- helpers -------------------------------------------------------------------------
    def _millis(self) -> int | None:
        if self.moment is None:
            return None
        return int(self.moment.timestamp() * 1000 // 1)

    def _in_zone(self, zone: Zone | None) -> DateTimeValue:
        # Luxon's setZone: an invalid zone wins, even over an invalid DateTime
        if zone is None:
            return DateTimeValue(None, None, "unsupported zone")
        if self.moment is None:
            return self
        return DateTimeValue(self.moment, zone)

    def _shift(self, duration: Any, sign: int) -> DateTimeValue:
        if self.moment is None:
            return self
        if isinstance(duration, int | float) and not isinstance(duration, bool):
            # exact milliseconds: on the UTC timeline (Python adds wall-clock time in a zone)
            shifted = self.moment.astimezone(UTC) + timedelta(milliseconds=sign * duration)
            return DateTimeValue(_whole_millis(shifted).astimezone(self.moment.tzinfo), self.zone)
        if not isinstance(duration, dict):
            raise ValueError(f"invalid duration {duration!r}")
        amounts = {_UNITS.get(str(k), str(k)): v for k, v in duration.items()}
        unknown = sorted(set(amounts) - set(_UNITS.values()))
        if unknown:
            raise ValueError(f"invalid duration unit(s) {', '.join(unknown)}")
        m = self.moment
        # Luxon's adjustTime: the whole years/quarters/months/weeks/days move the calendar; their
        # fractions become milliseconds by the casual conversions (a year is 365 days, a quarter
        # 91, a month 30, a week 7), added with the time units
        whole = {unit: math.trunc(sign * amounts.get(unit, 0)) for unit in _CALENDAR_DAYS}
        months = whole["years"] * 12 + whole["quarters"] * 3 + whole["months"]
        if months:
            total = m.year * 12 + (m.month - 1) + months
            year, month = divmod(total, 12)
            day = min(m.day, calendar.monthrange(year, month + 1)[1])
            m = m.replace(year=year, month=month + 1, day=day)
        days = whole["weeks"] * 7 + whole["days"]
        if days:  # calendar days keep the wall-clock time (DST-aware in IANA zones)
            naive = m.replace(tzinfo=None) + timedelta(days=days)
            m = naive.replace(tzinfo=m.tzinfo)
        fraction_days = sum(
            (sign * amounts.get(unit, 0) - whole[unit]) * length
            for unit, length in _CALENDAR_DAYS.items()
        )
        exact = timedelta(
            days=fraction_days,
            hours=sign * amounts.get("hours", 0),
            minutes=sign * amounts.get("minutes", 0),
            seconds=sign * amounts.get("seconds", 0),
            milliseconds=sign * amounts.get("milliseconds", 0),
        )
        m = _whole_millis(m.astimezone(UTC) + exact).astimezone(m.tzinfo)
        return DateTimeValue(m, self.zone)

    def _boundary(self, unit: Any, end: bool) -> DateTimeValue:
        if self.moment is None:
            return self
        name = _UNITS.get(str(unit), str(unit)).rstrip("s")
        m = self.moment.replace(tzinfo=None)
        if name == "millisecond":
            return self
        if name == "year":
            start = m.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
            nxt = start.replace(year=start.year + 1)
        elif name == "quarter":
            first = (m.month - 1) // 3 * 3 + 1
            start = m.replace(month=first, day=1, hour=0, minute=0, second=0, microsecond=0)
            total = start.year * 12 + first - 1 + 3
            nxt = start.replace(year=total // 12, month=total % 12 + 1)
        elif name == "month":
            start = m.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
            total = start.year * 12 + start.month
            nxt = start.replace(year=total // 12, month=total % 12 + 1)
        elif name == "week":
            day = m - timedelta(days=m.isoweekday() - 1)
            start = day.replace(hour=0, minute=0, second=0, microsecond=0)
            nxt = start + timedelta(days=7)
        elif name in ("day", "hour", "minute", "second"):
            keep = {"day": 0, "hour": 1, "minute": 2, "second": 3}[name]
            start = m.replace(
                hour=m.hour if keep > 0 else 0,
                minute=m.minute if keep > 1 else 0,
                second=m.second if keep > 2 else 0,
                microsecond=0,
            )
            step = {"day": {"days": 1}, "hour": {"hours": 1}, "minute": {"minutes": 1}}.get(
                name, {"seconds": 1}
            )
            nxt = start + timedelta(**step)
        else:
            raise ValueError(f"invalid unit {unit!r}")
        result = nxt - timedelta(milliseconds=1) if end else start
        return DateTimeValue(result.replace(tzinfo=self.moment.tzinfo), self.zone)

    def to_iso(self, opts: Any = None) -> str | None:
        if self.moment is None:
            return None
        return self._fmt("yyyy-MM-dd") + "T" + (self._iso_time(opts) or "")

    def _iso_time(self, opts: Any = None) -> str | None:
        if self.moment is None:
            return None
        options = opts if isinstance(opts, dict) else {}
        fmt = "HH:mm"
        m = self.moment
        suppress_seconds = options.get("suppressSeconds") and m.second == 0 and m.microsecond == 0
        if not suppress_seconds:
            fmt += ":ss"
            if not (options.get("suppressMilliseconds") and m.microsecond // 1000 == 0):
                fmt += ".SSS"
        if options.get("includeOffset", True):
            fmt += "ZZ"
        return self._fmt(fmt, allow_z=True)

    def _fmt(self, fmt: str, allow_z: bool = False) -> str:
        if self.moment is None:
            return "Invalid DateTime"
        return format_moment(self.moment, self.zone or SYSTEM, fmt, allow_z)


_METHODS: dict[str, Any] = {
    "plus": lambda self, d=None: self._shift(d, 1),
    "minus": lambda self, d=None: self._shift(d, -1),
    "startOf": lambda self, unit=None: self._boundary(unit, end=False),
    "endOf": lambda self, unit=None: self._boundary(unit, end=True),
    "setZone": lambda self, z=None, _opts=None: self._in_zone(zone_named(z)),
    "toUTC": lambda self, *_: self._in_zone(UTC_ZONE),
    "toLocal": lambda self, *_: self._in_zone(SYSTEM),
    "toISO": _or_null(lambda self, opts=None: self.to_iso(opts)),
    "toISODate": _or_null(lambda self, *_: self._fmt("yyyy-MM-dd")),
    "toISOTime": _or_null(lambda self, opts=None: self._iso_time(opts)),
    "toSQLDate": _or_null(lambda self, *_: self._fmt("yyyy-MM-dd")),
    "toSQLTime": _or_null(lambda self, *_: self._fmt("HH:mm:ss.SSS ZZ", allow_z=True)),
    "toSQL": _or_null(lambda self, *_: self._fmt("yyyy-MM-dd HH:mm:ss.SSS ZZ", allow_z=True)),
    "toHTTP": _or_null(
        lambda self, *_: self._in_zone(UTC_ZONE)._fmt("EEE, dd MMM yyyy HH:mm:ss 'GMT'")
    ),
    "toRFC2822": _or_null(lambda self, *_: self._fmt("EEE, dd MMM yyyy HH:mm:ss ZZZ")),
    "toFormat": lambda self, fmt="", _opts=None: self._fmt(str(fmt)),
    "toMillis": _or_null(lambda self, *_: self._millis()),
    "valueOf": _or_null(lambda self, *_: self._millis()),
    "toSeconds": _or_null(DateTimeValue._seconds),
    "toUnixInteger": _or_null(
        lambda self, *_: None if self.moment is None else math.floor(self.moment.timestamp())
    ),
    "equals": DateTimeValue._equals,
}


def _offline_method(name: str) -> Any:
    def fail(self: DateTimeValue, *_: Any) -> Any:

        raise NotOffline(f".{name}()")

    return fail


_METHODS.update({name: _offline_method(name) for name in _OFFLINE_METHODS})


FORMAT_TOKEN = re.compile(r"'[^']*'|([A-Za-z])\1*|.", re.DOTALL)


def _offset_text(moment: datetime, zone: Zone, allow_z: bool, style: str) -> str:
    seconds = (moment.utcoffset() or timedelta(0)).total_seconds()
    if allow_z and zone.universal and seconds == 0:
        return "Z"
    sign = "-" if seconds < 0 else "+"
    # Luxon truncates an offset of whole minutes and seconds (LMT -00:01:15 -> -00:01)
    hours, mins = divmod(int(abs(seconds) // 60), 60)
    if style == "narrow":
        return f"{sign}{hours}" + (f":{mins:02d}" if mins else "")
    if style == "techie":
        return f"{sign}{hours:02d}{mins:02d}"
    return f"{sign}{hours:02d}:{mins:02d}"


def format_moment(moment: datetime, zone: Zone, fmt: str, allow_z: bool = False) -> str:
    """Luxon ``toFormat`` for the common tokens (``yyyy-MM-dd HH:mm:ss.SSS ZZ`` and names)."""
    out: list[str] = []
    for match in FORMAT_TOKEN.finditer(fmt):
        token = match.group(0)
        if token.startswith("'"):
            out.append(token[1:-1] if len(token) > 2 else "'")
            continue
        out.append(_format_token(token, moment, zone, allow_z))
    return "".join(out)


_FORMATTERS: dict[str, Any] = {
    "yyyy": lambda m: f"{m.year:04d}", "yy": lambda m: f"{m.year % 100:02d}",
    "y": lambda m: str(m.year), "MM": lambda m: f"{m.month:02d}", "M": lambda m: str(m.month),
    "MMM": lambda m: calendar.month_abbr[m.month], "MMMM": lambda m: calendar.month_name[m.month],
    "LL": lambda m: f"{m.month:02d}", "L": lambda m: str(m.month),
    "dd": lambda m: f"{m.day:02d}", "d": lambda m: str(m.day),
    "HH": lambda m: f"{m.hour:02d}", "H": lambda m: str(m.hour),
    "hh": lambda m: f"{(m.hour % 12) or 12:02d}", "h": lambda m: str((m.hour % 12) or 12),
    "mm": lambda m: f"{m.minute:02d}", "m": lambda m: str(m.minute),
    "ss": lambda m: f"{m.second:02d}", "s": lambda m: str(m.second),
    "SSS": lambda m: f"{m.microsecond // 1000:03d}", "S": lambda m: str(m.microsecond // 1000),
    "a": lambda m: "AM" if m.hour < 12 else "PM",
    "EEE": lambda m: calendar.day_abbr[m.weekday()],
    "EEEE": lambda m: calendar.day_name[m.weekday()],
    "ccc": lambda m: calendar.day_abbr[m.weekday()],
    "cccc": lambda m: calendar.day_name[m.weekday()],
    "c": lambda m: str(m.isoweekday()), "E": lambda m: str(m.isoweekday()),
    "o": lambda m: str(m.timetuple().tm_yday), "ooo": lambda m: f"{m.timetuple().tm_yday:03d}",
    "q": lambda m: str((m.month - 1) // 3 + 1), "qq": lambda m: f"{(m.month - 1) // 3 + 1:02d}",
    "WW": lambda m: f"{m.isocalendar()[1]:02d}", "W": lambda m: str(m.isocalendar()[1]),
    "X": lambda m: str(math.floor(m.timestamp())),
    "x": lambda m: str(int(m.timestamp() * 1000 // 1)),
}  # fmt: skip


def _format_token(token: str, m: datetime, zone: Zone, allow_z: bool) -> str:
    formatter = _FORMATTERS.get(token)
    if formatter is not None:
        return str(formatter(m))
    if token == "z":
        return zone.name
    if token == "ZZ":
        return _offset_text(m, zone, allow_z, "short")
    if token == "Z":
        return _offset_text(m, zone, allow_z, "narrow")
    if token == "ZZZ":
        return _offset_text(m, zone, allow_z, "techie")
    if token in _LOCALE_TOKENS:  # localized dates/times and zone names (ICU data)
        raise NotOffline(f"toFormat token {token!r}")
    return token  # not a Luxon token: written as it is


_LOCALE_TOKENS = frozenset(
    {"ZZZZ", "ZZZZZ", "D", "DD", "DDD", "DDDD", "t", "tt", "ttt", "tttt", "T", "TT", "TTT"}
    | {"TTTT", "f", "ff", "fff", "ffff", "F", "FF", "FFF", "FFFF"}
)


def _local_week(m: datetime) -> tuple[int, int]:
    """en-US local week (Luxon ``localWeekYear``/``localWeekNumber``): weeks start on Sunday,
    week 1 holds January 1."""
    from datetime import date

    day = m.date()
    start = day - timedelta(days=day.isoweekday() % 7)
    year = (start + timedelta(days=6)).year
    jan1 = date(year, 1, 1)
    first = jan1 - timedelta(days=jan1.isoweekday() % 7)
    return year, (start - first).days // 7 + 1


_FORMATTERS.update(
    {
        "kk": lambda m: f"{m.isocalendar()[0] % 100:02d}",
        "kkkk": lambda m: f"{m.isocalendar()[0]:04d}",
        "ii": lambda m: f"{_local_week(m)[0] % 100:02d}",
        "iiii": lambda m: f"{_local_week(m)[0]:04d}",
        "n": lambda m: str(_local_week(m)[1]),
        "nn": lambda m: f"{_local_week(m)[1]:02d}",
        "u": lambda m: f"{m.microsecond // 1000:03d}",
        "uu": lambda m: f"{m.microsecond // 10000:02d}",
        "uuu": lambda m: str(m.microsecond // 100000),
        "LLL": lambda m: calendar.month_abbr[m.month],
        "LLLL": lambda m: calendar.month_name[m.month],
        "LLLLL": lambda m: calendar.month_name[m.month][0],
        "MMMMM": lambda m: calendar.month_name[m.month][0],
        "EEEEE": lambda m: calendar.day_name[m.weekday()][0],
        "ccccc": lambda m: calendar.day_name[m.weekday()][0],
        "G": lambda m: "AD",
        "GG": lambda m: "Anno Domini",
        "GGGGG": lambda m: "A",
        "yyyyyy": lambda m: f"{m.year:06d}",
    }
)


__all__ = ["DateTimeValue", "Zone", "format_moment", "zone_named"]
