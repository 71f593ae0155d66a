"""`syncspec test` end to end, in-process (CliRunner): cases, failures, malformed files, JUnit."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner, Result

from syncspec.cli import cli

# `syncspec init` reads the hashes it pins offline (tests/wheelhouse.py)
pytestmark = pytest.mark.usefixtures("wheelhouse")

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "tests" / "examples" / "node_tests"
HEADER = "engine: @truto/truto-jsonata 3.0.6 behaviour (offline ports)"


def _run(cwd: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.chdir(cwd)
    return CliRunner().invoke(cli, ["test", *args], catch_exceptions=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the example repo (Truto's incremental-sync job) to add cases to."""
    target = tmp_path / "repo"
    shutil.copytree(EXAMPLE, target)
    return target


def _cases(repo: Path, name: str, text: str) -> Path:
    path = repo / "tests" / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_the_issue_example_passes_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(EXAMPLE, monkeypatch, "tests/calendar-events.yaml")
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"{HEADER}\n"
        "tests/calendar-events.yaml::the cursor goes into the context PASSED\n"
        "tests/calendar-events.yaml::the webhook runs only with a webhook id PASSED\n"
        "2 passed, 0 failed\n"
    )


def test_every_node_of_the_pattern(monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(EXAMPLE, monkeypatch)
    assert result.exit_code == 0, result.output
    assert result.output.endswith("\n7 passed, 0 failed\n")


def test_the_repos_own_cases_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(REPO, monkeypatch)  # tests_dir = "node-tests" in the repo's syncspec.toml
    assert result.exit_code == 0, result.output
    assert "node-tests/greenhouse-candidates.yaml::later runs send the cursor PASSED" in (
        result.output
    )
    assert result.output.endswith("\n12 passed, 0 failed\n")


def test_init_writes_cases_that_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    init = CliRunner().invoke(cli, ["init", str(tmp_path / "new")], catch_exceptions=False)
    assert init.exit_code == 0, init.output
    result = _run(tmp_path / "new", monkeypatch)
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"{HEADER}\n"
        "tests/zendesk-tickets.yaml::comments are fetched for the current ticket PASSED\n"
        "1 passed, 0 failed\n"
    )


def test_a_wrong_expectation_fails_with_a_readable_diff(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _cases(
        repo,
        "wrong.yaml",
        """\
        job: calendar-events-incremental
        cases:
          - name: off by one minute
            node: update-last-synced-at
            given: {sync_job_run: {status: completed, started_at: "2024-03-10T10:00:00Z"}}
            expect: "2024-03-10T09:59:00.000Z"
          - name: the wrong account
            node: list-events
            given: {args: {integrated_account_id: a1}, last_synced_at: "2024-01-01"}
            expect:
              integrated_account_id: a2
              query: {updated_at: {gt: "2024-01-01"}}
        """,
    )
    result = _run(repo, monkeypatch, "tests/wrong.yaml")
    assert result.exit_code == 1
    header = "job calendar-events-incremental, node"
    assert result.output.splitlines() == [
        HEADER,
        "tests/wrong.yaml::off by one minute FAILED",
        "tests/wrong.yaml::the wrong account FAILED",
        "",
        "============================== FAILURES ==============================",
        "___ tests/wrong.yaml::off by one minute ___",
        f"tests/wrong.yaml:3: case 'off by one minute', {header} update-last-synced-at "
        "(update_state)",
        "expect: what the node produces differs",
        "--- expected",
        "+++ actual",
        "@@ -1 +1 @@",
        '-"2024-03-10T09:59:00.000Z"',
        '+"2024-03-10T09:58:00.000Z"',
        "",
        "___ tests/wrong.yaml::the wrong account ___",
        f"tests/wrong.yaml:7: case 'the wrong account', {header} list-events (request)",
        "expect: what the node produces differs",
        "--- expected",
        "+++ actual",
        "@@ -1,5 +1,5 @@",
        " {",
        '-  "integrated_account_id": "a2",',
        '+  "integrated_account_id": "a1",',
        '   "query": {',
        '     "updated_at": {',
        '       "gt": "2024-01-01"',
        "",
        "0 passed, 2 failed",
    ]


def test_expect_run_and_run_if(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _cases(
        repo,
        "runs.yaml",
        """\
        job: calendar-events-incremental
        cases:
          - name: with a webhook it runs
            node: webhook
            given: {args: {webhook_id: w}}
            expect_run: false
          - name: no run_if means it runs
            node: on-complete
            given: {}
            expect_run: true
        """,
    )
    result = _run(repo, monkeypatch, "tests/runs.yaml")
    assert result.exit_code == 1
    assert "tests/runs.yaml::no run_if means it runs PASSED" in result.output
    assert (
        "expect_run: whether the node runs differs\n--- expected\n+++ actual\n@@ -1 +1 @@\n"
        "-false\n+true\n"
    ) in result.output
    assert result.output.endswith("\n1 passed, 1 failed\n")


NODE_TYPES_JOB = """\
label: node-types
default_runtime_version: 4
resources:
  - name: records
    type: request
    resource: crm/contacts
    method: get
    integrated_account_id: "{{args.account:str}}"
    id: "{{args.contact_id|resources.crm.accounts.contact_id}}"
    query:
      limit: "{{args.limit:int}}"
      since: "{{args.since?:1970-01-01}}"
      archived: "{{args.archived:bool}}"
      owner: "{{args.owner:undefined}}"
      tag: "{{args.tag:null}}"
      note: "owner {{args.owner:undefined}}!"
      filter: "{{args.filter:json}}"
      page: "{{args.page?:1:int}}"
      q: "{{args.q:ignore-empty-str|args.fallback_q}}"
  - name: search
    type: request
    resource: crm/contacts
    method: list
    integrated_account_id: a
    query: "{ 'name': $uppercase(args.name), 'ids': $join(args.ids, ',') }"
    body: "{ 'size': $count(args.ids) }"
  - name: slim
    type: transform
    config:
      expression: "resources.crm.contacts.{ 'id': id, 'name': $firstNonEmpty(name, '?') }"
  - name: save
    type: update_state
    config: {key: k, value: "{{resources.crm.contacts.id:int}}"}
  - name: unsupported
    type: request
    resource: crm/contacts
    method: list
    integrated_account_id: a
    query: "$convertQueryToSql(args.q)"
  - name: broken
    type: add_context
    config:
      expression: "{ 'a': args.a "
  - name: cast-typo
    type: destination
    destination_type: webhook
    config: {id: "{{args.id:integer}}"}
    resources_to_persist: [records]
  - name: gather
    type: spool
"""


def test_each_node_type_and_placeholder_form(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "jobs" / "node-types.yaml").write_text(NODE_TYPES_JOB, encoding="utf-8")
    _cases(
        repo,
        "types.yaml",
        """\
        job: node-types
        cases:
          - name: request placeholders
            node: records
            given:
              args: {account: 7, limit: "25", archived: "false", filter: '{"a": 1}', q: "",
                     fallback_q: "x"}
              resources: {crm: {accounts: {contact_id: c-9}}}
            expect:
              integrated_account_id: "7"
              id: c-9
              query:
                limit: 25
                since: "1970-01-01"
                archived: false
                tag: null
                note: "owner !"
                filter: {a: 1}
                page: 1
                q: x
          - name: string query and body are JSONata
            node: search
            given: {args: {name: ada, ids: [1, 2]}}
            expect:
              integrated_account_id: a
              query: {name: ADA, ids: "1,2"}
              body: {size: 2}
          - name: transform
            node: slim
            given: {resources: {crm: {contacts: [{id: 1, name: Ada, x: 1}, {id: 2}]}}}
            expect: [{id: 1, name: Ada}, {id: 2, name: "?"}]
          - name: update_state with a value placeholder
            node: save
            given: {resources: {crm: {contacts: {id: "42"}}}}
            expect: 42
        """,
    )
    result = _run(repo, monkeypatch, "tests/types.yaml")
    assert result.output.endswith("\n4 passed, 0 failed\n"), result.output
    assert result.exit_code == 0


def test_errors_fail_their_cases_never_a_traceback(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "jobs" / "node-types.yaml").write_text(NODE_TYPES_JOB, encoding="utf-8")
    _cases(
        repo,
        "errors.yaml",
        """\
        job: node-types
        cases:
          - name: not offline
            node: unsupported
            given: {args: {q: x}}
            expect: {}
          - name: broken expression
            node: broken
            given: {}
            expect: {}
          - name: unknown cast
            node: cast-typo
            given: {args: {id: "1"}}
            expect: {id: 1}
          - name: spool produces nothing
            node: gather
            given: {}
            expect: []
          - name: unknown node
            node: slimm
            given: {}
            expect_run: true
        """,
    )
    _cases(
        repo,
        "nojob.yaml",
        """\
        job: node-typs
        cases:
          - {name: unknown job, node: slim, expect_run: true}
        """,
    )
    result = _run(repo, monkeypatch, "tests/errors.yaml", "tests/nojob.yaml")
    assert result.exit_code == 1
    out = result.output
    assert "Traceback" not in out
    assert (
        "expect: `$convertQueryToSql` is not available offline\n  at jobs/node-types.yaml:" in out
    )
    assert (
        "expect: JSONata error S0203 at character 14: Expected } before end of expression\n"
        # the character the error is at: column 19 is the quote, +1, +14
        "  at jobs/node-types.yaml:43:34\n"
    ) in out
    assert (
        "expect: placeholder {{args.id:integer}}: Unsupported type: integer\n"
        "  at jobs/node-types.yaml:47:18\n"
    ) in out
    assert (
        "expect: a spool node produces nothing to compare with `expect`; "
        "test whether it runs with `expect_run`\n"
    ) in out
    assert "jobs/node-types.yaml: the job has no node 'slimm' (did you mean \"slim\"?)\n" in out
    assert "no job labelled 'node-typs' in the jobs directory (did you mean \"node-types\"?)" in out
    assert out.endswith("\n0 passed, 6 failed\n")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "job: x\ncases:\n  - name: a\n    node: b\n    expect: [1\n",
            "tests/bad.yaml:5:15: SS001 YAML syntax error: while parsing a flow sequence",
        ),
        (
            "job: x\ncases:\n  - name: a\n    node: b\n    expected: 1\n",
            'tests/bad.yaml:5:5: SS901 unknown key `expected` in a case (did you mean "expect"?)',
        ),
        ("cases: []\n", "tests/bad.yaml:1:1: SS902 `job:` is missing"),
        (
            "job: x\ncases:\n  - name: a\n    node: b\n    given: [1]\n    expect: 1\n",
            "tests/bad.yaml:5:12: SS903 `given` must be a mapping (the input document), not a list",
        ),
        (
            "job: x\ncases:\n  - name: a\n    node: b\n",
            "tests/bad.yaml:3:5: SS904 the case expects nothing",
        ),
        (
            "job: x\ncases:\n  - {name: a, node: b, expect_run: true}\n"
            "  - {name: a, node: c, expect_run: true}\n",
            "tests/bad.yaml:4:12: SS905 a case named 'a' is already in this file (case 1)",
        ),
        ("", "tests/bad.yaml:1:1: SS005 file is empty: expected a case file"),
    ],
)
def test_a_malformed_case_file_exits_3(
    repo: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: str
) -> None:
    (repo / "tests" / "bad.yaml").write_text(text, encoding="utf-8")
    result = _run(repo, monkeypatch)
    assert result.exit_code == 3
    assert expected in result.output
    assert "PASSED" not in result.output  # no case runs while a case file is malformed
    assert "error: malformed case file(s): no case was run" in result.output


def test_junit_xml(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _cases(
        repo,
        "z.yaml",
        """\
        job: calendar-events-incremental
        cases:
          - {name: wrong run, node: webhook, given: {}, expect_run: true}
        """,
    )
    report = repo / "report.xml"
    result = _run(repo, monkeypatch, "--format", "junit", "--junit-xml", str(report))
    assert result.exit_code == 1
    for xml in (result.output, report.read_text(encoding="utf-8")):
        root = ET.fromstring(xml)
        suite = root.find("testsuite")
        assert suite is not None
        assert (suite.get("tests"), suite.get("failures")) == ("8", "1")
        failed = [c for c in suite.iter("testcase") if c.find("failure") is not None]
        assert [(c.get("classname"), c.get("name"), c.get("line")) for c in failed] == [
            ("tests/z.yaml", "wrong run", "3")
        ]
        failure = failed[0].find("failure")
        assert failure is not None
        assert failure.get("message") == "expect_run: whether the node runs differs"


def test_a_missing_tests_dir_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """issue 24: a typo in tests_dir must not make `syncspec test` green."""
    (tmp_path / "syncspec.toml").write_text('tests_dir = "cases"\n', encoding="utf-8")
    result = _run(tmp_path, monkeypatch)
    assert result.exit_code == 3
    assert result.output == (
        f"error: no case files: the tests folder {tmp_path / 'cases'} does not exist (create "
        "it, set tests_dir in syncspec.toml, or pass case files); nothing was run\n"
    )


def test_an_empty_tests_dir_runs_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "syncspec.toml").write_text('tests_dir = "cases"\n', encoding="utf-8")
    (tmp_path / "cases").mkdir()
    result = _run(tmp_path, monkeypatch)
    assert result.exit_code == 0
    assert result.output == f"{HEADER}\n0 passed, 0 failed\n"  # the engine line of issue 23


def test_tests_dir_must_be_a_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "syncspec.toml").write_text("tests_dir = 3\n", encoding="utf-8")
    result = _run(tmp_path, monkeypatch)
    assert result.exit_code == 3
    assert "tests_dir must be a path (a string)" in result.output


def test_runaway_cases_fail_on_their_budgets_and_the_run_ends(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # counted budgets (values, regex subject), not time: the same failure on any machine
    job = (repo / "jobs" / "calendar-events-incremental.yaml").read_text("utf-8")
    job = job.replace(
        '{ "last_synced_at": resources.`get-last-synced-at`.value }',
        "$count([1..10000000])",
    )
    (repo / "jobs" / "calendar-events-incremental.yaml").write_text(job, encoding="utf-8")
    assert "$count([1..10000000])" in job
    _cases(
        repo,
        "runaway.yaml",
        f"""\
        job: calendar-events-incremental
        cases:
          - name: a huge range
            node: add-last-synced-at
            given: {{}}
            expect: 1
          - name: a catastrophic regex
            node: webhook
            given: {{args: {{webhook_id: "{"a" * 10_000}"}}}}
            expect_run: true
        """,
    )
    job = job.replace("$exists(args.webhook_id)", "$contains(args.webhook_id, /(a+)+b/)")
    (repo / "jobs" / "calendar-events-incremental.yaml").write_text(job, encoding="utf-8")
    result = _run(repo, monkeypatch, "tests/runaway.yaml")
    assert result.exit_code == 1, result.output
    assert (
        "expect: case 'a huge range' (job 'calendar-events-incremental', node "
        "'add-last-synced-at') went over its budget: the range [1..10000000] has 10,000,000 "
        "values (the budget is 1,000,000 per case)"
    ) in result.output
    assert (
        "expect_run: case 'a catastrophic regex' (job 'calendar-events-incremental', node "
        "'webhook') went over its budget: the regular expression /(a+)+b/ repeats a repeated "
        "group"
    ) in result.output
    assert result.output.endswith("\n0 passed, 2 failed\n")


def test_the_node_engine_gives_the_same_output(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    oracle = REPO / "tests" / "oracle" / "node_modules"
    if shutil.which("node") is None:
        pytest.skip("node is not installed: --engine node runs @truto/truto-jsonata on Node.js")
    if not (oracle / "@truto" / "truto-jsonata").exists():
        pytest.skip("the oracle package is not installed (npm ci --prefix tests/oracle)")
    (repo / "node_modules").symlink_to(oracle, target_is_directory=True)
    offline = _run(repo, monkeypatch)
    node = _run(repo, monkeypatch, "--engine", "node")
    assert node.exit_code == offline.exit_code == 0, node.output
    assert node.output.splitlines()[0] == "engine: @truto/truto-jsonata 3.0.6 under Node.js"
    assert node.output.splitlines()[1:] == offline.output.splitlines()[1:]


def test_the_node_engine_without_the_package_is_a_clear_error(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("node") is None:
        pytest.skip("node is not installed: --engine node runs @truto/truto-jsonata on Node.js")
    result = _run(repo, monkeypatch, "--engine", "node")
    assert result.exit_code == 3, result.output
    assert "--engine node: @truto/truto-jsonata is not installed in" in result.output
    assert "fix: npm install --prefix" in result.output
