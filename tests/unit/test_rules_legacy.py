from __future__ import annotations

import textwrap

import pytest
from ruamel.yaml import YAML

from syncspec.jobfile.problems import Finding, Severity
from syncspec.jobfile.rules.registry import check_job

HEAD = """\
label: zendesk-tickets
integration_name: zendesk
default_runtime_version: 2
args_schema:
  type: object
  properties:
    user_ids: {type: array, items: {type: string}, required: true}
    brand: {type: string, required: true}
"""


def run(resources: str, head: str = HEAD) -> list[Finding]:
    data = YAML(typ="safe").load(head + "resources:\n" + textwrap.indent(resources, "  "))
    return check_job(data)


def test_truto_worked_example_is_clean() -> None:
    assert (
        run("""\
- {resource: ticketing/users, method: list}
- {resource: ticketing/tickets, method: list}
- resource: ticketing/comments
  method: list
  depends_on: ticketing/tickets
  query: {ticket_id: "{{resources.ticketing.tickets.id}}"}
""")
        == []
    )


@pytest.mark.parametrize("name", ["crm/contacts", "contacts", "knowledge-base/pages", "search"])
def test_ss201_accepts_unified_and_proxy_names(name: str) -> None:
    assert run(f"- {{resource: {name}, method: list}}\n") == []


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("crm.contacts", 'did you mean "crm/contacts"?'),
        ("/crm/contacts", 'did you mean "crm/contacts"?'),
        (
            "crm/contacts/notes",
            'write "unified_api/resource" (e.g. "crm/contacts") or a proxy name (e.g. "contacts")',
        ),
    ],
)
def test_ss201_bad_resource_name(name: str, hint: str) -> None:
    assert run(f"- {{resource: {name}, method: list}}\n") == [
        Finding(
            "SS201",
            Severity.ERROR,
            f'resource "{name}" is neither "unified_api/resource" nor a bare proxy resource name',
            ("resources", 0, "resource"),
            hint,
        )
    ]


def test_ss202_unknown_method_is_a_warning_with_suggestion() -> None:
    assert run("- {resource: crm/contacts, method: lsit}\n") == [
        Finding(
            "SS202",
            Severity.WARNING,
            'method "lsit" is not one of create, delete, get, list, update; fine only if it is '
            "an integration-specific method",
            ("resources", 0, "method"),
            'did you mean "list"?',
        )
    ]
    (custom,) = run("- {resource: crm/contacts, method: search_by_email}\n")
    assert custom.hint == "integration-specific methods are allowed"


def test_ss203_depends_on_unknown_resource() -> None:
    findings = run("""\
- {resource: ticketing/tickets, method: list}
- resource: ticketing/comments
  method: list
  depends_on: ticketing/tikets
  query: {ticket_id: "{{resources.ticketing.tickets.id}}"}
""")
    # the placeholder is not also reported as "not upstream": the typo is the one problem
    assert findings == [
        Finding(
            "SS203",
            Severity.ERROR,
            'depends_on names "ticketing/tikets", which is not a resource of this job',
            ("resources", 1, "depends_on"),
            'did you mean "ticketing/tickets"?',
        )
    ]


def test_ss204_cycle_reported_once() -> None:
    findings = run("""\
- {resource: a, method: list, depends_on: c}
- {resource: b, method: list, depends_on: a}
- {resource: c, method: list, depends_on: b}
""")
    assert findings == [
        Finding(
            "SS204",
            Severity.ERROR,
            "depends_on forms a cycle: a -> c -> b -> a",
            ("resources", 0, "depends_on"),
            "a resource cannot (indirectly) depend on itself",
        )
    ]


def test_ss204_self_dependency() -> None:
    (finding,) = run("- {resource: a, method: list, depends_on: a}\n")
    assert (finding.rule, finding.message) == ("SS204", "depends_on forms a cycle: a -> a")


def test_get_may_depend_on_the_list_of_the_same_resource() -> None:
    assert (
        run("""\
- {resource: ticketing/tickets, method: list}
- resource: ticketing/tickets
  method: get
  depends_on: ticketing/tickets
  id: "{{resources.ticketing.tickets.id}}"
""")
        == []
    )


@pytest.mark.parametrize("spelling", ["user_ids", "args.user_ids", '"{{args.user_ids}}"'])
def test_loop_on_spellings_accepted(spelling: str) -> None:
    assert run(f"- {{resource: ticketing/users, method: get, loop_on: {spelling}}}\n") == []


def test_ss205_loop_on_undeclared() -> None:
    assert run("- {resource: ticketing/users, method: get, loop_on: user_id}\n") == [
        Finding(
            "SS205",
            Severity.ERROR,
            'loop_on names the argument "user_id", which args_schema does not declare',
            ("resources", 0, "loop_on"),
            'did you mean "user_ids"?',
        )
    ]
    head = "label: x\nintegration_name: zendesk\ndefault_runtime_version: 2\n"
    (no_schema,) = run("- {resource: ticketing/users, method: get, loop_on: ids}\n", head)
    assert no_schema.message == 'loop_on names the argument "ids", but the job has no args_schema'
    assert no_schema.hint == (
        "declare it in args_schema: ids: {type: array, items: {type: string}}"
    )


def test_ss206_loop_on_not_an_array() -> None:
    assert run('- {resource: ticketing/users, method: get, loop_on: "{{args.brand}}"}\n') == [
        Finding(
            "SS206",
            Severity.ERROR,
            'loop_on names the argument "brand", declared as "string": loop_on repeats the '
            "resource for each item of an array argument",
            ("resources", 0, "loop_on"),
            "declare brand with type: array",
        )
    ]


def test_ss207_duplicate_resource_method() -> None:
    assert run("""\
- {resource: crm/contacts, method: list}
- {resource: crm/contacts, method: get}
- {resource: crm/contacts, method: list, query: {a: b}}
""") == [
        Finding(
            "SS207",
            Severity.WARNING,
            'resource "crm/contacts" with method "list" already appears at resources[0]',
            ("resources", 2, "resource"),
            "merge the two items, or remove one",
        )
    ]


def test_structurally_broken_items_are_skipped() -> None:
    assert run("- 5\n- [1, 2]\n- {resource: 7, method: [list], depends_on: {a: 1}}\n") == []
