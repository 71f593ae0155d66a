"""Where a plan was made, for the PR comment: profile marker, head commit, workflow run link.

Computed here (not in a renderer) from the GitHub Actions environment. On a ``pull_request``
event ``GITHUB_SHA`` is GitHub's temporary merge commit, not what the author pushed, so the head
SHA is read from the event payload (``GITHUB_EVENT_PATH``) first. Every value is checked before
it is shown: the environment of a CI job is input like any other.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from syncspec.jobfile.yaml.limits import read_bounded

_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_REPO = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_SERVER = re.compile(r"https://[A-Za-z0-9.-]+(:[0-9]+)?")
_MAX_EVENT_BYTES = 25 * 1024 * 1024  # GitHub caps webhook payloads at 25 MB
_SAFE_URL = re.compile(r"https://[A-Za-z0-9./_-]+")
ENV_PROFILE = "env"  # the profile name syncspec.config gives "no profiles, environment only"


def profile_name(profile: str) -> str:
    """How output names a plan's profile: ``default`` when none was selected (the environment
    variables decide), the same word in the text plan, the PR comment, its marker and the
    apply prompt (issue 24)."""
    return "default" if profile == ENV_PROFILE else profile


@dataclass(frozen=True)
class ReviewContext:
    profile: str = "default"  # the profile named in the hidden marker
    head_sha: str | None = None
    run_url: str | None = None
    # where the full plan was uploaded (the workflow sets SYNCSPEC_PLAN_ARTIFACT_URL to
    # upload-artifact's artifact-url); linked whenever the comment leaves something out
    artifact_url: str | None = None


def review_context(
    profile: str, environ: Mapping[str, str], event: Mapping[str, Any] | None = None
) -> ReviewContext:
    """The context of a plan made with ``profile`` (``"env"``: none selected) in ``environ``,
    ``event`` being the parsed GitHub event payload if there is one (pure)."""
    head: Any = None
    pull = event.get("pull_request") if isinstance(event, Mapping) else None
    if isinstance(pull, Mapping) and isinstance(pull.get("head"), Mapping):
        head = pull["head"].get("sha")
    if not (isinstance(head, str) and _SHA.fullmatch(head)):
        head = environ.get("GITHUB_SHA")
    sha = head if isinstance(head, str) and _SHA.fullmatch(head) else None
    server = environ.get("GITHUB_SERVER_URL", "")
    repo = environ.get("GITHUB_REPOSITORY", "")
    run = environ.get("GITHUB_RUN_ID", "")
    run_url = None
    if _SERVER.fullmatch(server) and _REPO.fullmatch(repo) and run.isascii() and run.isdigit():
        run_url = f"{server}/{repo}/actions/runs/{run}"
    artifact = environ.get("SYNCSPEC_PLAN_ARTIFACT_URL", "")
    artifact_url = None
    if (
        run_url
        and artifact.startswith(f"{server}/{repo}/actions/runs/")
        and _SAFE_URL.fullmatch(artifact)
    ):
        artifact_url = artifact
    return ReviewContext(
        profile=profile_name(profile), head_sha=sha, run_url=run_url, artifact_url=artifact_url
    )


def read_event(environ: Mapping[str, str]) -> dict[str, Any] | None:
    """The GitHub event payload named by ``GITHUB_EVENT_PATH``, or None (absent, too big,
    unreadable or not a JSON object: the head SHA then falls back to ``GITHUB_SHA``)."""
    path = environ.get("GITHUB_EVENT_PATH")
    if not path:
        return None
    try:
        with Path(path).open("rb") as fh:
            raw = read_bounded(fh, _MAX_EVENT_BYTES)  # not a 25 MB buffer for every plan
        data = json.loads(raw) if len(raw) <= _MAX_EVENT_BYTES else None
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
