from __future__ import annotations

import textwrap

from ruamel.yaml import YAML

from syncspec.jobfile.problems import Finding, Severity
from syncspec.jobfile.rules.registry import check_job

HEAD = """\
label: salesforce-accounts
integration_name: salesforce
default_runtime_version: 4
args_schema:
  integrated_account_id: {type: string, format: integrated_account_id, required: true}
  webhook_id: {type: string, format: webhook_id, required: true}
  since: {type: string, format: date, required: false}
"""
STATEFUL = HEAD + 'mutex_key: "{{args.integrated_account_id}}"\n'
STATEFUL += 'state_key: "{{args.integrated_account_id}}"\n'
REQUEST = """\
- name: accounts
  type: request
  resource: crm/accounts
  method: list
  integrated_account_id: "{{args.integrated_account_id}}"
"""
SEND = """\
- name: send
  type: destination
  depends_on: accounts
  destination_type: webhook
  config: {id: "{{args.webhook_id}}"}
  resources_to_persist: [accounts]
"""
DONE = """\
- {name: done, type: event, depends_on: send, config: {name: complete}}
"""


def run(resources: str, head: str = HEAD) -> list[Finding]:
    data = YAML(typ="safe").load(head + "resources:\n" + textwrap.indent(resources, "  "))
    return check_job(data)


def rules(findings: list[Finding]) -> list[tuple[str, tuple[object, ...]]]:
    return [(f.rule, f.path) for f in findings]


def test_incremental_job_is_clean() -> None:
    cursor = "- {name: cursor, type: get_state, config: {key: c, default: '1970'}}\n"
    request = REQUEST.replace("  type: request\n", "  type: request\n  depends_on: cursor\n")
    request += '  query: {updated_at: "{{resources.cursor.value}}"}\n'
    save = "- name: save\n  type: update_state\n  depends_on: done\n"
    save += '  config: {key: c, value: "{{sync_job_run.started_at}}"}\n'
    assert run(cursor + request + SEND + DONE + save, STATEFUL) == []


def test_ss301_runtime_not_set() -> None:
    head = HEAD.replace("default_runtime_version: 4\n", "")
    assert run(REQUEST + SEND, head) == [
        Finding(
            "SS301",
            Severity.ERROR,
            "resources are V4 nodes, but default_runtime_version is not set: Truto would "
            "stamp a legacy runtime (2 or 3), which cannot run them",
            ("resources",),
            "default_runtime_version: 4",
            on_key=True,
        )
    ]
    null = HEAD.replace("default_runtime_version: 4\n", "default_runtime_version: null\n")
    assert rules(run(REQUEST + SEND, null)) == [("SS301", ("default_runtime_version",))]


def test_ss302_duplicate_name() -> None:
    assert run(REQUEST + REQUEST + SEND) == [
        Finding(
            "SS302",
            Severity.ERROR,
            'node name "accounts" is already used by resources[0]',
            ("resources", 1, "name"),
            "node names must be unique within a job",
        )
    ]


def test_ss303_unknown_upstream_without_cascade() -> None:
    assert run(REQUEST + SEND.replace("depends_on: accounts", "depends_on: acounts")) == [
        Finding(
            "SS303",
            Severity.ERROR,
            'depends_on names "acounts", which is not a node of this job',
            ("resources", 1, "depends_on"),
            'did you mean "accounts"?',
        )
    ]


def test_ss304_cycle() -> None:
    request = REQUEST.replace("  type: request\n", "  type: request\n  depends_on: send\n")
    assert run(request + SEND) == [
        Finding(
            "SS304",
            Severity.ERROR,
            "depends_on forms a cycle: accounts -> send -> accounts",
            ("resources", 0, "depends_on"),
            "the nodes of a job form a graph without cycles",
        )
    ]


def test_ss305_request_fields() -> None:
    request = REQUEST.replace('  integrated_account_id: "{{args.integrated_account_id}}"\n', "")
    request = request.replace("  method: list\n", "  method: ''\n")
    assert run(request + SEND) == [
        Finding(
            "SS305",
            Severity.ERROR,
            'request node "accounts" has no method / integrated_account_id',
            ("resources", 0),
            'integrated_account_id: "{{args.integrated_account_id}}"',
        )
    ]


def test_ss306_expression() -> None:
    slim = "- {name: slim, type: transform, depends_on: accounts, config: {}}\n"
    assert run(REQUEST + slim + SEND) == [
        Finding(
            "SS306",
            Severity.ERROR,
            'transform node "slim" has no config.expression (a JSONata expression)',
            ("resources", 1, "config"),
            on_key=True,
        )
    ]
    ctx = "- {name: ctx, type: add_context, depends_on: accounts}\n"
    assert rules(run(REQUEST + ctx + SEND)) == [("SS306", ("resources", 1))]


def test_ss307_ss308_state_config() -> None:
    get = "- {name: cursor, type: get_state, config: {default: x}}\n"
    save = "- {name: save, type: update_state, depends_on: done, config: {key: c}}\n"
    assert rules(run(get + REQUEST + SEND + DONE + save, STATEFUL)) == [
        ("SS307", ("resources", 0, "config")),
        ("SS308", ("resources", 4, "config")),
    ]
    # value_expression is enough
    save = save.replace("{key: c}", "{key: c, value_expression: '$now()'}")
    assert run(REQUEST + SEND + DONE + save, STATEFUL) == []


def test_ss309_event_name() -> None:
    assert run(REQUEST + SEND + DONE.replace("name: complete", "name: completed")) == [
        Finding(
            "SS309",
            Severity.ERROR,
            'event node "done" has config.name "completed"; it must be start, complete or error',
            ("resources", 2, "config", "name"),
            'did you mean "complete"?',
        )
    ]


def test_ss310_destination_type() -> None:
    (finding,) = run(REQUEST + SEND.replace("destination_type: webhook", "destination_type: hook"))
    assert (finding.rule, finding.path, finding.hint) == (
        "SS310",
        ("resources", 1, "destination_type"),
        'did you mean "webhook"?',
    )


def test_ss311_ss312_destination_without_id_or_nodes() -> None:
    send = SEND.replace('config: {id: "{{args.webhook_id}}"}', "config: {}")
    send = send.replace("resources_to_persist: [accounts]", "resources_to_persist: []")
    assert run(REQUEST + send) == [
        Finding(
            "SS311",
            Severity.ERROR,
            'destination node "send" has no config.id',
            ("resources", 1, "config"),
            'id: "{{args.webhook_id}}"',
            on_key=True,
        ),
        Finding(
            "SS312",
            Severity.ERROR,
            'destination node "send" persists nothing: resources_to_persist must list at least '
            "one upstream node",
            ("resources", 1, "resources_to_persist"),
            "resources_to_persist: [accounts]",
        ),
    ]


def test_ss313_persist_unknown_node() -> None:
    # Persisting a node the destination does not depend on is the documented form (issue 12:
    # no published destination has a depends_on); only a name that is no node is an error.
    other = REQUEST.replace("name: accounts", "name: contacts")
    send = SEND.replace("[accounts]", "[accounts, contacts, acounts]")
    assert run(REQUEST + other + send) == [
        Finding(
            "SS313",
            Severity.ERROR,
            'resources_to_persist names "acounts", which is not a node of this job',
            ("resources", 2, "resources_to_persist", 2),
            'did you mean "accounts"?',
        ),
    ]


def test_ss314_ss315_state_without_keys() -> None:
    get = "- {name: cursor, type: get_state, config: {key: c}}\n"
    findings = run(get + REQUEST + SEND)
    assert findings == [
        Finding(
            "SS314",
            Severity.ERROR,
            'node "cursor" uses run state, but the job has no state_key to namespace it',
            ("resources", 0),
            'state_key: "{{args.integrated_account_id}}"',
        ),
        Finding(
            "SS315",
            Severity.WARNING,
            "this job keeps run state (an incremental sync, usually run on a cron trigger) but "
            "has no mutex_key: overlapping runs would race on the state",
            ("resources", 0),
            'mutex_key: "{{args.integrated_account_id}}"',
        ),
    ]
    head = HEAD + 'state_key: "{{args.integrated_account_id}}"\n'
    assert [(f.rule, f.path, f.on_key) for f in run(get + REQUEST + SEND, head)] == [
        ("SS315", ("state_key",), True)
    ]


def test_ss316_hard_coded_destination_id() -> None:
    send = SEND.replace('config: {id: "{{args.webhook_id}}"}', "config: {id: wh_123}")
    assert run(REQUEST + send) == [
        Finding(
            "SS316",
            Severity.WARNING,
            'destination node "send" hard-codes config.id "wh_123": ids differ per environment',
            ("resources", 1, "config", "id"),
            'template it from the run arguments: id: "{{args.webhook_id}}", or give it a value '
            "per profile: id: !var NAME",
        )
    ]


def test_ss317_update_state_before_complete() -> None:
    save = "- {name: save, type: update_state, depends_on: send, config: {key: c, value: x}}\n"
    assert run(REQUEST + SEND + DONE + save, STATEFUL) == [
        Finding(
            "SS317",
            Severity.ERROR,
            'update_state node "save" does not depend on a "complete" event: the cursor would '
            "move even when the sync fails",
            ("resources", 3, "depends_on"),
            "depends_on: done",
        )
    ]
    start = DONE.replace("name: complete", "name: start").replace("name: done", "name: begin")
    save = "- {name: save, type: update_state, depends_on: begin, config: {key: c, value: x}}\n"
    (finding,) = run(REQUEST + SEND + start + save, STATEFUL)
    assert finding.hint == "add an event node with config: {name: complete} and depend on it"


def test_ss318_optional_argument() -> None:
    request = REQUEST + '  query: {updated_after: "{{args.since}}"}\n'
    assert run(request + SEND) == [
        Finding(
            "SS318",
            Severity.WARNING,
            '{{args.since}} uses the optional argument "since" without a run_if gate or a default',
            ("resources", 0, "query", "updated_after"),
            'gate the node with run_if: "$exists(args.since)", add a default '
            '"{{args.since?:...}}", or declare it required: true',
            offset=0,
        )
    ]


def test_ss318_not_reported_when_gated_defaulted_or_tolerant() -> None:
    gated = REQUEST + "  run_if: $exists(args.since)\n"
    gated += '  query: {updated_after: "{{args.since}}"}\n'
    assert run(gated + SEND) == []
    defaulted = REQUEST + '  query: {updated_after: "{{args.since?:1970-01-01}}"}\n'
    assert run(defaulted + SEND) == []
    tolerant = REQUEST + '  query: {updated_after: "{{args.since:undefined}}"}\n'
    assert run(tolerant + SEND) == []
    # a gate on an upstream node also protects its children
    parent = REQUEST + "  run_if: args.since\n"
    child = "- name: more\n  type: request\n  depends_on: accounts\n  resource: crm/notes\n"
    child += '  method: list\n  integrated_account_id: "{{args.integrated_account_id}}"\n'
    child += '  query: {after: "{{args.since}}"}\n'
    assert run(parent + child + SEND) == []


def test_ss319_delete_tracking() -> None:
    (finding,) = run(REQUEST + "  delete_tracking: hrad\n" + SEND)
    assert (finding.rule, finding.path, finding.message, finding.hint) == (
        "SS319",
        ("resources", 0, "delete_tracking"),
        'delete_tracking is "hrad"; it must be "hard" or "soft"',
        'did you mean "hard"?',
    )


def test_jsonata_fields_are_not_scanned_for_placeholders() -> None:
    slim = "- name: slim\n  type: transform\n  depends_on: accounts\n"
    slim += "  run_if: '{{nonsense'\n"
    slim += "  config: {expression: \"$.{ 'a': {{x} }\"}\n"
    body = REQUEST + "  body: '{ \"x\": {{args.nope}} }'\n"
    query = "  query: '{ \"y\": {{args.nope}} }'\n"
    job = body + query + slim + SEND.replace("depends_on: accounts", "depends_on: slim")
    # no placeholder finding (SS4xx): these are JSONata, which rules_jsonata parses (SS701)
    assert rules(run(job)) == [
        ("SS701", ("resources", 0, "query")),
        ("SS701", ("resources", 0, "body")),
        ("SS701", ("resources", 1, "run_if")),
        ("SS701", ("resources", 1, "config", "expression")),
    ]


def test_recurse_may_use_its_own_records() -> None:
    request = REQUEST + '  recurse: {if: "$exists(next)", config: {query: {parent: '
    request += '"{{resources.crm.accounts.id}}"}}}\n'
    assert run(request + SEND) == []
    # ... but not outside recurse
    own = REQUEST + '  query: {parent: "{{resources.crm.accounts.id}}"}\n'
    assert rules(run(own + SEND)) == [("SS406", ("resources", 0, "query", "parent"))]


def test_request_output_is_addressed_by_resource_path() -> None:
    # truto-api.md: {{resources.crm.accounts.id}} reads the request node whose resource is
    # crm/accounts, whatever it is named
    child = REQUEST.replace("name: accounts", "name: contacts").replace(
        "crm/accounts", "crm/contacts"
    )
    child += '  depends_on: accounts\n  query: {account: "{{resources.crm.accounts.id}}"}\n'
    assert run(REQUEST + child) == []


def test_request_name_instead_of_resource_path_gets_the_path_as_hint() -> None:
    child = REQUEST.replace("name: accounts", "name: contacts").replace(
        "crm/accounts", "crm/contacts"
    )
    child += '  depends_on: accounts\n  query: {account: "{{resources.accounts.id}}"}\n'
    assert run(REQUEST + child) == [
        Finding(
            "SS405",
            Severity.ERROR,
            '"{{resources.accounts.id}}" names no node of this job',
            ("resources", 1, "query", "account"),
            "a request node's records are addressed by its resource path: "
            '"{{resources.crm.accounts.id}}"',
            offset=0,
        )
    ]


def test_two_request_nodes_may_share_a_resource_path() -> None:
    second = REQUEST.replace("name: accounts", "name: more-accounts")
    child = REQUEST.replace("name: accounts", "name: c").replace("crm/accounts", "crm/contacts")
    child += '  depends_on: more-accounts\n  query: {a: "{{resources.crm.accounts.id}}"}\n'
    assert (
        run(REQUEST + second.replace("  method", "  depends_on: accounts\n  method") + child) == []
    )


def test_other_nodes_are_addressed_by_name() -> None:
    get = "- {name: cursor, type: get_state, config: {key: c}}\n"
    request = REQUEST + '  depends_on: cursor\n  query: {since: "{{resources.cursor.value}}"}\n'
    assert rules(run(get + request + SEND, head=STATEFUL)) == []


def test_destination_without_depends_on_sees_what_it_persists() -> None:
    # the published form: no depends_on, resources_to_persist routes the records
    send = SEND.replace("  depends_on: accounts\n", "")
    send = send.replace(
        'config: {id: "{{args.webhook_id}}"}',
        'config: {id: "{{args.webhook_id}}", config: {path: "{{resources.crm.accounts.id}}"}}',
    )
    assert run(REQUEST + send) == []


def test_string_query_is_not_a_placeholder_template() -> None:
    request = REQUEST + '  query: \'{ "updated_at": { "gt": last_synced_at } }\'\n'
    assert run(request + SEND) == []


def test_recurse_if_may_be_a_placeholder_and_is_checked_as_one() -> None:
    ok = REQUEST + '  recurse: {if: "{{resources.crm.accounts.has_children:bool}}"}\n'
    assert run(ok + SEND) == []
    typo = REQUEST + '  recurse: {if: "{{resources.crm.acounts.has_children:bool}}"}\n'
    assert rules(run(typo + SEND)) == [("SS405", ("resources", 0, "recurse", "if"))]


def test_ss320_node_without_name() -> None:
    nameless = REQUEST.replace("- name: accounts\n  type: request", "- type: request")
    findings = run(nameless.replace("  method: list\n", "") + SEND.replace("[accounts]", "[x]"))
    assert findings[0] == Finding(
        "SS320",
        Severity.ERROR,
        "request node at resources[0] has no name: every node needs one, unique in the job "
        "(depends_on, resources_to_persist and placeholders refer to it)",
        ("resources", 0),
        "name: <unique-node-name>",
    )
    # the other findings about it name it by position, never as "None"
    ss305 = next(f for f in findings if f.rule == "SS305")
    assert ss305.message == "request node resources[0] (no name) has no method"
    assert all("None" not in f.message for f in findings)
