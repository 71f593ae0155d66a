"""The real ``@truto/truto-jsonata`` as the oracle of syncspec's ports (issue 23).

Every case goes through both engines: the pinned package under Node (one long-lived worker,
``syncspec/nodetest/node/worker.cjs``) and ``syncspec.nodetest.expressions.evaluate``. They must
agree on the JSON result and on error/no-error. A pair that disagrees must be one of the
documented divergences of docs/node-tests.md ("Where syncspec test differs from Truto"), each
recognised here by ``known_divergence``; any other disagreement fails. Skipped only where Node
is not installed; the package comes from tests/oracle/package-lock.json (.ci/run installs it;
a missing install is made here with ``npm ci``, as the editor-schema test does).
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from syncspec.nodetest.expressions import ExpressionFailed, evaluate
from syncspec.nodetest.js.values import UNDEFINED
from syncspec.nodetest.node_engine import Answer, NodeEngine
from syncspec.nodetest.truto_functions import IMPLEMENTED, NOT_OFFLINE
from tests.oracle.corpus import corpus
from tests.unit.test_node_extensions import CASES as EXTENSION_CASES

ROOT = Path(__file__).resolve().parents[2]
ORACLE_DIR = ROOT / "tests" / "oracle"
PACKAGE = ORACLE_DIR / "node_modules" / "@truto" / "truto-jsonata"
DOCS = ROOT / "docs" / "node-tests.md"
SEEDS = (23, 7, 19)  # three corpora of 2,580 calls: 7,740 comparisons
SEED = SEEDS[0]
MIN_GENERATED = 2_000


@pytest.fixture(scope="module")
def engine() -> Iterator[NodeEngine]:
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the oracle is @truto/truto-jsonata under Node.js")
    if not PACKAGE.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("@truto/truto-jsonata is not installed and npm is missing")
        subprocess.run(
            [npm, "ci", "--prefix", str(ORACLE_DIR), "--no-audit", "--no-fund"],
            check=True,
            timeout=600,
            capture_output=True,
        )
    with NodeEngine(ORACLE_DIR) as running:
        yield running


def pinned_version() -> str:
    lock = json.loads((ORACLE_DIR / "package-lock.json").read_text("utf-8"))
    return str(lock["packages"]["node_modules/@truto/truto-jsonata"]["version"])


def port(expression: str, document: Any) -> Answer:
    try:
        return Answer(True, evaluate(expression, document))
    except ExpressionFailed as exc:
        return Answer(False, error=exc.message)


def json_equal(a: Any, b: Any) -> bool:
    """JSON equality: 1 == 1.0, true is not 1, key order does not matter; a float must match
    to the last bit (both sides are IEEE doubles)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(v, b[k]) for k, v in a.items())
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def agree(truth: Answer, ours: Answer) -> bool:
    if truth.ok != ours.ok:
        return False
    if not truth.ok:
        return True
    if truth.value is UNDEFINED or ours.value is UNDEFINED:
        return truth.value is ours.value
    return json_equal(truth.value, ours.value)


# -- the documented divergences (docs/node-tests.md, one row each) -------------------------
_YEAR_OUTSIDE = re.compile(r"(?:^|[^\d])(?:0000|9999)-")


def known_divergence(expression: str, document: Any, truth: Answer, ours: Answer) -> str | None:
    """The row of the divergence table this disagreement is, or None (an unexplained one)."""
    text = json.dumps(document)
    if not ours.ok and "is not available offline" in ours.error:
        return "D1"  # not ported: the case fails loudly, never with a wrong value
    if _YEAR_OUTSIDE.search(text):
        return "D2"  # years outside 1..9999 (Python datetime)
    return None


DOCUMENTED = ("D1", "D2")


def compare_all(
    engine: NodeEngine, cases: list[tuple[str, str, Any]]
) -> tuple[int, Counter[str], list[str]]:
    answers = engine.evaluate_many((expression, document) for _, expression, document in cases)
    known: Counter[str] = Counter()
    unexplained: list[str] = []
    for (family, expression, document), truth in zip(cases, answers, strict=True):
        ours = port(expression, document)
        if agree(truth, ours):
            continue
        row = known_divergence(expression, document, truth, ours)
        if row is not None:
            known[row] += 1
            continue
        unexplained.append(
            f"[{family}] {expression}  input={json.dumps(document, ensure_ascii=False)}\n"
            f"    truto-jsonata: {_show(truth)}\n    syncspec:      {_show(ours)}"
        )
    return len(cases), known, unexplained


def _show(answer: Answer) -> str:
    if not answer.ok:
        return f"error: {answer.error}"
    return "undefined" if answer.value is UNDEFINED else json.dumps(answer.value)


def _report(unexplained: list[str]) -> str:
    shown = "\n".join(unexplained[:25])
    more = f"\n... and {len(unexplained) - 25} more" if len(unexplained) > 25 else ""
    return f"{len(unexplained)} unexplained divergence(s):\n{shown}{more}"


# -- the tests ---------------------------------------------------------------------------
def test_the_oracle_is_the_pinned_release(engine: NodeEngine) -> None:
    from syncspec.nodetest import TRUTO_JSONATA_VERSION

    assert engine.version == pinned_version() == TRUTO_JSONATA_VERSION


@pytest.mark.parametrize("seed", SEEDS)
def test_the_generated_corpus_agrees(engine: NodeEngine, seed: int) -> None:
    cases = corpus(seed)
    families = {family for family, _, _ in cases}
    # every implemented extension (and the two JSONata built-ins Truto replaces) is called
    assert set(IMPLEMENTED) | {"string", "keys"} <= families
    total, known, unexplained = compare_all(engine, cases)
    assert total >= MIN_GENERATED
    assert not unexplained, _report(unexplained)
    assert set(known) <= set(DOCUMENTED)


def test_the_corpus_is_deterministic() -> None:
    assert corpus(SEED) == corpus(SEED)
    assert corpus(SEED) != corpus(SEED + 1)


def test_every_extension_test_case_agrees(engine: NodeEngine) -> None:
    cases = [(name, expression, document) for name, expression, document, _ in EXTENSION_CASES]
    _, known, unexplained = compare_all(engine, cases)
    assert not unexplained, _report(unexplained)
    assert not known


def _repo_node_test_expressions() -> list[tuple[str, str, Any]]:
    """Every JSONata expression that a node-test case of this repository evaluates."""
    from syncspec.config import load_settings
    from syncspec.engine.project import scan_job_files
    from syncspec.nodetest.nodes import find_node
    from syncspec.nodetest.runner import load_suite

    found: list[tuple[str, str, Any]] = []
    for root in (ROOT, ROOT / "tests" / "examples" / "node_tests"):
        settings = load_settings(cwd=root, environ={})
        tests_dir = settings.tests_dir or settings.root / "tests"
        suite = load_suite([tests_dir], root)
        jobs, _, _ = scan_job_files(settings)
        by_label = {job.label: job for job in jobs}
        for case_file in suite.case_files:
            job = by_label.get(case_file.job)
            if job is None:
                continue
            for case in case_file.cases:
                node = find_node(job.data, case.node)
                if isinstance(node, str):
                    continue
                for text in _expressions_of(node.type, node.data):
                    found.append((f"{case_file.display}::{case.name}", text, case.given))
    return found


def _expressions_of(kind: str, data: dict[str, Any]) -> list[str]:
    config = data.get("config") if isinstance(data.get("config"), dict) else {}
    assert isinstance(config, dict)
    texts = [data.get("run_if")]
    if kind in ("add_context", "transform"):
        texts.append(config.get("expression"))
    if kind == "update_state":
        texts.append(config.get("value_expression"))
    if kind == "request":
        texts += [data.get("query"), data.get("body")]
    return [t for t in texts if isinstance(t, str)]


def test_every_node_test_case_in_the_repo_agrees(engine: NodeEngine) -> None:
    cases = _repo_node_test_expressions()
    assert len(cases) >= 6  # the JSONata of node-tests/ and tests/examples/node_tests
    _, known, unexplained = compare_all(engine, cases)
    assert not unexplained, _report(unexplained)
    assert not known


ISSUE_ROWS: list[tuple[str, Any]] = [
    ('$dtFromIso("2024-01-01 10:00:00").isValid', False),
    ('$dtFromIso("2024-032").isValid', True),
    ("$groupBy([1.5,2.5,1.2], function($v){$floor($v)})", {"[object Promise]": [1.5, 2.5, 1.2]}),
    ('$keyBy([{"id":1}], function($v){$v.id})', {"[object Promise]": {"id": 1}}),
    ("$orderBy([3,1,2], function($v){$v})", [3, 1, 2]),
    ('$orderBy([{"a":2},{"a":"b"},{"a":1}],["a"])', [{"a": 2}, {"a": "b"}, {"a": 1}]),
    ('$dtFromIso("1960-01-01T00:00:00.5Z").toFormat("X")', "-315619200"),
    ("$find([1,2,3], function($v){$v > 1})", 1),
    ("$lofilter([1,2,3], function($v){$v > 5})", [1, 2, 3]),
]


@pytest.mark.parametrize(("expression", "expected"), ISSUE_ROWS)
def test_the_issue_rows_give_the_real_answers(
    engine: NodeEngine, expression: str, expected: Any
) -> None:
    truth = engine.evaluate(expression, {})
    assert truth.ok and json_equal(truth.value, expected)
    assert json_equal(evaluate(expression, {}), expected)


@pytest.mark.parametrize("name", NOT_OFFLINE)
def test_a_function_that_is_not_ported_fails_loudly(engine: NodeEngine, name: str) -> None:
    # row D1: the real package has it; syncspec refuses rather than guess
    ours = port(f"${name}(x)", {"x": "a"})
    assert not ours.ok and ours.error == f"`${name}` is not available offline"


def test_every_divergence_row_is_documented() -> None:
    text = DOCS.read_text("utf-8")
    for row in DOCUMENTED:
        assert re.search(rf"^\| {row} \|", text, re.MULTILINE), f"{row} missing from {DOCS}"


def test_a_closed_engine_fails_cases_instead_of_crashing() -> None:
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the oracle is @truto/truto-jsonata under Node.js")
    from syncspec.nodetest.expressions import use_node_engine

    engine = NodeEngine(ORACLE_DIR) if PACKAGE.exists() else None
    if engine is None:
        pytest.skip("the oracle package is not installed (npm ci --prefix tests/oracle)")
    assert engine.evaluate("1 + 1", {}).value == 2
    engine.close()
    use_node_engine(engine)
    try:
        with pytest.raises(ExpressionFailed, match="the Node worker is not running"):
            evaluate("1 + 1", {})
    finally:
        use_node_engine(None)
    assert evaluate("1 + 1", {}) == 2
