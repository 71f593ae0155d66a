"""JSONata rules (SS701/SS702): parse-only checks of every field Truto evaluates as JSONata."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from ruamel.yaml import YAML

from syncspec.jobfile.problems import Finding, Severity
from syncspec.jobfile.rules.jsonata import analyse, context_keys, jsonata_fields
from syncspec.jobfile.rules.registry import check_job
from syncspec.jobfile.rules.truto_functions import BUILTINS, TRUTO_EXTENSIONS

HEAD = """\
label: j
integration_name: ""
default_runtime_version: 4
args_schema:
  integrated_account_id: {type: string, format: integrated_account_id, required: true}
resources:
- name: pages
  type: request
  resource: knowledge-base/pages
  method: list
  integrated_account_id: "{{args.integrated_account_id}}"
"""


def run(nodes: str = "", top: str = "") -> list[Finding]:
    data = YAML(typ="safe").load(top + HEAD + textwrap.dedent(nodes))
    return [f for f in check_job(data) if f.rule.startswith("SS7")]


def test_every_jsonata_field_is_found() -> None:
    data = YAML(typ="safe").load(
        'args_validation: "null"\n'
        + HEAD
        + textwrap.dedent("""\
        - {name: t, type: transform, depends_on: pages, run_if: "true", config: {expression: "a"}}
        - {name: c, type: add_context, depends_on: pages, config: {expression: "{}"}}
        - {name: u, type: update_state, config: {key: k, value_expression: "1"}}
        - name: r
          type: request
          resource: crm/contacts
          method: list
          integrated_account_id: x
          query: "{}"
          body: "{}"
          recurse: {if: "true"}
        - name: p
          type: request
          resource: crm/contacts
          method: list
          integrated_account_id: x
          query: {a: "{{args.integrated_account_id}}"}
          recurse: {if: "{{resources.crm.contacts.more:bool}}"}
        """)
    )
    assert [path for path, _, _ in jsonata_fields(data, data["resources"])] == [
        ("args_validation",),
        ("resources", 1, "run_if"),
        ("resources", 1, "config", "expression"),
        ("resources", 2, "config", "expression"),
        ("resources", 3, "config", "value_expression"),
        ("resources", 4, "query"),
        ("resources", 4, "body"),
        ("resources", 4, "recurse", "if"),
    ]


def test_syntax_error_points_at_the_offending_character() -> None:
    (found,) = run(
        """\
        - name: t
          type: transform
          depends_on: pages
          config: {expression: "$map(x, function($c) { $c.a )"}
        """
    )
    assert found == Finding(
        "SS701",
        Severity.ERROR,
        'config.expression of node "t": JSONata syntax error S0202: Expected }, got )',
        ("resources", 1, "config", "expression"),
        None,
        offset=len("$map(x, function($c) { $c.a "),
    )


@pytest.mark.parametrize(
    ("expression", "offset"),
    [
        ("a + ", 3),  # "end of expression" errors point just after the last character
        ("$map(x, function($c) { $c.a   ", 27),
        ('{"a": 1 "b": 2}', 8),  # Expected }, got "b": at the "b" token
        ("a = = b", 4),
        ("x & 'unterminated", 4),  # an unterminated string: its opening quote
        ("resources.`knowledge-base", 10),  # an unterminated backquoted name
    ],
)
def test_error_offsets(expression: str, offset: int) -> None:
    result = analyse(expression)
    assert result.error is not None
    assert result.error[2] == offset


def test_placeholder_in_a_jsonata_field_gets_a_hint() -> None:
    (found,) = run(
        '- {name: t, type: transform, depends_on: pages, run_if: "{{args.x}}",\n'
        '   config: {expression: "1"}}\n'
    )
    assert found.rule == "SS701"
    assert found.hint is not None and "not a {{placeholder}} template" in found.hint


def test_published_expressions_parse() -> None:
    for expression in (
        "sync_job_run.status = 'completed' ? $dtFromIso(sync_job_run.started_at.toISOString())"
        '.minus({ "minutes": 2 }).toUTC().toISO()',
        "resources.`knowledge-base`.`page-content`.$sift(function($v, $k) {$k != 'remote_data'})",
        '$exists(payload.records) and $type(payload.records) = "array" and '
        "$count(payload.records) > 0",
        '$firstNonEmpty(args.webhook_id, args.s3_datastore_id) ? null : { "message": "x" }',
    ):
        assert analyse(expression).error is None, expression


def test_unknown_function_close_to_a_known_one_warns() -> None:
    (found,) = run(
        '- {name: t, type: transform, depends_on: pages, config: {expression: "$dtFromISO(x)"}}\n'
    )
    assert found == Finding(
        "SS702",
        Severity.WARNING,
        'config.expression of node "t" calls $dtFromISO, which is neither a JSONata function '
        "nor one of Truto's (@truto/truto-jsonata) nor bound in the expression",
        ("resources", 1, "config", "expression"),
        'did you mean "$dtFromIso"?',
        offset=0,
    )


def test_known_bound_and_far_functions_are_not_reported() -> None:
    expression = (
        "( $f := function($x) { $x }; $g := $f; "
        "$teeStream($jsonToParquet($uppercase($f($g(a))))) & $companyHelper(b) )"
    )
    node = "- {name: t, type: transform, depends_on: pages, config: {expression: EXPR}}\n"
    assert run(node.replace("EXPR", f'"{expression}"')) == []


def test_lambda_parameters_and_focus_bindings_are_bound() -> None:
    result = analyse("items@$i.$map($i, function($fn) { $fn(1) })")
    assert {"i", "fn"} <= result.bound


def test_calls_and_their_offsets() -> None:
    assert analyse("$a(1) & $bb(2)").calls == (("a", 0), ("bb", 8))


def test_context_keys_of_object_constructors() -> None:
    assert context_keys('{ "last_synced_at": x, "k": 1 }') == frozenset({"last_synced_at", "k"})
    assert context_keys('( $v := 1; { "page_id": $v } )') == frozenset({"page_id"})
    assert context_keys("resources.x") is None
    assert context_keys("{ ") is None  # a syntax error: unknown


def test_analysis_is_cached_by_text() -> None:
    assert analyse("a.b.c") is analyse("a.b.c")


def test_function_lists_are_disjoint_enough_and_non_empty() -> None:
    assert {"map", "exists", "sift"} <= BUILTINS
    assert {"firstNonEmpty", "dtFromIso", "sortNodes", "jsonToParquet", "teeStream"} <= (
        TRUTO_EXTENSIONS
    )


def test_validate_imports_jsonata_only_when_a_job_has_an_expression(tmp_path: object) -> None:
    from pathlib import Path

    root = Path(str(tmp_path))
    legacy = root / "legacy.yaml"
    legacy.write_text(
        "label: l\nintegration_name: z\ndefault_runtime_version: 2\n"
        "resources: [{resource: crm/contacts, method: list}]\n",
        encoding="utf-8",
    )
    code = (
        "import sys; from pathlib import Path; "
        "from syncspec.jobfile.validate import validate_paths; "
        f"r = validate_paths([Path({str(legacy)!r})], Path({str(root)!r})); "
        "assert r.problems == [], r.problems; "
        "print('jsonata' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("call", "fix"),
    [
        ("$groupBy(resources.pages, function($v) { $v.kind })", "items{type: [$]}"),
        ("$keyBy(resources.pages, function($v) { $v.id })", "items{$string(id): $}"),
        ("$orderBy(resources.pages, function($v) { $v.n })", "$sort(items, function($a, $b)"),
        ("$find(resources.pages, function($v) { $v.n > 1 })", ")[0]"),
        ("$lofilter(resources.pages, $uppercase)", "$filter(items, function($v)"),
    ],
)
def test_a_lodash_wrapper_given_a_jsonata_function_is_a_warning(call: str, fix: str) -> None:
    found = run(
        f"""\
        - name: t
          type: transform
          config:
            expression: '$x := {call}'
        """
    )
    assert [(f.rule, f.severity, f.path, f.offset) for f in found] == [
        ("SS703", Severity.WARNING, ("resources", 1, "config", "expression"), 6)
    ]
    assert "receives a Promise" in found[0].message
    assert found[0].hint is not None and fix in found[0].hint


def test_a_lodash_wrapper_with_a_property_iteratee_is_fine() -> None:
    found = run(
        """\
        - name: t
          type: transform
          config:
            expression: '$groupBy(resources.pages, "kind") ~> $keys()'
        """
    )
    assert found == []


def test_destination_config_expression_is_allowed_and_checked() -> None:
    # truto-jsonata's own docs (SKILL.md, usage-in-truto.md) shape records with it
    data = YAML(typ="safe").load(
        HEAD
        + textwrap.dedent(
            """\
            - name: out
              type: destination
              destination_type: webhook
              resources_to_persist: [pages]
              config: {id: "w1", expression: "$groupBy(records, function($r) { $r.id })"}
            """
        )
    )
    findings = check_job(data)
    assert not [f for f in findings if f.rule == "SS101"]
    assert [f.rule for f in findings if f.rule.startswith("SS7")] == ["SS703"]
