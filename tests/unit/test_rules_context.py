"""SS321: a bare {{key}} set by an add_context node that is not upstream of its user."""

from __future__ import annotations

import textwrap

from ruamel.yaml import YAML

from syncspec.jobfile.problems import Finding, Severity
from syncspec.jobfile.rules.registry import check_job

HEAD = """\
label: c
integration_name: ""
default_runtime_version: 4
mutex_key: "{{args.integrated_account_id}}"
state_key: "{{args.integrated_account_id}}"
args_schema:
  integrated_account_id: {type: string, format: integrated_account_id, required: true}
resources:
- {type: get_state, name: get-cursor, config: {key: cursor, default: "1970"}}
- type: add_context
  name: add-cursor
  depends_on: get-cursor
  config: {expression: '{ "last_synced_at": resources.`get-cursor`.value }'}
"""


def request(depends_on: str, value: str = "{{last_synced_at}}") -> str:
    return textwrap.dedent(f"""\
    - type: request
      name: list-events
      depends_on: {depends_on}
      resource: calendar/events
      method: list
      integrated_account_id: "{{{{args.integrated_account_id}}}}"
      query: {{updated_at: {{gt: "{value}"}}}}
    """)


def run(nodes: str) -> list[Finding]:
    return [f for f in check_job(YAML(typ="safe").load(HEAD + nodes)) if f.rule == "SS321"]


def test_downstream_of_the_add_context_is_clean() -> None:
    assert run(request("add-cursor")) == []


def test_beside_the_add_context_warns() -> None:
    # Truto's own incremental example: the request depends on get_state, not on add_context
    assert run(request("get-cursor")) == [
        Finding(
            "SS321",
            Severity.WARNING,
            '{{last_synced_at}} in node "list-events" reads "last_synced_at", which add_context '
            'node "add-cursor" sets only for the nodes downstream of it: here it is undefined '
            "and Truto sends the placeholder text",
            ("resources", 2, "query", "updated_at", "gt"),
            "depends_on: add-cursor (or depend on a node downstream of it)",
            offset=0,
        )
    ]


def test_fallbacks_and_nested_paths_count() -> None:
    assert len(run(request("get-cursor", "{{args.integrated_account_id|last_synced_at.x}}"))) == 1


def test_keys_no_add_context_sets_are_account_context() -> None:
    assert run(request("get-cursor", "{{instance_url}}")) == []


def test_destination_sees_the_context_of_what_it_persists() -> None:
    send = textwrap.dedent("""\
    - name: send
      type: destination
      destination_type: datastore
      config: {id: "{{args.integrated_account_id}}", config: {path: "x/{{last_synced_at}}"}}
      resources_to_persist: [list-events]
    """)
    assert run(request("add-cursor") + send) == []
    assert [f.path for f in run(request("get-cursor") + send)] == [
        ("resources", 2, "query", "updated_at", "gt"),
        ("resources", 3, "config", "config", "path"),
    ]


def test_add_context_with_unknown_keys_is_not_checked() -> None:
    text = HEAD.replace(
        "config: {expression: '{ \"last_synced_at\": resources.`get-cursor`.value }'}",
        "config: {expression: 'resources.`get-cursor`'}",
    )
    data = YAML(typ="safe").load(text + request("get-cursor"))
    assert [f for f in check_job(data) if f.rule == "SS321"] == []
