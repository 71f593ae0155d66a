"""Text and JSON output of runs and run state, and the watch display.

The watch display is a rich ``Live`` table on a terminal and plain, one-line-per-change output
elsewhere (CI logs). Plain tables are simple aligned columns, kubectl-style, so that they read
the same in a terminal, a log and a test.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, TextIO

from syncspec.engine.run_state import DecodedValue
from syncspec.engine.runs import RunSnapshot, StatRow

# In plain output, say something at least this often even when nothing changes.
HEARTBEAT_SECONDS = 30.0


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)


def columns(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns separated by two spaces; no trailing spaces."""
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    lines = []
    for row in [list(headers), *rows]:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def duration(seconds: float) -> str:
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s"


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def _counters(counters: Mapping[str, Any]) -> str:
    return " ".join(f"{k}={_cell(v)}" for k, v in counters.items())


def _resource_name(row: StatRow) -> str:
    return f"{row.resource} {row.method}".strip()


# ---------------------------------------------------------------------------------------------
# runs


def run_started_note(run: Mapping[str, Any], job: Mapping[str, Any]) -> str:
    return (
        f"started run {run.get('id')} of job {job.get('label')!r} ({job.get('id')}) "
        f"for account {run.get('integrated_account_id')}"
    )


def _job_name(run: Mapping[str, Any]) -> str:
    """The embedded job's label when the run carries one, else the job id."""
    job = run.get("sync_job")
    if isinstance(job, Mapping) and job.get("label"):
        return str(job["label"])
    return _cell(run.get("sync_job_id"))


def runs_table(runs: Sequence[Mapping[str, Any]]) -> str:
    if not runs:
        return "no runs"
    rows = [
        [
            _cell(r.get("id")),
            _job_name(r),
            _cell(r.get("integrated_account_id")),
            _cell(r.get("status")),
            _cell(r.get("created_at")),
            _cell(r.get("finished_at")),
        ]
        for r in runs
    ]
    return columns(["ID", "JOB", "ACCOUNT", "STATUS", "CREATED", "FINISHED"], rows)


def stats_table(rows: Sequence[StatRow]) -> str:
    if not rows:
        return "no resource stats yet"
    return columns(
        ["RESOURCE", "METHOD", "COUNTERS"],
        [[r.resource, r.method or "-", _counters(r.counters) or "-"] for r in rows],
    )


def run_detail(run: Mapping[str, Any], rows: Sequence[StatRow]) -> str:
    job = run.get("sync_job")
    job_text = _cell(run.get("sync_job_id"))
    if isinstance(job, Mapping) and job.get("label"):
        job_text = f"{job_text} ({job['label']})"
    fields = [
        ("id", _cell(run.get("id"))),
        ("job", job_text),
        ("account", _cell(run.get("integrated_account_id"))),
        ("status", _cell(run.get("status"))),
        ("error_handling", _cell(run.get("error_handling"))),
        ("args", _cell(run.get("args"))),
        ("created_at", _cell(run.get("created_at"))),
        ("started_at", _cell(run.get("started_at"))),
        ("finished_at", _cell(run.get("finished_at"))),
    ]
    width = max(len(name) for name, _ in fields)
    head = "\n".join(f"{name.ljust(width)}  {value}" for name, value in fields)
    return f"{head}\n\n{stats_table(rows)}"


def run_stopped(run_id: str) -> str:
    return f"stopped run {run_id}"


def snapshot_line(snap: RunSnapshot) -> str:
    """One plain line: ``[12s] run R: running | ticketing/users list: fetched=10``."""
    parts = [f"[{duration(snap.elapsed)}] run {snap.run_id}: {snap.status}"]
    parts.extend(f"{_resource_name(r)}: {_counters(r.counters) or '-'}" for r in snap.rows)
    return " | ".join(parts)


def watch_finished(snap: RunSnapshot) -> str:
    return f"run {snap.run_id} {snap.status} after {duration(snap.elapsed)}"


def watch_interrupted(run_id: str, stopped: bool) -> str:
    if stopped:
        return f"interrupted: stopped run {run_id}"
    return (
        f"interrupted: stopped watching; run {run_id} keeps going "
        f"(`syncspec runs watch {run_id}` to resume, `syncspec runs stop {run_id}` to stop it)"
    )


class WatchDisplay(Protocol):
    def update(self, snap: RunSnapshot) -> None: ...
    def close(self) -> None: ...


class PlainWatchDisplay:
    """A line per change (and a heartbeat line every ``HEARTBEAT_SECONDS``) for logs."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.last_printed: float | None = None

    def update(self, snap: RunSnapshot) -> None:
        stale = self.last_printed is None or snap.elapsed - self.last_printed >= HEARTBEAT_SECONDS
        if snap.changed or stale or snap.terminal:
            self.stream.write(snapshot_line(snap) + "\n")
            self.stream.flush()
            self.last_printed = snap.elapsed

    def close(self) -> None:
        pass


class LiveWatchDisplay:
    """A rich ``Live`` view: status, elapsed time and a row per resource/method."""

    def __init__(self, console: Any) -> None:
        from rich.live import Live

        self.live = Live(console=console, auto_refresh=False, transient=False)
        self.live.start()

    def update(self, snap: RunSnapshot) -> None:
        self.live.update(_live_view(snap), refresh=True)

    def close(self) -> None:
        self.live.stop()


_STATUS_STYLE = {
    "completed": "green",
    "failed": "red",
    "stopped": "red",
    "rate_limited": "yellow",
    "running": "cyan",
}


def _live_view(snap: RunSnapshot) -> Any:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    style = _STATUS_STYLE.get(snap.status, "")
    header = Text.assemble(
        ("run ", ""),
        (snap.run_id, "bold"),
        ("  ", ""),
        (snap.status, style),
        (f"  {duration(snap.elapsed)}", "dim"),
    )
    names: list[str] = []
    for row in snap.rows:
        names.extend(k for k in row.counters if k not in names)
    table = Table(box=None, pad_edge=False)
    table.add_column("resource")
    table.add_column("method")
    for name in names:
        table.add_column(name, justify="right")
    for row in snap.rows:
        table.add_row(row.resource, row.method, *(_cell(row.counters.get(n, "")) for n in names))
    return Group(header, table) if snap.rows else header


def watch_display(
    stream: TextIO, *, force_terminal: bool | None = None, no_color: bool = False
) -> WatchDisplay:
    """Live display when ``stream`` is a terminal, plain lines otherwise."""
    from rich.console import Console

    console = Console(file=stream, force_terminal=force_terminal, no_color=no_color)
    if console.is_terminal:
        return LiveWatchDisplay(console)
    return PlainWatchDisplay(stream)


# ---------------------------------------------------------------------------------------------
# run state


def state_entries_table(entries: Sequence[Mapping[str, Any]]) -> str:
    if not entries:
        return "no entries"
    rows = [
        [_cell(e.get("key")), _cell(e.get("value")), _cell(e.get("updated_at"))] for e in entries
    ]
    return columns(["KEY", "VALUE", "UPDATED"], rows)


def state_entries_decoded(
    entries: Sequence[Mapping[str, Any]], decoded: Sequence[DecodedValue]
) -> str:
    if not entries:
        return "no entries"
    blocks = []
    for entry, value in zip(entries, decoded, strict=True):
        head = f"{entry.get('key')}  ({value.encoding}, updated {_cell(entry.get('updated_at'))})"
        body = "\n".join(f"  {line}" for line in value.text.splitlines() or [""])
        blocks.append(f"{head}\n{body}")
    return "\n".join(blocks)


def state_set(action: str, state_key: str, entry: Mapping[str, Any]) -> str:
    return f"{action} {entry.get('key')} in state {state_key}"


def state_deleted(state_key: str, key: str) -> str:
    return f"deleted {key} from state {state_key}"
