"""Schedules: each job's cron policy reconciled into per-account cron triggers (issue 21).

``plan_schedules`` adds to a job plan the trigger actions, one coverage line per schedule and the
notices; ``read_inputs`` does its two listings (``GET /integrated-account`` and
``GET /sync-job-cron-trigger``, each page by page and proven complete, so the requests grow with
pages, not with accounts x jobs); ``reconcile`` is pure.

Safety (DESIGN.md "Schedules"):

* A job file without a ``schedules`` key does not manage its triggers; ``schedules: []`` does
  (and deletes the ones syncspec made).
* Only triggers with syncspec's ownership marker in ``meta`` (``managed_by: syncspec``) are ever
  changed or deleted; others are foreign: listed, never touched.
* If the accounts or triggers cannot be listed completely, or a trigger carries a malformed
  marker, the plan has **no** trigger action at all (so zero trigger deletes) and an error
  (``Plan.trigger_errors``): the command fails rather than act on a partial picture.
* Identity of a trigger: (job, schedule name, account). Fields the update payload cannot change
  (``args``, ``integrated_account_id``, ``sync_job_id``; TS SDK) mean delete + create.
* Cron is compared by meaning (``jobfile.rules.cron``): a server that rewrites ``0-59`` as ``*``
  causes no diff.
"""

from __future__ import annotations

import fnmatch
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from syncspec.engine.model import (
    Action,
    ActionKind,
    Coverage,
    FieldChange,
    Notice,
    NoticeKind,
    Plan,
    TriggerAction,
)
from syncspec.engine.normalize import stable_json
from syncspec.errors import SyncspecError
from syncspec.jobfile.jobs import LocalJob
from syncspec.jobfile.rules import cron
from syncspec.jobfile.rules.args_schema import declared_args

MANAGED_BY = "syncspec"
ACCOUNT_ARG = "integrated_account_id"
# Trigger fields a schedule may set that the update payload can change.
MUTABLE = ("error_handling", "super_query", "events_to_send", "webhook_id", "daemon_group_key")
_KIND_ORDER = {ActionKind.DELETE: 0, ActionKind.UPDATE: 1, ActionKind.CREATE: 2}


class ScheduleSource(Protocol):
    def list_integrated_accounts(self) -> list[dict[str, Any]]: ...

    def list_cron_triggers(self, *, sync_job_id: str | None = None) -> list[dict[str, Any]]: ...


@dataclass
class Inputs:
    """What the listings gave (None: not needed) and why they failed."""

    accounts: list[dict[str, Any]] | None = None
    triggers: list[dict[str, Any]] | None = None
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ScopedJob:
    """A planned job that manages its schedules (its file has the key)."""

    job: LocalJob
    job_id: str | None  # None: created by this plan

    @property
    def schedules(self) -> list[dict[str, Any]]:
        value = self.job.data.get("schedules")
        return [s for s in value if isinstance(s, dict)] if isinstance(value, list) else []


def scoped_jobs(plan: Plan, local: Sequence[LocalJob]) -> list[ScopedJob]:
    """The plan's create/update/noop jobs whose files have a ``schedules`` key."""
    by_file = {(j.display, j.label): j for j in local}
    out = []
    for action in plan.actions:
        if action.kind == ActionKind.DELETE or action.file is None:
            continue
        job = by_file.get((action.file, action.label))
        if job is not None and "schedules" in job.data:
            out.append(ScopedJob(job, action.job_id))
    return out


def read_inputs(plan: Plan, scoped: Sequence[ScopedJob], client: ScheduleSource) -> Inputs:
    """List what the plan needs: accounts when a schedule exists, all triggers when a job manages
    its schedules, the triggers of each job being deleted."""
    inputs = Inputs()
    deleted = [a.job_id for a in plan.actions if a.kind == ActionKind.DELETE and a.job_id]
    if not scoped and not deleted:
        return inputs
    what = "integrated accounts"
    try:
        if any(s.schedules for s in scoped):
            inputs.accounts = client.list_integrated_accounts()
        what = "cron triggers"
        if scoped:
            inputs.triggers = client.list_cron_triggers()
        else:
            inputs.triggers = []
            for job_id in deleted:
                inputs.triggers.extend(client.list_cron_triggers(sync_job_id=job_id))
    except SyncspecError as exc:
        inputs.errors.append(
            f"the {what} could not be listed ({exc}); no cron trigger was planned, so none is "
            "created, changed or deleted. Fix the cause and re-run plan"
        )
    return inputs


def plan_schedules(
    plan: Plan, local: Sequence[LocalJob], client: ScheduleSource, *, now: datetime | None = None
) -> Plan:
    """``plan`` with its trigger actions, coverage and schedule notices added (in place)."""
    scoped = scoped_jobs(plan, local)
    inputs = read_inputs(plan, scoped, client)
    if inputs.errors:
        plan.trigger_errors.extend(inputs.errors)
        return plan
    if inputs.triggers is None:
        return plan
    result = reconcile(
        scoped,
        [a for a in plan.actions if a.kind == ActionKind.DELETE],
        inputs.accounts or [],
        inputs.triggers,
        now or datetime.now(UTC),
    )
    if result.errors:
        plan.trigger_errors.extend(result.errors)
        return plan
    plan.triggers.extend(result.actions)
    plan.coverage.extend(result.coverage)
    plan.notices.extend(result.notices)
    return plan


@dataclass
class Reconciled:
    actions: list[TriggerAction] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def marker(label: str, name: str) -> dict[str, str]:
    """The ownership marker syncspec puts in the ``meta`` of each trigger it creates."""
    return {"managed_by": MANAGED_BY, "schedule": f"{label}/{name}"}


def owned_schedule(trigger: Mapping[str, Any]) -> str | None:
    """The schedule name of a trigger syncspec owns; None for a foreign trigger.

    Raises ``ValueError`` for a malformed marker (a plan cannot be trusted with it).
    """
    meta = trigger.get("meta")
    if meta is None:
        return None
    if not isinstance(meta, dict):
        raise ValueError(f"meta is {type(meta).__name__}, not an object")
    if meta.get("managed_by") != MANAGED_BY:
        return None
    schedule = meta.get("schedule")
    if not isinstance(schedule, str) or "/" not in schedule or not schedule.rsplit("/", 1)[1]:
        raise ValueError(f"meta.schedule is {schedule!r}, not '<label>/<name>'")
    return schedule.rsplit("/", 1)[1]


def trigger_fingerprint(trigger: Mapping[str, Any]) -> str:
    return "sha256:" + hashlib.sha256(stable_json(dict(trigger)).encode()).hexdigest()


def integration_name(account: Mapping[str, Any]) -> Any:
    """``integration.name`` of a listed account (server data: anything may be malformed)."""
    integration = account.get("integration")
    return integration.get("name") if isinstance(integration, dict) else None


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _selected(
    schedule: Mapping[str, Any], integration: Any, accounts: Iterable[dict[str, Any]]
) -> tuple[list[dict[str, Any]], int]:
    """Accounts the schedule covers, and how many active accounts of the integration exist."""
    selector = schedule.get("accounts") or {}
    tenants = selector.get("tenants")
    sandbox = selector.get("sandbox")
    ids = selector.get("ids")
    active = []
    for account in accounts:
        name = integration_name(account)
        if integration and name != integration:
            continue
        if account.get("status") != "active":
            continue
        active.append(account)
    chosen = []
    for account in active:
        tenant = account.get("tenant_id")
        if tenants is not None and not (
            isinstance(tenant, str) and any(fnmatch.fnmatchcase(tenant, g) for g in tenants)
        ):
            continue
        if sandbox is not None and bool(account.get("is_sandbox")) is not sandbox:
            continue
        if ids is not None and account["id"] not in ids:
            continue
        chosen.append(account)
    return chosen, len(active)


def desired_body(
    job: LocalJob,
    job_id: str | None,
    schedule: Mapping[str, Any],
    account_id: str,
    *,
    declares_account: bool | None = None,
) -> dict[str, Any]:
    """The POST body of the trigger of (job, schedule, account)."""
    args = dict(schedule.get("args") or {})
    if declares_account is None:
        declares_account = ACCOUNT_ARG in declared_args(job.data.get("args_schema"))
    if declares_account:
        args[ACCOUNT_ARG] = account_id
    body: dict[str, Any] = {
        "sync_job_id": job_id,
        "integrated_account_id": account_id,
        "cron_expression": cron.resolve_h(str(schedule["cron"]), f"{job.label}\x00{account_id}"),
        "args": args,
    }
    for name in MUTABLE:
        if schedule.get(name) is not None:
            body[name] = schedule[name]
    body["meta"] = marker(job.label, str(schedule["name"]))
    return body


def _args(value: Any) -> Any:
    return value or {}  # absent = null = {}


def _live_order(trigger: Mapping[str, Any]) -> tuple[str, str]:
    return (str(trigger.get("created_at") or ""), str(trigger.get("id")))


def reconcile(
    scoped: Sequence[ScopedJob],
    deletes: Sequence[Action],
    accounts: Sequence[dict[str, Any]],
    triggers: Sequence[dict[str, Any]],
    now: datetime,
) -> Reconciled:
    """The trigger actions that make the live triggers match the schedules (pure)."""
    out = Reconciled()
    valid_accounts = [a for a in accounts if isinstance(a, dict) and isinstance(a.get("id"), str)]
    by_job: dict[str, list[dict[str, Any]]] = {}
    for trigger in triggers:
        job_id = trigger.get("sync_job_id")
        if isinstance(job_id, str):
            by_job.setdefault(job_id, []).append(trigger)
    for item in scoped:
        live = by_job.get(item.job_id or "", []) if item.job_id else []
        _reconcile_job(item, live, valid_accounts, now, out)
    for action in deletes:
        _job_deleted(action, by_job.get(action.job_id or "", []), out)
    if out.errors:
        return Reconciled(errors=out.errors)
    out.actions.sort(
        key=lambda t: (_KIND_ORDER[t.kind], t.label, t.schedule or "", t.account_id or "")
    )
    return out


def _split_owned(
    label: str, live: Sequence[dict[str, Any]], out: Reconciled
) -> tuple[dict[tuple[str, str], list[dict[str, Any]]], list[dict[str, Any]]]:
    owned: dict[tuple[str, str], list[dict[str, Any]]] = {}
    foreign = []
    for trigger in live:
        try:
            name = owned_schedule(trigger)
        except ValueError as exc:
            out.errors.append(
                f"cron trigger {trigger.get('id')} of job {label!r} has a malformed ownership "
                f"marker ({exc}); its triggers were not planned. Fix or delete that trigger in "
                "Truto, then re-run plan"
            )
            continue
        if name is None:
            foreign.append(trigger)
        else:
            key = (name, str(trigger.get("integrated_account_id") or ""))
            owned.setdefault(key, []).append(trigger)
    return owned, foreign


def _reconcile_job(
    item: ScopedJob,
    live: Sequence[dict[str, Any]],
    accounts: Sequence[dict[str, Any]],
    now: datetime,
    out: Reconciled,
) -> None:
    job, label = item.job, item.job.label
    owned, foreign = _split_owned(label, live, out)
    where: dict[str, Any] = {"file": job.display, "line": job.line}
    if foreign:
        out.notices.append(
            Notice(
                # a warning, not "unmanaged": that kind counts unmanaged *jobs* in the summary
                kind=NoticeKind.WARNING,
                message=f"{len(foreign)} cron trigger(s) of {label!r} without syncspec's marker "
                f"(foreign: listed, never touched): {', '.join(str(t.get('id')) for t in foreign)}",
                label=label,
                **where,
            )
        )
    for schedule in item.schedules:
        name, expression = schedule.get("name"), schedule.get("cron")
        if not isinstance(name, str) or not isinstance(expression, str):
            continue
        chosen, active = _selected(schedule, job.data.get("integration_name"), accounts)
        line = Coverage(label=label, schedule=name, cron=expression, accounts=len(chosen), **where)
        out.coverage.append(line)
        if not chosen and schedule.get("accounts"):
            out.notices.append(
                Notice(
                    kind=NoticeKind.WARNING,
                    message=f"schedule {name!r} of {label!r}: its accounts selector matches none "
                    f"of the {active} active account(s) of {job.data.get('integration_name')!r}",
                    label=label,
                    **where,
                )
            )
        fires = []
        declares = ACCOUNT_ARG in declared_args(job.data.get("args_schema"))
        for account in chosen:
            account_id = account["id"]
            desired = desired_body(
                job, item.job_id, schedule, account_id, declares_account=declares
            )
            fire = cron.next_fire(desired["cron_expression"], now)
            if fire is not None:
                fires.append(fire)
            existing = sorted(owned.pop((name, account_id), []), key=_live_order)
            base = TriggerAction(
                kind=ActionKind.CREATE,
                label=label,
                schedule=name,
                account_id=account_id,
                job_id=item.job_id,
                cron=desired["cron_expression"],
                next_fire=_iso(fire),
                **where,
            )
            for extra in existing[1:]:
                out.actions.append(
                    _delete(
                        label,
                        extra,
                        name,
                        "a duplicate of this schedule's trigger for the account",
                        where,
                    )
                )
                line.delete += 1
            if not existing:
                out.actions.append(_create(base, desired))
                line.create += 1
                continue
            _compare(base, desired, existing[0], line, out)
        line.next_fire = _iso(min(fires)) if fires else None
    for (name, _account), stale in sorted(owned.items()):
        for trigger in stale:
            reason = (
                "its schedule is gone from the file"
                if name not in {s.get("name") for s in item.schedules}
                else "the account is no longer active or selected"
            )
            out.actions.append(_delete(label, trigger, name, reason, where))
            for line in out.coverage:
                if line.label == label and line.schedule == name:
                    line.delete += 1


def _create(base: TriggerAction, desired: dict[str, Any]) -> TriggerAction:
    base.kind = ActionKind.CREATE
    base.reschedule = True
    base.body = desired
    return base


def _delete(
    label: str, trigger: Mapping[str, Any], name: str | None, reason: str, where: dict[str, Any]
) -> TriggerAction:
    # server data: only strings go into the typed fields (a saved plan must load back)
    account, job_id, expression = (
        trigger.get(k) for k in ("integrated_account_id", "sync_job_id", "cron_expression")
    )
    return TriggerAction(
        kind=ActionKind.DELETE,
        label=label,
        schedule=name,
        account_id=None if account is None else str(account),
        trigger_id=str(trigger.get("id")),
        job_id=None if job_id is None else str(job_id),
        cron=expression if isinstance(expression, str) else None,
        reason=reason,
        fingerprint=trigger_fingerprint(trigger),
        body=dict(trigger),
        **where,
    )


def _compare(
    base: TriggerAction,
    desired: dict[str, Any],
    live: dict[str, Any],
    line: Coverage,
    out: Reconciled,
) -> None:
    where: dict[str, Any] = {"file": base.file, "line": base.line}
    immutable = [
        n
        for n in ("sync_job_id", "integrated_account_id")
        if str(live.get(n) or "") != str(desired.get(n) or "")
    ]
    if _args(live.get("args")) != _args(desired.get("args")):
        immutable.append("args")
    if immutable:
        # the update payload cannot change these (TS SDK): replace the trigger
        reason = f"{', '.join(immutable)} changed (not updatable): replaced"
        out.actions.append(_delete(base.label, live, base.schedule, reason, where))
        line.delete += 1
        created = _create(base, desired)
        created.reason = reason
        out.actions.append(created)
        line.create += 1
        return
    changes: list[FieldChange] = []
    patch: dict[str, Any] = {}
    old_cron, new_cron = live.get("cron_expression"), desired["cron_expression"]
    cron_changed = not (isinstance(old_cron, str) and cron.same_meaning(old_cron, new_cron))
    if cron_changed:
        changes.append(
            FieldChange(pointer="/cron_expression", kind="changed", old=old_cron, new=new_cron)
        )
        patch["cron_expression"] = new_cron
    for name in (*MUTABLE, "meta"):
        if name not in desired:
            continue  # a field the schedule does not set is not managed
        if live.get(name) != desired[name]:
            kind: Literal["added", "changed"] = "added" if live.get(name) is None else "changed"
            changes.append(
                FieldChange(pointer=f"/{name}", kind=kind, old=live.get(name), new=desired[name])
            )
            patch[name] = desired[name]
    if not changes:
        line.up_to_date += 1
        return
    base.kind = ActionKind.UPDATE
    base.trigger_id = str(live.get("id"))
    base.reschedule = cron_changed
    base.fingerprint = trigger_fingerprint(live)
    base.changes = changes
    base.body = patch
    out.actions.append(base)
    line.update += 1


def _job_deleted(action: Action, live: Sequence[dict[str, Any]], out: Reconciled) -> None:
    """A job being deleted takes the triggers syncspec made for it along (same plan)."""
    owned, foreign = _split_owned(action.label, live, out)
    where: dict[str, Any] = {"file": action.file, "line": action.line}
    for (name, _account), group in sorted(owned.items()):
        for trigger in group:
            out.actions.append(_delete(action.label, trigger, name, "its job is deleted", where))
    if foreign:
        out.notices.append(
            Notice(
                kind=NoticeKind.WARNING,
                message=f"deleting {action.label!r} leaves {len(foreign)} cron trigger(s) "
                "syncspec does not own pointing at a job that is gone: "
                + ", ".join(str(t.get("id")) for t in foreign),
                label=action.label,
                job_ids=[action.job_id] if action.job_id else [],
            )
        )
