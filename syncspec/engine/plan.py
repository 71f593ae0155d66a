"""Compute a plan (pure: no I/O) and save/load it (``plan --out`` / ``apply plan.json``)."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from syncspec import __version__
from syncspec.bounded import FileRefused, check_depth, read_regular_file
from syncspec.config import EVERY_LABEL, LabelSelection, PruneScope
from syncspec.engine.diff import diff_jobs, pointer, pointer_tokens
from syncspec.engine.identity import rename_suggestions, rewritten_labels
from syncspec.engine.match import (
    EVERYTHING_OWNED,
    Activity,
    Ownership,
    live_id,
    live_label,
    match_jobs,
)
from syncspec.engine.model import (
    FORMAT_VERSION,
    Action,
    ActionKind,
    Notice,
    NoticeKind,
    Plan,
    PlanEnvironment,
    PlanOptions,
    VarLanding,
)
from syncspec.engine.normalize import (
    CLIENT_FIELDS,
    canonical_job,
    comparable_live,
    fingerprint,
    fingerprint_of_json,
    stable_json,
)
from syncspec.errors import ConfigError
from syncspec.jobfile.jobs import LocalJob
from syncspec.jobfile.yaml.limits import MAX_DEPTH
from syncspec.redact import redact

_ORDER = {
    ActionKind.DELETE: 0,
    ActionKind.RENAME: 1,
    ActionKind.UPDATE: 2,
    ActionKind.CREATE: 3,
    ActionKind.NOOP: 4,
}
_NOTICE_ORDER = {NoticeKind.CONFLICT: 0, NoticeKind.WARNING: 1, NoticeKind.UNMANAGED: 2}
_RUNTIME = "default_runtime_version"


def plan_changes(
    local: Sequence[LocalJob],
    live: Sequence[Mapping[str, Any]],
    *,
    options: PlanOptions,
    prune_scope: PruneScope,
    api_url: str,
    profile: str,
    now: str | None = None,
    ownership: Ownership = EVERYTHING_OWNED,
    environment: PlanEnvironment | None = None,
    activity: Mapping[str, Activity] | None = None,
    selection: LabelSelection = EVERY_LABEL,
) -> Plan:
    """The plan that makes the live jobs match the job files (pure; the clock only if ``now``
    is None). ``activity``: triggers and runs of the live jobs whose label is held twice
    (``engine.identity.duplicated_ids``), so that copies left by an interrupted apply heal.
    ``selection``: the labels the profile manages (others are left alone)."""
    matched = match_jobs(
        local,
        live,
        options=options,
        prune_scope=prune_scope,
        ownership=ownership,
        activity=activity,
        profile=profile,
        selection=selection,
    )
    actions: list[Action] = []
    warnings: list[Notice] = []
    blocked = rewritten_labels(matched.creates, live, matched)
    for job, notice in blocked:
        matched.creates.remove(job)
        matched.conflicts.append(notice)

    for job in matched.creates:
        body = canonical_job(job.data)
        actions.append(
            Action(
                kind=ActionKind.CREATE,
                label=job.label,
                file=job.display,
                line=job.line,
                body=body,
                vars=_landings(job),
            )
        )
        if _RUNTIME not in body:
            warnings.append(
                _runtime_warning(
                    job, "the server will stamp its legacy default (set 4 for new jobs)"
                )
            )

    for job, remote in matched.pairs:
        desired = canonical_job(job.data)
        current = canonical_job(remote)
        comparable = comparable_live(current, desired)
        # Most jobs are unchanged: compare their JSON texts (the test diff_jobs starts with)
        # and reuse the live one for the fingerprint, rather than serialising each job 3 times.
        current_json = stable_json(current)
        same_fields = len(comparable) == len(current)
        comparable_json = current_json if same_fields else stable_json(comparable)
        changes = [] if comparable_json == stable_json(desired) else diff_jobs(comparable, desired)
        changed_fields = {pointer_tokens(c.pointer)[0] for c in changes}
        old_label = matched.renamed.get(live_id(remote))
        kind = ActionKind.UPDATE if changes else ActionKind.NOOP
        actions.append(
            Action(
                kind=ActionKind.RENAME if old_label is not None and changes else kind,
                renamed_from=old_label if changes else None,
                label=job.label,
                job_id=live_id(remote),
                file=job.display,
                line=job.line,
                fingerprint=fingerprint_of_json(current_json, remote.get("updated_at")),
                changes=changes,
                # PATCH sends each changed top-level field whole (nested merge is undocumented)
                body={n: desired[n] for n in CLIENT_FIELDS if n in changed_fields}
                if changes
                else None,
                vars=_landings(job),
            )
        )
        if _RUNTIME not in desired:
            live_value = current.get(_RUNTIME)
            warnings.append(
                _runtime_warning(
                    job, f"the live value ({live_value}) is neither compared nor changed"
                )
            )

    def delete(remote: Mapping[str, Any], duplicate_of: str | None = None) -> Action:
        return Action(
            kind=ActionKind.DELETE,
            label=live_label(remote),
            job_id=live_id(remote),
            fingerprint=fingerprint(remote),
            # shown to the reviewer (what is about to go); apply sends only the id
            body=canonical_job(remote),
            duplicate_of=duplicate_of,
        )

    actions.extend(delete(remote) for remote in matched.deletes)
    actions.extend(delete(remote, live_id(keep)) for remote, keep in matched.duplicates)
    warnings.extend(rename_suggestions(local, matched, live))

    actions.sort(key=lambda a: (_ORDER[a.kind], a.label, a.job_id or "", a.file or ""))
    notices = [*matched.conflicts, *warnings, *matched.unmanaged]
    notices.sort(
        key=lambda n: (_NOTICE_ORDER[n.kind], n.label or "", n.file or "", n.job_ids, n.message)
    )
    return Plan(
        syncspec_version=__version__,
        created_at=now if now is not None else _utc_now(),
        api_url=_public_url(api_url),
        profile=profile,
        options=options,
        environment=environment,
        actions=actions,
        notices=notices,
    )


# Domain separation for the token fingerprint: the same token hashed for another purpose never
# yields this value, and the value is useless as a password hash (HMAC under a public key of a
# long random token: identifying, not reversible).
_TOKEN_FINGERPRINT_KEY = b"syncspec/plan-environment/v1"


def token_fingerprint(token: str) -> str:
    """A non-reversible fingerprint of an API token (what a plan records, never the token)."""
    import hashlib
    import hmac

    digest = hmac.new(_TOKEN_FINGERPRINT_KEY, token.encode("utf-8"), hashlib.sha256)
    return f"hmac-sha256:{digest.hexdigest()}"


def environment_of(live: Sequence[Mapping[str, Any]], token: str) -> PlanEnvironment:
    """The environment the live jobs (listed with ``token``) belong to."""
    ids = {str(j["environment_id"]) for j in live if j.get("environment_id")}
    return PlanEnvironment(
        environment_id=next(iter(ids)) if len(ids) == 1 else None,
        token_fingerprint=token_fingerprint(token),
    )


def _landings(job: LocalJob) -> list[VarLanding]:
    return [VarLanding(pointer=pointer(*u.path), name=u.name, value=u.value) for u in job.vars]


def _runtime_warning(job: LocalJob, consequence: str) -> Notice:
    return Notice(
        kind=NoticeKind.WARNING,
        message=f"{job.display} does not set default_runtime_version: {consequence}",
        label=job.label,
        file=job.display,
        line=job.line,
    )


def _utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _public_url(url: str) -> str:
    """The API URL without any user:password@ part (a plan file must never hold credentials)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port is not None else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def plan_to_json(plan: Plan) -> str:
    """The plan as its documented, versioned JSON (what ``--out`` writes and ``--format json``
    prints)."""
    return redact(json.dumps(plan.model_dump(mode="json"), indent=2, ensure_ascii=False)) + "\n"


def save_plan(plan: Plan, path: Path) -> None:
    """Write ``plan`` to ``path`` atomically (a crash never leaves half a plan behind)."""
    text = plan_to_json(plan)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write the plan: {exc.strerror or exc}") from None


# Bounds of a saved plan (issue 22): a plan of thousands of jobs is a few MiB; job data nests at
# most the loader's MAX_DEPTH, plus the plan's own levels; no JSON number of a job is this long.
MAX_PLAN_BYTES = 64 * 1024 * 1024
MAX_PLAN_DEPTH = MAX_DEPTH + 16
MAX_NUMBER_CHARS = 100


def _number(kind: type[int] | type[float]) -> Any:
    def parse(text: str) -> int | float:
        if len(text) > MAX_NUMBER_CHARS:
            raise _BadNumber(f"a number of {len(text):,} characters")
        value = kind(text)
        if isinstance(value, float) and value in (float("inf"), float("-inf")):
            raise _BadNumber(f"a number out of range ({text[:20]})")
        return value

    return parse


class _BadNumber(ValueError):
    pass


def _no_constant(text: str) -> Any:
    raise _BadNumber(f"{text}, which JSON does not allow")


def _decode_plan_json(path: Path, text: str) -> Any:
    """The plan's JSON, with bounded numbers and nesting (never a RecursionError or a 70)."""
    try:
        data = json.loads(
            text,
            parse_int=_number(int),
            parse_float=_number(float),
            parse_constant=_no_constant,
        )
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{path}: not a syncspec plan file (invalid JSON at line {exc.lineno}, "
            f"column {exc.colno}: {exc.msg})"
        ) from None
    except _BadNumber as exc:
        raise ConfigError(f"{path}: not a syncspec plan file ({exc})") from None
    except RecursionError:
        raise ConfigError(
            f"{path}: not a syncspec plan file (nested deeper than {MAX_PLAN_DEPTH} levels)"
        ) from None
    if check_depth(data, MAX_PLAN_DEPTH) is not None:
        raise ConfigError(
            f"{path}: not a syncspec plan file (nested deeper than {MAX_PLAN_DEPTH} levels)"
        )
    return data


def load_plan(path: Path) -> Plan:
    """Read a plan saved by ``save_plan``; anything else is a ``ConfigError`` saying why."""
    try:
        raw = read_regular_file(path, MAX_PLAN_BYTES)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such plan file") from None
    except FileRefused as exc:
        raise ConfigError(f"{path}: not read as a plan file: {exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a syncspec plan file (not UTF-8 text)") from None
    data = _decode_plan_json(path, text)
    if not isinstance(data, dict) or "format_version" not in data or "actions" not in data:
        raise ConfigError(
            f"{path}: not a syncspec plan file (expected the JSON written by `syncspec plan --out`)"
        )
    version = data["format_version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ConfigError(f"{path}: not a syncspec plan file (bad format_version {version!r})")
    if version > FORMAT_VERSION:
        writer = data.get("syncspec_version", "a newer syncspec")
        raise ConfigError(
            f"{path}: plan format {version} was written by syncspec {writer}; this syncspec "
            f"({__version__}) reads format {FORMAT_VERSION} — upgrade syncspec or re-run plan"
        )
    from pydantic import ValidationError  # only loading a saved plan needs pydantic

    try:
        return Plan.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = "/".join(str(p) for p in first["loc"]) or "(top level)"
        raise ConfigError(
            f"{path}: corrupt plan file: {where}: {first['msg']} "
            f"({exc.error_count()} problem(s)); re-run `syncspec plan --out`"
        ) from None
