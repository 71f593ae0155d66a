"""What the live cron triggers say: rows for ``syncspec schedules``, and the ``schedules`` block
``pull`` writes for a job whose marked triggers share one policy (issue 21).

A pulled schedule must plan to no changes, so it is written only when it reproduces every marked
trigger of its name exactly: one cron for all (or a pattern with ``H`` that resolves to each
account's cron), the same trigger fields and args (``integrated_account_id`` aside), and an
``accounts`` selector: none when the triggers cover exactly the job's active accounts, else the
explicit ``ids``. Anything else is reported, not guessed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from syncspec.engine.schedules import ACCOUNT_ARG, MUTABLE, integration_name, owned_schedule
from syncspec.jobfile.rules import cron


@dataclass(frozen=True)
class TriggerRow:
    """One live trigger, as ``syncspec schedules`` lists it."""

    trigger_id: str
    job_label: str
    job_id: str
    schedule: str | None  # None: foreign (no syncspec marker), or a malformed marker
    owner: str  # "syncspec", "foreign" or "malformed marker"
    account_id: str | None
    tenant_id: str | None
    cron: str | None
    next_fire: str | None


def trigger_rows(
    jobs: Sequence[Mapping[str, Any]],
    triggers: Sequence[Mapping[str, Any]],
    accounts: Sequence[Mapping[str, Any]],
    now: datetime,
) -> list[TriggerRow]:
    """Every trigger of ``jobs``, by job label, schedule and tenant."""
    labels = {str(j.get("id")): str(j.get("label")) for j in jobs}
    tenants = {str(a.get("id")): a.get("tenant_id") for a in accounts}
    rows = []
    for t in triggers:
        job_id = str(t.get("sync_job_id"))
        if job_id not in labels:
            continue
        try:
            name = owned_schedule(t)
            owner = "syncspec" if name is not None else "foreign"
        except ValueError:
            name, owner = None, "malformed marker"
        expression = t.get("cron_expression")
        fire = cron.next_fire(expression, now) if isinstance(expression, str) else None
        account = t.get("integrated_account_id")
        rows.append(
            TriggerRow(
                trigger_id=str(t.get("id")),
                job_label=labels[job_id],
                job_id=job_id,
                schedule=name,
                owner=owner,
                account_id=None if account is None else str(account),
                tenant_id=None if account is None else _str(tenants.get(str(account))),
                cron=expression if isinstance(expression, str) else None,
                next_fire=None if fire is None else fire.strftime("%Y-%m-%dT%H:%M:%SZ"),
            )
        )
    rows.sort(
        key=lambda r: (r.job_label, r.owner != "syncspec", r.schedule or "", r.tenant_id or "")
    )
    return rows


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@dataclass
class PulledSchedules:
    schedules: list[dict[str, Any]] | None = None  # None: no marked trigger (nothing to write)
    notes: list[str] = field(default_factory=list)


def pulled_schedules(
    job: Mapping[str, Any],
    triggers: Sequence[Mapping[str, Any]],
    accounts: Sequence[Mapping[str, Any]],
) -> PulledSchedules:
    """The ``schedules`` block for one live job, or why there is none."""
    label = str(job.get("label"))
    mine = [t for t in triggers if t.get("sync_job_id") == job.get("id")]
    out = PulledSchedules()
    groups: dict[str, list[Mapping[str, Any]]] = {}
    foreign = []
    for t in mine:
        try:
            name = owned_schedule(t)
        except ValueError as exc:
            out.notes.append(f"{label}: trigger {t.get('id')} has a malformed marker ({exc})")
            return PulledSchedules(notes=out.notes)
        if name is None:
            foreign.append(str(t.get("id")))
        else:
            groups.setdefault(name, []).append(t)
    if foreign:
        out.notes.append(
            f"{label}: {len(foreign)} foreign trigger(s) (not made by syncspec, not pulled): "
            + ", ".join(foreign)
        )
    if not groups:
        return out
    integration = job.get("integration_name")
    active = {
        str(a.get("id"))
        for a in accounts
        if isinstance(a, Mapping)
        and a.get("status") == "active"
        and (not integration or integration_name(a) == integration)
    }
    schedules = []
    for name, group in sorted(groups.items()):
        schedule, why = _policy(label, name, group, active)
        if schedule is None:
            out.notes.append(f"{label}: schedule {name!r} not pulled: {why}")
            return PulledSchedules(notes=out.notes)
        schedules.append(schedule)
    out.schedules = schedules
    return out


def _policy(
    label: str, name: str, group: Sequence[Mapping[str, Any]], active: set[str]
) -> tuple[dict[str, Any] | None, str]:
    accounts = [str(t.get("integrated_account_id") or "") for t in group]
    if "" in accounts or len(set(accounts)) != len(accounts):
        return None, "a trigger without an account, or two for one account"
    expression = _shared_cron(label, group)
    if expression is None:
        return None, "its triggers' cron expressions follow no single pattern"
    schedule: dict[str, Any] = {"name": name, "cron": expression}
    if set(accounts) != active:
        schedule["accounts"] = {"ids": sorted(accounts)}
    if not all(isinstance(t.get("args") or {}, dict) for t in group):
        return None, "a trigger's args are not an object"
    args = [{k: v for k, v in (t.get("args") or {}).items() if k != ACCOUNT_ARG} for t in group]
    if any(a != args[0] for a in args):
        return None, "its triggers have different args"
    if args[0]:
        schedule["args"] = args[0]
    for field_name in MUTABLE:
        values = [t.get(field_name) for t in group]
        if any(v != values[0] for v in values):
            return None, f"its triggers have different {field_name}"
        if values[0] is not None:
            schedule[field_name] = values[0]
    return schedule, ""


def _shared_cron(label: str, group: Sequence[Mapping[str, Any]]) -> str | None:
    crons = [t.get("cron_expression") for t in group]
    if not all(isinstance(c, str) and not cron.problems(c) for c in crons):
        return None
    fields = [str(c).split() for c in crons]
    if all(f == fields[0] for f in fields):
        return " ".join(fields[0])
    # fields that differ per account: try H there (what syncspec itself writes for H)
    candidate = [
        "H" if any(f[i] != fields[0][i] for f in fields) else fields[0][i] for i in range(5)
    ]
    pattern = " ".join(candidate)
    for t in group:
        seed = f"{label}\x00{t.get('integrated_account_id')}"
        if cron.resolve_h(pattern, seed) != t.get("cron_expression"):
            return None
    return pattern


def schedules_text(path: Path, original: str, schedules: list[dict[str, Any]]) -> str | None:
    """``original`` (the text of the job file ``path``) with its ``schedules`` key set in place
    (comments, order, quoting and line endings kept); None when it already says exactly that."""
    from ruamel.yaml.comments import CommentedMap

    from syncspec.engine.pull_yaml import PullError, _dump, _to_yaml
    from syncspec.jobfile.yaml.loader import parse_text
    from syncspec.jobfile.yaml.roundtrip import (
        exact_floats,
        newline_of,
        styled_yaml,
        with_newlines,
    )

    current = parse_text(original, str(path)).data
    if isinstance(current, dict) and current.get("schedules") == schedules:
        return None
    yaml, data = styled_yaml(original.replace("\r\n", "\n"))
    if not isinstance(data, CommentedMap):
        raise PullError(f"{path}: not a mapping; fix or remove the file and pull again")
    exact_floats(data)
    data["schedules"] = _to_yaml(schedules)
    text = _dump(yaml, data)
    back = parse_text(text, str(path)).data
    if not isinstance(back, dict) or back.get("schedules") != schedules:
        raise PullError(f"{path}: the schedules would not read back as the live triggers")
    return with_newlines(text, newline_of(original))


def write_schedules(path: Path, schedules: list[dict[str, Any]]) -> bool:
    """Set the ``schedules`` key of a job file in place; False when it already says exactly
    that."""
    from syncspec.engine.pull_yaml import read_file_text, write_updated_file

    text = schedules_text(path, read_file_text(path), schedules)
    if text is None:
        return False
    write_updated_file(path, text)
    return True
