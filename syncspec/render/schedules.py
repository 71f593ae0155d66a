"""Text of the schedules part of a plan and of an apply result (cron triggers), and of
``syncspec schedules``.

A schedule over hundreds of accounts would print hundreds of lines, so trigger actions are
listed per (job, schedule, kind) up to ``SHOWN`` and then counted; the coverage line says the
rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from syncspec.engine.model import (
    ActionKind,
    Outcome,
    Plan,
    TriggerAction,
    TriggerResult,
)

SHOWN = 10
_SIGN = {ActionKind.CREATE: "+", ActionKind.UPDATE: "~", ActionKind.DELETE: "-"}
_COLOR = {
    ActionKind.CREATE: "\x1b[32m",
    ActionKind.UPDATE: "\x1b[33m",
    ActionKind.DELETE: "\x1b[31m",
}
_RESET = "\x1b[0m"


def _paint(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{_RESET}" if color and code else text


def trigger_counts(plan: Plan) -> str:
    return (
        f"Triggers: {plan.count_triggers(ActionKind.CREATE)} to create, "
        f"{plan.count_triggers(ActionKind.UPDATE)} to update, "
        f"{plan.count_triggers(ActionKind.DELETE)} to delete."
    )


def coverage_text(c: Any) -> str:
    parts = [f"{c.accounts} account(s)", f"{c.up_to_date} up to date"]
    parts += [f"{n} to {verb}" for n, verb in ((c.create, "create"), (c.update, "update"),
                                                (c.delete, "delete")) if n]  # fmt: skip
    fire = f" · next fire {c.next_fire}" if c.next_fire else ""
    return f'{c.label} / {c.schedule} "{c.cron}": {" · ".join(parts)}{fire}'


def trigger_line(t: TriggerAction) -> str:
    account = f"account {t.account_id}"
    if t.kind == ActionKind.CREATE:
        why = f"; {t.reason}" if t.reason else ""
        cron = f'cron "{t.cron}", next {t.next_fire}'
        return f"+ create trigger {t.schedule} for {account} ({cron}{why})"
    if t.kind == ActionKind.UPDATE:
        changes = ", ".join(f"{c.pointer[1:]} {c.old!r} → {c.new!r}" for c in t.changes)
        again = "; re-scheduled" if t.reschedule else ""
        return f"~ update trigger {t.trigger_id} ({t.schedule}, {account}): {changes}{again}"
    return f"- delete trigger {t.trigger_id} ({t.schedule or 'no schedule'}, {account}): {t.reason}"


def plan_lines(plan: Plan, *, color: bool, compact: bool = False) -> list[str]:
    """The "Schedules:" section of the text plan (empty when no job manages schedules)."""
    out: list[str] = []
    for error in plan.trigger_errors:
        out.append(_paint(f"Error: {error}", _COLOR[ActionKind.DELETE], color))
    if plan.trigger_errors:
        out.append("")
    if not plan.coverage and not plan.triggers:
        return out
    out.append("Schedules (cron triggers, UTC):")
    for c in plan.coverage:
        out.append(f"  {coverage_text(c)}")
    if not compact:
        groups: dict[tuple[str, str, ActionKind], list[TriggerAction]] = {}
        for t in plan.triggers:
            groups.setdefault((t.label, t.schedule or "", t.kind), []).append(t)
        for (label, schedule, kind), group in groups.items():
            for t in group[:SHOWN]:
                out.append("    " + _paint(f"{label}: {trigger_line(t)}", _COLOR[kind], color))
            if len(group) > SHOWN:
                rest = len(group) - SHOWN
                out.append(
                    f"    {label}: … and {rest} more trigger(s) of {schedule} to {kind.value}"
                )
    out.append("")
    return out


def apply_lines(results: Sequence[TriggerResult]) -> list[str]:
    """Failed, unknown and stale trigger results one by one, then the counts."""
    if not results:
        return []
    out: list[str] = []
    for r in results:
        ident = r.trigger_id or f"{r.schedule} for account {r.account_id}"
        if r.outcome in (Outcome.FAILED, Outcome.UNKNOWN) or r.stale:
            word = {Outcome.FAILED: "! failed to", Outcome.UNKNOWN: "? unknown outcome:"}.get(
                r.outcome, "  not attempted:"
            )
            out.append(f"{word} {r.kind.value} trigger {ident} of {r.label}: {r.error}")
    counts = {o: sum(1 for r in results if r.outcome == o) for o in Outcome}
    done = {k: sum(1 for r in results if r.outcome == Outcome.DONE and r.kind == k)
            for k in _SIGN}  # fmt: skip
    out.append(
        f"Triggers: {done[ActionKind.CREATE]} created, {done[ActionKind.UPDATE]} updated, "
        f"{done[ActionKind.DELETE]} deleted; {counts[Outcome.FAILED]} failed, "
        f"{counts[Outcome.NOT_ATTEMPTED]} not attempted, {counts[Outcome.UNKNOWN]} unknown."
    )
    return out


def listing_text(rows: Sequence[Any]) -> str:
    """``syncspec schedules``: one line per trigger, aligned columns, then the counts."""
    if not rows:
        return "No cron triggers.\n"
    head = ("JOB", "SCHEDULE", "TENANT", "ACCOUNT", "CRON (UTC)", "NEXT FIRE", "OWNER")
    table = [head] + [
        (
            r.job_label,
            r.schedule or "-",
            r.tenant_id or "-",
            r.account_id or "-",
            r.cron or "-",
            r.next_fire or "never",
            r.owner,
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in table
    ]
    owned = sum(1 for r in rows if r.owner == "syncspec")
    lines.append("")
    lines.append(f"{len(rows)} trigger(s): {owned} made by syncspec, {len(rows) - owned} foreign.")
    return "\n".join(lines) + "\n"
