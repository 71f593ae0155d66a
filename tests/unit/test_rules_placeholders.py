from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from syncspec.jobfile.problems import Finding, Severity
from syncspec.jobfile.rules.registry import check_job

HEAD = """\
label: zendesk-comments
integration_name: zendesk
default_runtime_version: 2
args_schema:
  type: object
  properties:
    brand: {type: string, required: true}
    limit: {type: integer, required: true}
"""
PARENT = """\
- {resource: ticketing/tickets, method: list}
- resource: ticketing/comments
  method: list
  depends_on: ticketing/tickets
  query:
"""
AT = ("resources", 1, "query", "v")


def run_yaml(text: str) -> list[Finding]:
    return check_job(YAML(typ="safe").load(text))


def run_value(value: str, head: str = HEAD) -> list[Finding]:
    resources = PARENT + f"    v: {value}\n"
    return run_yaml(head + "resources:\n" + textwrap.indent(resources, "  "))


@pytest.mark.parametrize(
    "value",
    [
        '"{{resources.ticketing.tickets.id}}"',
        '"{{args.brand}}"',
        '"{{args.limit:int}}"',
        '"{{args.brand|tenant_id}}"',
        '"{{args.limit?:10:int}}"',
        '"{{sync_job_run.id}}"',
        '"{{tenant_id}}"',
        '"{{previous_run_date}}"',  # bare names: integrated-account context, add_context keys
        '"{{instance_url}}/api"',
        '"tag-{{args.brand}}-{{resources.ticketing.tickets.id:str}}"',
        '"{\\"a\\": {\\"b\\": 1}}"',
        # each alternative carries its own cast (replace-placeholders README, issue 12)
        '"{{args.brand:ignore-empty-str|args.limit}}"',
        '"{{args.brand:str|args.limit:int}}"',
        '"{{args.brand?:x}}"',
        '"{{args.limit?:1:int}}"',
        '"{{args.brand:str?:bar}}"',
        '"{{args.brand?:https://example.com}}"',
        # tolerant casts act inside a longer string: 'foo {{foo:undefined}}' -> 'foo '
        '"foo {{args.brand:undefined}} {{args.limit}}"',
        '"foo {{args.brand:null}}"',
        '"foo {{args.brand:ignore-empty-str}}"',
    ],
)
def test_clean_placeholders(value: str) -> None:
    assert run_value(value) == []


def test_ss401_single_braces_loaded_as_a_mapping() -> None:
    assert run_value("{resources.ticketing.tickets.id}") == [
        Finding(
            "SS401",
            Severity.ERROR,
            "unquoted {resources.ticketing.tickets.id} is read by YAML as a mapping, and Truto "
            "placeholders take double braces",
            AT,
            'quote it: "{{resources.ticketing.tickets.id}}"',
        )
    ]


def test_ss401_in_job_level_templates() -> None:
    text = HEAD + "mutex_key: {args.brand}\nresources: []\n"
    assert [(f.rule, f.path) for f in run_yaml(text)] == [("SS401", ("mutex_key",))]


def test_ss401_from_the_round_trip_loader() -> None:
    # The C safe loader refuses `{{ x }}` (the loader reports SS401 itself); data loaded by the
    # round-trip loader carries it as a mapping key, which is recognised too.
    data = YAML(typ="rt").load(
        HEAD + "resources:\n" + textwrap.indent(PARENT, "  ") + "      v: {{args.brand}}\n"
    )
    assert check_job(data) == [
        Finding(
            "SS401",
            Severity.ERROR,
            "unquoted placeholder {{args.brand}} is read by YAML as a nested mapping",
            AT,
            'quote it: "{{args.brand}}"',
        )
    ]


def test_ss402_malformed() -> None:
    assert run_value('"{{args.brand"') == [
        Finding(
            "SS402",
            Severity.ERROR,
            "unbalanced braces: '{{args.brand' opens {{ but never closes it",
            AT,
            'close it with "}}"',
        )
    ]


def test_ss403_unknown_cast() -> None:
    assert run_value('"{{args.limit:integer}}"') == [
        Finding(
            "SS403",
            Severity.ERROR,
            '{{args.limit:integer}} has the unknown cast ":integer"',
            AT,
            'did you mean "int"?',
            offset=0,
        )
    ]


def test_ss403_unknown_cast_on_one_alternative() -> None:
    # the cast belongs to its alternative: no SS404 for an argument named "brand:strr"
    assert run_value('"{{args.brand:strr|args.limit:int}}"') == [
        Finding(
            "SS403",
            Severity.ERROR,
            '{{args.brand:strr|args.limit:int}} has the unknown cast ":strr"',
            AT,
            'did you mean "str"?',
            offset=0,
        )
    ]


def test_ss403_unknown_cast_of_a_default() -> None:
    # replace.ts splits the default on its first ":" before a word character: "10:30" is the
    # default "10" with the cast "30", which throws "Unsupported type" at run time
    assert run_value('"{{args.limit?:10:30}}"') == [
        Finding(
            "SS403",
            Severity.ERROR,
            '{{args.limit?:10:30}} has the unknown cast ":30"',
            AT,
            'a ":" in a default starts its cast; casts: any, bool, ignore-empty-str, int, '
            "json, null, num, str, undefined",
            offset=0,
        )
    ]


def test_ss407_only_for_type_casts_in_text() -> None:
    assert [f.message for f in run_value('"a {{args.brand:str|args.limit:json}}"')] == [
        'the cast ":json" in {{args.brand:str|args.limit:json}} has no effect: type casts apply '
        "only when the placeholder is the whole string"
    ]


def test_ss404_undeclared_argument() -> None:
    assert run_value('"{{args.brnad}}"') == [
        Finding(
            "SS404",
            Severity.ERROR,
            '"{{args.brnad}}" uses the argument "brnad", which args_schema does not declare',
            AT,
            'did you mean "brand"?',
            offset=0,
        )
    ]
    head = "label: x\nintegration_name: zendesk\ndefault_runtime_version: 2\n"
    (no_schema,) = run_value('"{{args.brand}}"', head)
    assert no_schema.hint == (
        "add an args_schema that declares it: brand: {type: string, required: true}"
    )


def test_ss404_every_alternative_is_checked() -> None:
    assert [f.message for f in run_value('"{{args.brand|args.other}}"')] == [
        '"{{args.other}}" uses the argument "other", which args_schema does not declare'
    ]


def test_ss405_unknown_resource_with_full_suggestion() -> None:
    assert run_value('"{{resources.ticketing.tikets.id}}"') == [
        Finding(
            "SS405",
            Severity.ERROR,
            '"{{resources.ticketing.tikets.id}}" names no resource of this job',
            AT,
            'did you mean "{{resources.ticketing.tickets.id}}" (resource "ticketing/tickets")?',
            offset=0,
        )
    ]


def test_ss406_not_upstream() -> None:
    resources = """\
- {resource: ticketing/tickets, method: list}
- resource: ticketing/comments
  method: list
  query: {ticket_id: "{{resources.ticketing.tickets.id}}"}
"""
    assert run_yaml(HEAD + "resources:\n" + textwrap.indent(resources, "  ")) == [
        Finding(
            "SS406",
            Severity.ERROR,
            '"{{resources.ticketing.tickets.id}}" refers to resource "ticketing/tickets", which '
            'resource "ticketing/comments" does not depend on (directly or through depends_on)',
            ("resources", 1, "query", "ticket_id"),
            "add depends_on: ticketing/tickets (or depend on a resource that does)",
            offset=0,
        )
    ]


def test_ss406_grandparent_is_upstream() -> None:
    resources = """\
- {resource: crm/accounts, method: list}
- {resource: crm/contacts, method: list, depends_on: crm/accounts}
- resource: crm/notes
  method: list
  depends_on: crm/contacts
  query: {a: "{{resources.crm.accounts.id}}", c: "{{resources.crm.contacts.id}}"}
"""
    assert run_yaml(HEAD + "resources:\n" + textwrap.indent(resources, "  ")) == []


def test_ss406_resources_in_job_level_templates() -> None:
    text = HEAD + 'state_key: "{{resources.ticketing.tickets.id}}"\nresources: []\n'
    assert run_yaml(text) == [
        Finding(
            "SS406",
            Severity.ERROR,
            '"{{resources.ticketing.tickets.id}}" refers to resources, which are not available '
            "in state_key",
            ("state_key",),
            offset=0,
        )
    ]


def test_ss407_cast_inside_text() -> None:
    assert run_value('"#{{args.limit:int}}"') == [
        Finding(
            "SS407",
            Severity.WARNING,
            'the cast ":int" in {{args.limit:int}} has no effect: type casts apply only when '
            "the placeholder is the whole string",
            AT,
            "make the placeholder the whole value, or drop the cast",
            offset=1,  # the placeholder, after the '#'
        )
    ]


def test_ss408_misspelt_root() -> None:
    assert run_value('"{{arg.brand}}"') == [
        Finding(
            "SS408",
            Severity.WARNING,
            '"{{arg.brand}}" starts with "arg", which is not a placeholder root',
            AT,
            'did you mean "args"?',
            offset=0,
        )
    ]
    # a bare context field is never reported, however it is spelt
    assert run_value('"{{tenant.name}}"') == []


def test_findings_point_at_the_placeholder_inside_the_string(tmp_path: Path) -> None:
    from syncspec.jobfile.validate import validate_paths

    job = tmp_path / "job.yaml"
    job.write_text(
        HEAD
        + "resources:\n"
        + textwrap.indent(PARENT, "  ")
        + '      v: "a={{args.brand}}&b={{args.brnad}}"\n'
    )
    (problem,) = validate_paths([job], tmp_path).problems
    line = job.read_text().splitlines()[problem.line - 1]
    assert problem.rule == "SS404"
    assert line[problem.col - 1 :].startswith("{{args.brnad}}")
