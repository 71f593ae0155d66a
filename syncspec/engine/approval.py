"""A saved plan is an approval, not a program (DESIGN.md, "Apply"; issue 10).

``apply plan.json`` never executes the file's actions as written. It recomputes the plan from
the job files at hand and the live jobs, and goes on only when the recomputed actions are
exactly the saved ones; the recomputed plan is what runs. So an edit of the plan file after
review (an extra field in a body, an injected or duplicated create, a delete, an update pointed
at another id) can never write what the job files do not say. The plan is also bound to the
environment it was made against (``Plan.environment``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from syncspec.engine.model import Action, Plan, PlanOptions, TriggerAction
from syncspec.engine.plan import token_fingerprint
from syncspec.errors import ConfigError, StalePlanError

# What is compared, in this order (the first field that differs is named).
_FIELDS = (
    "kind",
    "label",
    "job_id",
    "fingerprint",
    "body",
    "changes",
    "file",
    "line",
    "renamed_from",
    "duplicate_of",
)


def check_environment(plan: Plan, live: Sequence[Mapping[str, Any]], token: str) -> None:
    """``ConfigError`` (exit 3) unless the live jobs / token are of the plan's environment."""
    saved = plan.environment
    if saved is None:
        raise ConfigError(
            "the saved plan does not record the environment it was made against (it was "
            "written by an older syncspec); re-run `syncspec plan --out`"
        )
    live_ids = sorted({str(j["environment_id"]) for j in live if j.get("environment_id")})
    if saved.environment_id and live_ids:
        if live_ids != [saved.environment_id]:
            raise ConfigError(
                f"the saved plan was made against environment {saved.environment_id}, but this "
                f"token's jobs are in environment {', '.join(live_ids)}; nothing was changed. "
                "Use the token of the plan's environment, or re-run plan with this one"
            )
        return
    if saved.token_fingerprint != token_fingerprint(token):
        raise ConfigError(
            "the saved plan was made with another API token (another environment"
            f"{'' if saved.environment_id else ', which had no jobs yet'}); nothing was "
            "changed. Apply it with the token it was planned with, or re-run plan"
        )


def approve(
    saved: Plan,
    live: Sequence[Mapping[str, Any]] | None,
    token: str,
    recompute: Callable[[PlanOptions], Plan],
) -> Plan:
    """The plan to execute for the saved plan ``saved``: recomputed now, and returned only if its
    actions are exactly the saved ones.

    ``live`` is the environment's live jobs (``None`` when the job files at hand have problems, so
    nothing can be recomputed); ``token`` is the API token the apply would use; ``recompute`` makes
    the plan from the files at hand and ``live`` with the given options (pure: no I/O).
    Raises ``StalePlanError`` (exit 4: files with problems, or any action differs) or
    ``ConfigError`` (exit 3: another environment). Check ``check_saved_options`` first: it needs
    no live read.
    """
    if live is None:
        raise StalePlanError(
            "the job files now have problems, so the saved plan cannot be checked against "
            "them; nothing was changed"
        )
    check_environment(saved, live, token)
    # the saved paths narrowed what was planned; they were checked by check_saved_options and
    # applied when the files were loaded: the recomputation plans every loaded file
    plan = recompute(saved.options.model_copy(update={"paths": []}))
    check_same_actions(saved, plan)
    return plan


def check_saved_options(saved: Plan, *, prune: bool) -> None:
    """``ConfigError`` (exit 3) for saved options that the command line must confirm.

    The plan is recomputed with the saved options, so they are inputs an edit of the file could
    change: ``prune`` widens what may be deleted (turned on, and the matching deletes pasted in,
    a plan would delete unmanaged jobs nobody reviewed), so a pruning plan needs ``--prune`` on
    the ``apply`` command line too. ``paths`` may only name places inside the project.
    """
    if saved.options.prune and not prune:
        raise ConfigError(
            "the saved plan was made with --prune (it may delete unmanaged jobs in the prune "
            "scope); apply it with `syncspec apply --prune PLAN_FILE` to confirm; nothing was "
            "changed"
        )
    for path in saved.options.paths:
        parts = path.replace("\\", "/").split("/")
        if not path or path.startswith(("/", "~")) or ".." in parts or ":" in parts[0]:
            raise ConfigError(
                f"the saved plan narrows to {path!r}, which is not a path inside the project; "
                "nothing was changed. Re-run plan from the project"
            )


def check_same_actions(saved: Plan, recomputed: Plan) -> None:
    """``StalePlanError`` (exit 4) naming the first difference between the two plans' actions."""
    if recomputed.trigger_errors:
        raise StalePlanError(
            f"{'; '.join(recomputed.trigger_errors)} (the saved plan was not applied)"
        )
    difference = first_difference(saved.actions, recomputed.actions)
    if difference is None:
        difference = first_trigger_difference(saved.triggers, recomputed.triggers)
    if difference is not None:
        raise StalePlanError(
            "the saved plan is not what the job files and the live jobs give now: "
            f"{difference}. Nothing was changed; re-run plan and review it again"
        )


def first_difference(saved: Sequence[Action], now: Sequence[Action]) -> str | None:
    for index, (a, b) in enumerate(zip(saved, now, strict=False), start=1):
        left, right = a.model_dump(mode="json"), b.model_dump(mode="json")
        if any(left.get(n) != right.get(n) for n in ("kind", "label", "job_id")):
            return (
                f"action {index}: the saved plan says {_describe(a)}, but the files and live "
                f"jobs now give {_describe(b)}"
            )
        for name in _FIELDS:
            if left.get(name) != right.get(name):
                where = f"action {index} ({_describe(a)})"
                return f"{where}: {name}{_detail(name, left.get(name), right.get(name))}"
    if len(saved) > len(now):
        extra = saved[len(now)]
        return f"the saved plan has an action the files do not call for: {_describe(extra)}"
    if len(now) > len(saved):
        missing = now[len(saved)]
        return f"the files and live jobs now also call for: {_describe(missing)}"
    return None


# What is compared of a trigger action: everything but ``next_fire`` (it moves with the clock).
_TRIGGER_FIELDS = (
    "kind", "label", "schedule", "account_id", "trigger_id", "job_id", "cron", "reschedule",
    "fingerprint", "body", "changes",
)  # fmt: skip


def first_trigger_difference(
    saved: Sequence[TriggerAction], now: Sequence[TriggerAction]
) -> str | None:
    for index, (a, b) in enumerate(zip(saved, now, strict=False), start=1):
        left, right = a.model_dump(mode="json"), b.model_dump(mode="json")
        for name in _TRIGGER_FIELDS:
            if left.get(name) != right.get(name):
                return f"trigger action {index} ({_describe_trigger(a)}): {name} differs"
    if len(saved) != len(now):
        longer = saved if len(saved) > len(now) else now
        extra = _describe_trigger(longer[min(len(saved), len(now))])
        if len(saved) > len(now):
            return f"the saved plan has a trigger action the files do not call for: {extra}"
        return f"the files and live triggers now also call for: {extra}"
    return None


def _describe_trigger(action: TriggerAction) -> str:
    ident = f", id {action.trigger_id}" if action.trigger_id else ""
    return (
        f"{action.kind.value} trigger {action.label!r}/{action.schedule} for account "
        f"{action.account_id}{ident}"
    )


def _describe(action: Action) -> str:
    ident = f", id {action.job_id}" if action.job_id else ""
    return f"{action.kind.value} {action.label!r}{ident}"


def _detail(name: str, saved: Any, now: Any) -> str:
    if name == "body" and isinstance(saved, dict) and isinstance(now, dict):
        keys = sorted(set(saved) | set(now))
        first = next((k for k in keys if saved.get(k) != now.get(k)), None)
        if first is not None:
            return f" differs at /{first}"
    if name == "fingerprint":
        return " differs (the live job changed since the plan was made)"
    if name in ("body", "changes"):
        return " differs"
    return f" is {saved!r} in the saved plan but {now!r} now"
