r"""Job-file corpora for the benchmarks: what Truto's docs write, and large V4 jobs.

- ``legacy``: docs-style legacy jobs (Zendesk tickets, comments, attachments, users; an
  ``args_schema`` and placeholders) *without* ``default_runtime_version``, as Truto's docs write
  them: every file has one finding (SS107). The placeholder default is a date without a time:
  ``{{x?:1970-01-01T00:00:00.000Z}}`` is an SS403 error (replace.ts splits the default on
  ``:(?=[\w\s])`` and ``00`` becomes its cast: "Unsupported type" at run time).
- ``legacy-runtime``: the same files with ``default_runtime_version: 2``: clean.
- ``small``: clean legacy jobs of ~15 lines, two resources (issue 26: start-up weighs most).
- ``v4``: V4 jobs of 30 nodes (get_state, request, two JSONata transforms, add_context and a
  webhook destination per resource; events; update_state after the complete event) with
  realistic JSONata (``$map``/``$filter`` with lambdas, a multi-line block scalar): clean.

Each file is unique (label, page sizes), in 10 sub-directories.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

LEGACY = """\
# Incremental {integration} tickets with their comments and attachments (a docs-style job).
label: {integration}-tickets-{i:05d}
integration_name: {integration}
{runtime}args_schema:
  type: object
  properties:
    last_synced_at:
      type: string
      format: date-time
      description: only tickets updated after this time
      required: false
resources:
  - resource: ticketing/users
    method: list
  - resource: ticketing/tickets
    method: list
    query:
      page_size: {size}
      updated_at:
        gt: "{{{{args.last_synced_at?:1970-01-01}}}}"
  - resource: ticketing/comments
    method: list
    depends_on: ticketing/tickets
    query:
      ticket_id: "{{{{resources.ticketing.tickets.id}}}}"
  - resource: ticketing/attachments
    method: list
    depends_on: ticketing/comments
    query:
      comment_id: "{{{{resources.ticketing.comments.id}}}}"
      ticket_id: "{{{{resources.ticketing.tickets.id}}}}"
"""
INTEGRATIONS = ("zendesk", "freshdesk", "jira", "intercom", "front")

V4_HEAD = """\
# V4: incremental sync of four ticketing resources, each through JSONata transforms.
label: {integration}-v4-{i:05d}
integration_name: {integration}
default_runtime_version: 4
args_schema:
  integrated_account_id:
    type: string
    format: integrated_account_id
    required: true
  webhook_id:
    type: string
    format: webhook_id
    required: true
mutex_key: "{integration}-{{{{args.integrated_account_id}}}}"
state_key: "{integration}-{{{{args.integrated_account_id}}}}"
resources:
  - name: start
    type: event
    config:
      name: start
"""
V4_ENTITY = """\
  - name: cursor-{name}
    type: get_state
    depends_on: {prev}
    config:
      key: {name}_cursor
      default: ""
  - name: {name}
    type: request
    depends_on: cursor-{name}
    resource: ticketing/{name}
    method: list
    integrated_account_id: "{{{{args.integrated_account_id}}}}"
    query:
      updated_after: "{{{{resources.cursor-{name}.value:ignore-empty-str}}}}"
      page_size: {size}
  - name: live-{name}
    type: transform
    depends_on: {name}
    config:
      expression: "$filter($, function($v) {{ $v.status != 'deleted' and $exists($v.id) }})"
  - name: slim-{name}
    type: transform
    depends_on: live-{name}
    config:
      expression: |
        $map($, function($r, $i) {{
          {{
            'id': $string($r.id),
            'title': $r.subject ? $trim($r.subject) : 'untitled',
            'tags': $join($r.tags ? $r.tags : [], ','),
            'updated_at': $r.updated_at,
            'position': $i
          }}
        }})
  - name: context-{name}
    type: add_context
    depends_on: slim-{name}
    config:
      expression: "{{ 'account': $$.args.integrated_account_id, 'count': $count($) }}"
  - name: send-{name}
    type: destination
    depends_on: context-{name}
    destination_type: webhook
    config:
      id: "{{{{args.webhook_id}}}}"
    resources_to_persist: [slim-{name}]
"""
V4_DONE = """\
  - name: finished
    type: event
    depends_on: {prev}
    config:
      name: complete
"""
V4_STORE = """\
  - name: store-{name}
    type: update_state
    depends_on: {prev}
    config:
      key: {name}_cursor
      value: "{{{{sync_job_run.started_at}}}}"
"""
ENTITIES = ("tickets", "users", "comments", "organizations")


def legacy(i: int, runtime: bool = False) -> str:
    return LEGACY.format(
        integration=INTEGRATIONS[i % len(INTEGRATIONS)],
        i=i,
        size=50 + i % 50,
        runtime="default_runtime_version: 2\n" if runtime else "",
    )


def v4(i: int) -> str:
    """A V4 job of 30 nodes."""
    integration = INTEGRATIONS[i % len(INTEGRATIONS)]
    parts = [V4_HEAD.format(integration=integration, i=i)]
    prev = "start"
    for name in ENTITIES:
        parts.append(V4_ENTITY.format(name=name, prev=prev, size=100 + i % 50))
        prev = f"send-{name}"
    parts.append(V4_DONE.format(prev=prev))
    prev = "finished"
    for name in ENTITIES:
        parts.append(V4_STORE.format(name=name, prev=prev))
        prev = f"store-{name}"
    return "".join(parts)


SMALL = """\
label: {integration}-users-{i:05d}
integration_name: {integration}
default_runtime_version: 2
resources:
  - resource: ticketing/users
    method: list
    query:
      page_size: {size}
  - resource: ticketing/tickets
    method: list
    depends_on: ticketing/users
    query:
      requester_id: "{{{{resources.ticketing.users.id}}}}"
"""


def small(i: int) -> str:
    """A small clean legacy job of ~15 lines (where start-up weighs most)."""
    return SMALL.format(integration=INTEGRATIONS[i % len(INTEGRATIONS)], i=i, size=50 + i % 50)


CORPORA: dict[str, Callable[[int], str]] = {
    "legacy": legacy,
    "legacy-runtime": lambda i: legacy(i, runtime=True),
    "v4": v4,
    "small": small,
}


def write_corpus(directory: Path, kind: str, count: int) -> list[Path]:
    """``count`` files of corpus ``kind`` under ``directory`` (10 sub-directories)."""
    make = CORPORA[kind]
    files = []
    for i in range(count):
        sub = directory / f"team-{i % 10}"
        sub.mkdir(parents=True, exist_ok=True)
        path = sub / f"job-{i:05d}.yaml"
        path.write_text(make(i), encoding="utf-8")
        files.append(path)
    return files
