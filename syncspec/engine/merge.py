"""A server that merges a PATCH into what it had (issue 22): what syncspec does about it.

No source settles whether Truto's ``PATCH /sync-job/{id}`` replaces each top-level field sent
or merges it into the stored one (objects merged; arrays replaced, merged index-wise, or a JSON
merge patch where ``null`` deletes). The emulator plays each reading (``control.set_readings(
patch_merge=...)``). syncspec discovers which from the write's answer, per field written:

1. The answer holds what was sent: done (the server replaced it).
2. The answer holds what was sent *plus* keys or items this apply removed (a deep superset):
   the server merged. The same field is sent again as a JSON merge patch (RFC 7396) computed
   against the answer: explicit ``null`` for each key to remove.
3. Still more than sent, and the field may be ``null`` (``args_schema``): it is cleared
   (``null``) and then written whole, so nothing of the old value can be merged back in.
4. Still more than sent: the action fails with what the server kept and what to do (remove it
   in the dashboard, or delete and re-create the job). Not "a bug in syncspec".

At most 4 writes per job in one apply; a field whose answer differs otherwise (not a superset)
is left to ``verify_applied``. Each extra write takes rate-limit tokens like any request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from syncspec.engine.model import Action, ActionResult, Outcome
from syncspec.errors import SyncspecError

# Fields the API documents as "object or null": clearing them first is a valid write.
NULLABLE_OBJECTS = frozenset({"args_schema"})
_MAX_SHOWN = 5


class _PatchApi(Protocol):
    def update_sync_job(self, job_id: str, body: Mapping[str, Any]) -> dict[str, Any]: ...


def extras(have: Any, want: Any, pointer: str = "") -> list[str] | None:
    """Pointers of what ``have`` holds beyond ``want`` when ``have`` is ``want`` plus more
    (keys, trailing items, at any depth); ``None`` when ``have`` is not such a superset."""
    if isinstance(want, dict) and isinstance(have, dict):
        found: list[str] = []
        for key, value in want.items():
            if key not in have:
                return None
            inner = extras(have[key], value, f"{pointer}/{_escape(key)}")
            if inner is None:
                return None
            found.extend(inner)
        found.extend(f"{pointer}/{_escape(k)}" for k in have if k not in want)
        return found
    if isinstance(want, list) and isinstance(have, list):
        if len(have) < len(want):
            return None
        found = []
        for index, value in enumerate(want):
            inner = extras(have[index], value, f"{pointer}/{index}")
            if inner is None:
                return None
            found.extend(inner)
        found.extend(f"{pointer}/{i}" for i in range(len(want), len(have)))
        return found
    return [] if have == want else None


def _escape(key: Any) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def merge_patch(have: Any, want: Any) -> Any:
    """The RFC 7396 merge patch that turns ``have`` into ``want`` (``null`` removes a key)."""
    if not isinstance(want, dict) or not isinstance(have, dict):
        return want
    patch: dict[str, Any] = {key: None for key in have if key not in want}
    for key, value in want.items():
        if key not in have:
            patch[key] = value
        elif have[key] != value:
            patch[key] = merge_patch(have[key], value)
    return patch


def _kept(action: Action, answer: Mapping[str, Any]) -> dict[str, list[str]]:
    """Written fields the answer holds more of than was sent: field -> pointers kept."""
    from syncspec.engine.normalize import canonical_job

    body = action.body or {}
    wanted, have = canonical_job(body), canonical_job(answer)
    kept: dict[str, list[str]] = {}
    for name in body:
        if name not in wanted or name not in answer or have.get(name) == wanted[name]:
            continue
        found = extras(have.get(name), wanted[name], f"/{name}")
        if found:
            kept[name] = found
    return kept


def settle_merge(
    action: Action, client: _PatchApi, answer: Mapping[str, Any], done: ActionResult
) -> ActionResult:
    """``done`` as it stands after making a merging server drop what this apply removed."""
    from syncspec.engine.normalize import canonical_job

    kept = _kept(action, answer)
    if not kept:
        return done
    assert action.job_id is not None
    wanted = canonical_job(action.body or {})
    have = canonical_job(answer)
    used: list[str] = []
    writes = done.attempts
    try:
        patch = {name: merge_patch(have.get(name), wanted[name]) for name in kept}
        answer = client.update_sync_job(action.job_id, patch)
        writes += 1
        used.append("explicit nulls (JSON merge patch)")
        kept = _kept(action, answer)
        clear = [name for name in kept if name in NULLABLE_OBJECTS]
        if clear:
            client.update_sync_job(action.job_id, dict.fromkeys(clear))
            answer = client.update_sync_job(action.job_id, {n: wanted[n] for n in clear})
            writes += 2
            used.append("clearing " + ", ".join(clear) + " first")
            kept = _kept(action, answer)
    except SyncspecError as exc:
        return done.model_copy(
            update={
                "outcome": Outcome.FAILED,
                "attempts": writes,
                "error": "the server merged this PATCH into the job's old value (it kept "
                + _shown(kept)
                + f"); writing the removal again failed: {exc}. Re-run plan",
            }
        )
    if kept:
        return done.model_copy(
            update={
                "outcome": Outcome.FAILED,
                "attempts": writes,
                "error": "the server merged this PATCH into the job's old value and kept what "
                f"this apply removed: {_shown(kept)} (tried: {'; '.join(used)}). A PATCH "
                "cannot remove it on this server: remove it in the Truto dashboard, or delete "
                "the job and apply again to re-create it",
            }
        )
    return done.model_copy(
        update={
            "attempts": writes,
            "_written_at": _text(answer.get("updated_at")),
            "note": "the server merged the PATCH into the old value; what this apply removed "
            f"was then removed with {' and '.join(used)}",
        }
    )


def _shown(kept: Mapping[str, list[str]]) -> str:
    pointers = [p for found in kept.values() for p in found]
    more = f" and {len(pointers) - _MAX_SHOWN} more" if len(pointers) > _MAX_SHOWN else ""
    return ", ".join(pointers[:_MAX_SHOWN]) + more


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
