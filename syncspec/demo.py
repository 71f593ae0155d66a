"""``syncspec demo``: the live side of the demo story, built from the local job files.

Pure data: given the local jobs, return the jobs the emulator should start with so that a plan
has something to show — one job edited "in the dashboard", one job missing, one unmanaged job.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from syncspec.jobfile.jobs import LocalJob

UNMANAGED_JOB: dict[str, Any] = {
    "label": "dashboard-experiment",
    "integration_name": "salesforce",
    "default_runtime_version": 2,
    "resources": [{"resource": "crm/contacts", "method": "list"}],
}


# Connected customers of the demo environment (issue 21: the demo shows a schedule).
DEMO_ACCOUNTS: list[dict[str, Any]] = [
    {"tenant_id": "acme", "integration_name": "zendesk"},
    {"tenant_id": "globex", "integration_name": "zendesk"},
    {"tenant_id": "acme-sandbox", "integration_name": "zendesk", "is_sandbox": True},
]
DEMO_MUTEX_KEY = "one-run-at-a-time"
DEMO_SCHEDULE = """
# added by `syncspec demo` (in its copy only): an hourly trigger per production account
schedules:
  - name: hourly
    cron: "H * * * *"
    accounts: {sandbox: false}
"""


@dataclass
class DemoStory:
    live_jobs: list[dict[str, Any]] = field(default_factory=list)
    edited: str | None = None  # label of the job changed "in the dashboard"
    missing: str | None = None  # label of the job that does not exist live yet
    unmanaged: str = UNMANAGED_JOB["label"]
    accounts: list[dict[str, Any]] = field(default_factory=list)
    scheduled: LocalJob | None = None  # the job whose copy gets DEMO_SCHEDULE appended

    def schedule_text(self) -> str:
        """What the demo appends to its copy of ``scheduled`` (a mutex_key too when the job has
        none: Truto's checklist wants one on a job that runs on cron)."""
        if self.scheduled is None:
            return ""
        if "mutex_key" in self.scheduled.data:
            return DEMO_SCHEDULE
        return DEMO_SCHEDULE + f"mutex_key: {DEMO_MUTEX_KEY}\n"

    def describe(self, environment: str = "the environment") -> list[str]:
        lines = [f"{environment} starts with {len(self.live_jobs)} live jobs:"]
        if self.edited:
            lines.append(
                f"  - {self.edited!r} was edited in the dashboard "
                "(resources reordered, a mutex_key added)"
            )
        if self.missing:
            lines.append(f"  - {self.missing!r} does not exist yet (its file is new)")
        lines.append(
            f"  - {self.unmanaged!r} exists only live (in both environments): no file claims it "
            "(unmanaged)"
        )
        if self.scheduled is not None:
            tenants = ", ".join(a["tenant_id"] for a in self.accounts)
            lines.append(
                f"and {len(self.accounts)} connected zendesk accounts ({tenants}, in both); the "
                f"copy of {self.scheduled.display} gets an hourly schedule for the non-sandbox ones"
            )
        return lines


def _client_fields(job: LocalJob) -> dict[str, Any]:
    body = {k: copy.deepcopy(v) for k, v in job.data.items() if k != "id"}
    return body


def demo_story(local: Sequence[LocalJob]) -> DemoStory:
    jobs = sorted(local, key=lambda j: j.label)
    story = DemoStory()
    if not jobs:
        story.live_jobs.append(copy.deepcopy(UNMANAGED_JOB))
        return story
    # The edited job: prefer one with two or more resources, so the reorder shows as a move.
    edited = next(
        (
            j
            for j in jobs
            if isinstance(j.data.get("resources"), list) and len(j.data["resources"]) > 1
        ),
        jobs[0],
    )
    missing = next((j for j in jobs if j is not edited), None)
    for job in jobs:
        if job is missing:
            continue
        body = _client_fields(job)
        if job is edited:
            resources = body.get("resources")
            if isinstance(resources, list) and len(resources) > 1:
                resources[0], resources[1] = resources[1], resources[0]
            body["mutex_key"] = "edited-in-the-dashboard"
        story.live_jobs.append(body)
    story.live_jobs.append(copy.deepcopy(UNMANAGED_JOB))
    story.edited = edited.label
    story.missing = missing.label if missing else None
    zendesk = [
        j
        for j in jobs
        if j.data.get("integration_name") == "zendesk" and j is not edited and j is not missing
    ]
    if zendesk and not any("schedules" in j.data for j in jobs):
        story.scheduled = zendesk[0]
        story.accounts = copy.deepcopy(DEMO_ACCOUNTS)
        if "mutex_key" not in zendesk[0].data:  # the copy gets the same (schedule_text)
            live = next(b for b in story.live_jobs if b.get("label") == zendesk[0].label)
            live["mutex_key"] = DEMO_MUTEX_KEY
    return story


def demo_environments(
    profiles: Sequence[Any],
) -> list[tuple[str, dict[str, Any]]]:
    """The demo's two environments: the first two profiles (name and `!var` values), else
    staging and production without values."""
    chosen = [(str(p.name), dict(p.vars)) for p in profiles[:2]]
    defaults: list[tuple[str, dict[str, Any]]] = [("staging", {}), ("production", {})]
    for name, values in defaults:
        if len(chosen) < 2 and name not in {c[0] for c in chosen}:
            chosen.append((name, values))
    return chosen[:2]


def demo_toml(
    url: str, environments: Sequence[tuple[str, dict[str, Any]]], token_envs: dict[str, str]
) -> str:
    """The demo workspace's syncspec.toml: both profiles at the emulator, with their values."""
    out = ['jobs_dir = "jobs"', ""]
    for name, values in environments:
        out += [
            f"[profiles.{_key(name)}]",
            f"api_url = {_toml_value(url)}",
            f"token_env = {_toml_value(token_envs[name])}",
            f"[profiles.{_key(name)}.vars]",
            *(f"{_key(k)} = {_toml_value(v)}" for k, v in values.items()),
            "",
        ]
    return "\n".join(out)


def _key(name: str) -> str:
    return json.dumps(name, ensure_ascii=False)


def _toml_value(value: Any) -> str:
    """Plain data (checked by ``config.plain_value_problem``) as a TOML inline value: JSON's
    string escapes are TOML basic-string escapes; tables become inline tables."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"not plain data: {type(value).__name__}")
