"""Identity that survives (issue 19; DESIGN.md "Renames keep the job").

Pure parts (used by ``engine.plan``): the ``renamed_from`` suggestion for a create that is a
live job but for its label, and the guard that never creates a second job because the server
stored a label differently. Reading parts (used by ``engine.project``, with a client passed in):
what points at the jobs a plan deletes (cron triggers, runs, run state) and the triggers and runs
of live jobs whose label is held twice. Nothing here is read for a plan that needs it not: a
plan without deletes and without doubly held labels costs no request beyond the job list.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from syncspec.engine.match import (
    Activity,
    Match,
    is_copy,
    live_id,
    live_label,
    renamed_from,
)
from syncspec.engine.model import (
    ActionKind,
    CronTriggerRef,
    DeleteImpact,
    Notice,
    NoticeKind,
    Plan,
)
from syncspec.engine.normalize import canonical_job, nfc, stable_json
from syncspec.engine.schedules import MANAGED_BY
from syncspec.errors import SyncspecError
from syncspec.jobfile.jobs import LocalJob

LiveJob = Mapping[str, Any]

# A run in one of these states may still be working (truto-api.md: terminal are the others).
IN_PROGRESS = frozenset({"created", "running", "rate_limited"})
# The marker syncspec's schedules put in the ``meta`` of the triggers they own (DESIGN.md).
OWNER_KEY, OWNER = "managed_by", MANAGED_BY  # the ownership marker of engine.schedules
# At most this many run-state namespaces are looked into per deleted job.
MAX_STATE_NAMESPACES = 10
# A label the server may have cut to this many characters or more counts as "cut" (shorter
# prefixes are ordinary labels: "tickets" is no cut form of "tickets-v2").
MIN_CUT_LENGTH = 8

_PLAIN_LABEL = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-/ ]*$")


def yaml_label(label: str) -> str:
    """``label`` as an item of a YAML flow sequence (quoted unless plainly safe)."""
    plain = _PLAIN_LABEL.match(label) and label == label.strip() and ": " not in label
    return label if plain else json.dumps(label, ensure_ascii=False)


def renamed_from_line(job: LocalJob, old: str) -> str:
    """The exact ``renamed_from`` line the file should have (its own entries kept)."""
    labels = [*renamed_from(job), old] if old not in renamed_from(job) else renamed_from(job)
    return f"renamed_from: [{', '.join(yaml_label(x) for x in labels)}]"


def rename_suggestions(
    local: Sequence[LocalJob], matched: Match, live: Sequence[LiveJob]
) -> list[Notice]:
    """For a create whose job is, but for its label, a live job the plan deletes or leaves
    unmanaged: the ``renamed_from`` line to add. Never renames on its own."""
    deleted = {live_id(j) for j in matched.deletes}
    unmanaged = {i for n in matched.unmanaged if n.kind == NoticeKind.UNMANAGED for i in n.job_ids}
    by_id = {live_id(j): j for j in live}
    orphans = [by_id[i] for i in sorted(deleted | unmanaged) if i in by_id]
    if not orphans or not matched.creates:
        return []
    # indexed by the body without label and runtime version: one pass, not creates x orphans
    index: dict[str, list[LiveJob]] = {}
    for remote in orphans:
        index.setdefault(_shape_key(canonical_job(remote)), []).append(remote)
    out: list[Notice] = []
    for job in matched.creates:
        near = index.get(_shape_key(canonical_job(job.data)), [])
        same = [j for j in near if is_copy(job, j, ignore_label=True)]
        if len(same) != 1:
            continue
        old = same[0]
        fate = "deletes" if live_id(old) in deleted else "leaves behind"
        line = renamed_from_line(job, live_label(old))
        out.append(
            Notice(
                kind=NoticeKind.WARNING,
                message=f'this plan creates "{job.label}" and {fate} "{live_label(old)}" (id '
                f"{live_id(old)}), the same job but for its label. If it is a rename, add "
                f"`{line}` to {job.display}: the job then keeps its id, cron triggers and run "
                "history (syncspec never renames on its own)",
                label=job.label,
                job_ids=[live_id(old)],
                file=job.display,
                line=job.line,
                suggestion=line,
            )
        )
    return out


def _shape_key(body: Mapping[str, Any]) -> str:
    return stable_json({k: v for k, v in body.items() if k not in _NOT_SHAPE})


_NOT_SHAPE = frozenset({"label", "default_runtime_version"})


def _squeezed(label: str) -> str:
    return " ".join(nfc(label).split())


def how_rewritten(sent: str, stored: str) -> str | None:
    """How a server that stored ``stored`` for ``sent`` rewrote the label, or None when
    ``stored`` cannot be a rewrite of ``sent``."""
    if nfc(sent) == nfc(stored):
        return None  # the same text (NFC and NFD forms compare equal)
    if sent.strip() == stored:
        return "trimmed"
    if " ".join(sent.split()) == " ".join(stored.split()):
        return "whitespace collapsed"
    squeezed = " ".join(nfc(sent).split())
    if len(stored) >= MIN_CUT_LENGTH and (
        sent.startswith(stored) or squeezed.startswith(" ".join(nfc(stored).split()))
    ):
        return f"cut to {len(stored)} characters"
    return None


def rewritten_labels(
    creates: Sequence[LocalJob], live: Sequence[LiveJob], matched: Match
) -> list[tuple[LocalJob, Notice]]:
    """Creates to hold back: a live job no file binds reads as the file's label rewritten by
    the server (trimmed, whitespace collapsed, cut), so creating would make a second job.

    A cut label must also be the file's job but for its label (a shorter label that happens to
    be a prefix is another job)."""
    bound = {live_id(j) for _, j in matched.pairs}
    bound |= {i for n in matched.conflicts for i in n.job_ids}
    if not creates:
        return []
    # indexed by the label trimmed, whitespace-collapsed and in NFC: a create looks up its own
    # label and its prefixes (a cut), not every live job
    index: dict[str, list[LiveJob]] = {}
    for remote in live:
        if live_id(remote) not in bound:
            index.setdefault(_squeezed(live_label(remote)), []).append(remote)
    out: list[tuple[LocalJob, Notice]] = []
    for job in creates:
        squeezed = _squeezed(job.label)
        keys = [squeezed[:n] for n in range(len(squeezed), MIN_CUT_LENGTH - 1, -1)]
        for remote in (j for key in keys for j in index.get(key, [])):
            stored = live_label(remote)
            how = how_rewritten(job.label, stored)
            if how is None:
                continue
            if how.startswith("cut") and not is_copy(job, remote, ignore_label=True):
                continue
            notice = Notice(
                kind=NoticeKind.CONFLICT,
                message=f'live job "{stored}" (id {live_id(remote)}) is this file\'s job as '
                f'the server stored it: it was sent as "{job.label}" and stored {how}. Not '
                "creating another job. Set the label in the file to the stored one "
                f"(`label: {json.dumps(stored, ensure_ascii=False)}`), or delete that job",
                label=job.label,
                job_ids=[live_id(remote)],
                file=job.display,
                line=job.line,
                suggestion=f"label: {json.dumps(stored, ensure_ascii=False)}",
            )
            out.append((job, notice))
            matched.deletes = [j for j in matched.deletes if live_id(j) != live_id(remote)]
            break
    return out


# -- reading what points at a job ------------------------------------------------------------


class ActivitySource(Protocol):
    """What the reads need from ``syncspec.api.client.TrutoClient``."""

    def list_cron_triggers(self, *, sync_job_id: str | None = None) -> list[dict[str, Any]]: ...

    def list_sync_job_runs(self, *, sync_job_id: str | None = None) -> list[dict[str, Any]]: ...

    def list_run_state(self, state_key: str) -> list[dict[str, Any]]: ...


def duplicated_ids(local: Sequence[LocalJob], live: Sequence[LiveJob]) -> list[str]:
    """Ids of live jobs whose label (a file's, unpinned) is held by several live jobs."""
    labels = {nfc(j.label) for j in local if j.pinned_id is None}
    holders: dict[str, list[str]] = {}
    for remote in live:
        label = nfc(live_label(remote))
        if label in labels:
            holders.setdefault(label, []).append(live_id(remote))
    return sorted(i for ids in holders.values() if len(ids) > 1 for i in ids)


def read_activity(client: ActivitySource, ids: Iterable[str]) -> dict[str, Activity]:
    """Cron triggers and runs (counts) of each job."""
    out: dict[str, Activity] = {}
    for job_id in ids:
        triggers = client.list_cron_triggers(sync_job_id=job_id)
        runs = client.list_sync_job_runs(sync_job_id=job_id)
        out[job_id] = Activity(triggers=len(_own(triggers, job_id)), runs=len(_own(runs, job_id)))
    return out


def _own(items: Sequence[Mapping[str, Any]], job_id: str) -> list[Mapping[str, Any]]:
    """Items that point at ``job_id`` (a server ignoring the filter must not mislead)."""
    return [x for x in items if isinstance(x, Mapping) and str(x.get("sync_job_id")) == job_id]


def read_delete_impact(plan: Plan, client: ActivitySource, live: Sequence[LiveJob]) -> None:
    """Fill in ``impact`` for each delete of ``plan`` (in place): triggers, runs in progress,
    run state. Read for deletes only (a plan without deletes costs nothing more)."""
    by_id = {live_id(j): j for j in live}
    for action in plan.actions:
        if action.kind != ActionKind.DELETE or not action.job_id or action.duplicate_of:
            continue
        try:
            triggers = _own(client.list_cron_triggers(sync_job_id=action.job_id), action.job_id)
            runs = _own(client.list_sync_job_runs(sync_job_id=action.job_id), action.job_id)
            job = by_id.get(action.job_id, action.body or {})
            state = _has_run_state(client, job, runs)
        except SyncspecError as exc:
            # a delete must say what it leaves behind: without that, no plan
            raise SyncspecError(
                f'reading what deleting "{action.label}" (id {action.job_id}) leaves behind '
                f"(cron triggers, runs, run state) failed: {exc}; nothing was planned"
            ) from None
        action.impact = DeleteImpact(
            triggers=[_trigger(t) for t in triggers],
            runs_in_progress=sorted(str(r.get("id")) for r in runs if _running(r)),
            runs_total=len(runs),
            has_run_state=state,
        )


def _running(run: Mapping[str, Any]) -> bool:
    return str(run.get("status")) in IN_PROGRESS


def _trigger(trigger: Mapping[str, Any]) -> CronTriggerRef:
    meta = trigger.get("meta")
    owned = isinstance(meta, Mapping) and meta.get(OWNER_KEY) == OWNER
    account = trigger.get("integrated_account_id")
    cron = trigger.get("cron_expression")
    return CronTriggerRef(
        id=str(trigger.get("id")),
        integrated_account_id=None if account is None else str(account),
        cron_expression=None if cron is None else str(cron),
        owned=owned,
    )


_ARG = re.compile(r"\{\{\s*args\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_ANY_PLACEHOLDER = re.compile(r"\{\{.*?\}\}")


def state_namespaces(template: Any, runs: Sequence[Mapping[str, Any]]) -> tuple[list[str], bool]:
    """The run-state namespaces of a job: its ``state_key`` as each run rendered it (a run's own
    ``state_key`` when it has one, else ``{{args.X}}`` from the run's args). The flag says
    whether every namespace could be worked out."""
    if not isinstance(template, str) or not template:
        return [], True
    if not _ANY_PLACEHOLDER.search(template):
        return [template], True
    found: list[str] = []
    complete = True
    for run in runs:
        key = run.get("state_key")
        if not isinstance(key, str) or not key or _ANY_PLACEHOLDER.search(key):
            key = _render(template, run)
        if key is None:
            complete = False
        elif key not in found:
            found.append(key)
    if not runs:
        complete = False  # templated, never run: the namespace is unknown (and likely empty)
    return found, complete


def _render(template: str, run: Mapping[str, Any]) -> str | None:
    args = run.get("args") if isinstance(run.get("args"), Mapping) else {}
    assert isinstance(args, Mapping)
    values = {**args}
    values.setdefault("integrated_account_id", run.get("integrated_account_id"))
    missing = False

    def one(m: re.Match[str]) -> str:
        nonlocal missing
        value = values.get(m.group(1))
        if value is None or isinstance(value, Mapping | list):
            missing = True
            return ""
        return str(value)

    text = _ARG.sub(one, template)
    if missing or _ANY_PLACEHOLDER.search(text):
        return None
    return text


def _has_run_state(
    client: ActivitySource, job: Mapping[str, Any], runs: Sequence[Mapping[str, Any]]
) -> bool | None:
    namespaces, complete = state_namespaces(job.get("state_key"), runs)
    if len(namespaces) > MAX_STATE_NAMESPACES:
        namespaces, complete = namespaces[:MAX_STATE_NAMESPACES], False
    for key in namespaces:
        if client.list_run_state(key):
            return True
    return False if complete else None


def orphaned_triggers(plan: Plan) -> list[str]:
    """One line per delete that would orphan cron triggers syncspec does not own."""
    out = []
    for action in plan.actions:
        if action.kind != ActionKind.DELETE or action.impact is None:
            continue
        foreign = action.impact.foreign_triggers
        if foreign:
            out.append(
                f'"{action.label}" (id {action.job_id}): {len(foreign)} cron trigger(s) not '
                f"managed by syncspec (accounts: {_accounts(foreign)}; trigger ids "
                f"{', '.join(t.id for t in foreign)})"
            )
    return out


class OrphansRefused(SyncspecError):
    """A delete would orphan cron triggers syncspec does not own, and nobody allowed it."""


def check_orphans(plan: Plan, *, allowed: bool, interactive: bool) -> list[str]:
    """Refuse (``OrphansRefused``) a plan whose deletes orphan foreign cron triggers, unless
    ``allowed`` (``--allow-orphans``) or ``interactive`` (the confirmation then names them:
    the lines are returned for it)."""
    lines = orphaned_triggers(plan)
    if not lines or allowed:
        return []
    if not interactive:
        raise OrphansRefused(
            "the plan deletes job(s) that cron triggers not managed by syncspec point at; "
            "deleting them orphans the triggers:\n  "
            + "\n  ".join(lines)
            + "\nNothing was changed. If this is a rename, add `renamed_from` to the file (see "
            "the plan); else delete or re-point the triggers first, or re-run with "
            "--allow-orphans"
        )
    return lines


def _accounts(triggers: Sequence[CronTriggerRef]) -> str:
    names = sorted({t.integrated_account_id or "none" for t in triggers})
    return ", ".join(names)
