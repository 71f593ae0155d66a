"""JavaScript ``Date`` objects in the context, and how date objects serialize (see ``luxon``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from syncspec.nodetest.js.luxon import DateTimeValue, jsonata_function
from syncspec.nodetest.js.values import UNDEFINED

RUN_DATE_FIELDS = ("started_at", "finished_at", "created_at", "updated_at")


class JsDate(dict[str, Any]):
    """A JavaScript ``Date`` as JSONata reaches it: ``.toISOString()``, ``.getTime()``."""

    def __init__(self, moment: datetime) -> None:
        super().__init__()
        self.moment = moment.astimezone(UTC)
        self.iso = (
            self.moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{self.moment.microsecond // 1000:03d}Z"
        )

    def get(self, key: str, default: Any = None) -> Any:
        if key in ("toISOString", "toJSON"):
            iso = self.iso
            return jsonata_function(lambda *_: iso)
        if key in ("getTime", "valueOf"):
            millis = int(self.moment.timestamp() * 1000 // 1)
            return jsonata_function(lambda *_: millis)
        return default

    def __contains__(self, key: object) -> bool:
        return key in ("toISOString", "toJSON", "getTime", "valueOf")


def _as_js_date(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return JsDate(moment)


def prepare_input(document: Any) -> Any:
    """The case's input with ``sync_job_run``'s ISO date texts as JavaScript Dates."""
    if not isinstance(document, dict):
        return document
    run = document.get("sync_job_run")
    if not isinstance(run, dict) or not any(isinstance(run.get(f), str) for f in RUN_DATE_FIELDS):
        return document
    dated = dict(run)
    for field in RUN_DATE_FIELDS:
        if field in dated:
            dated[field] = _as_js_date(dated[field])
    return {**document, "sync_job_run": dated}


def json_form(value: Any) -> Any:
    """What ``JSON.stringify`` writes for a date object (its ``toJSON``); else ``UNDEFINED``."""
    if isinstance(value, DateTimeValue):
        return value.to_iso()
    if isinstance(value, JsDate):
        return value.iso
    return UNDEFINED
