from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncspec.config import load_settings
from syncspec.jobfile.rules.registry import RULES, check_job
from syncspec.jobfile.validate import validate_paths

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "tests" / "examples" / "invalid"


def test_rule_ids_are_unique_and_in_the_semantic_families() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"SS[2-578]\d\d", i) for i in ids)  # SS7xx: JSONata, SS8xx: schedules
    assert all(rule.summary for rule in RULES)


def test_every_semantic_rule_has_an_invalid_example() -> None:
    missing = [r.id for r in RULES if not any((EXAMPLES / r.id).glob("*.yaml"))]
    assert missing == []


@pytest.mark.parametrize("path", sorted((REPO / "jobs").glob("*.yaml")), ids=lambda p: p.name)
def test_example_jobs_are_clean(path: Path) -> None:
    # checked with the values of each of the repository's profiles (`!var`), as validate does
    setup = load_settings(cwd=REPO, environ={}).var_setup(planning=False)
    assert len(setup.profiles) == 2
    assert validate_paths([path], REPO, setup=setup).problems == []


_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
_json = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
_NODE_KEYS = [
    "resource", "method", "name", "type", "depends_on", "loop_on", "query", "config", "id",
    "resources_to_persist", "destination_type", "run_if", "recurse", "body", "delete_tracking",
]  # fmt: skip
_words = st.sampled_from(
    ["request", "get_state", "update_state", "event", "destination", "a", "b", "crm/x", "{{",
     "{{args.a}}", "{{resources.a.id}}", "complete", "}}", "{args.a}", "list"]
)  # fmt: skip
_item = st.dictionaries(st.sampled_from(_NODE_KEYS), _words | _json, max_size=6)
_job = st.fixed_dictionaries(
    {},
    optional={
        "default_runtime_version": st.sampled_from([None, 1, 2, 4, "4", True]),
        "args_schema": _json | st.dictionaries(st.sampled_from(["a", "type", "properties"]), _json),
        "resources": st.lists(_item | _json, max_size=5) | _json,
        "mutex_key": _words | _json,
        "state_key": _words | _json,
    },
)


@settings(max_examples=300, deadline=None)
@given(_job)
def test_check_job_never_raises(data: dict[str, Any]) -> None:
    findings = check_job(data)
    assert all(f.rule in {r.id for r in RULES} for f in findings)


@settings(max_examples=100, deadline=None)
@given(_json)
def test_check_job_never_raises_on_any_document(data: Any) -> None:
    check_job(data)


def _imports_jsonschema(job: str) -> bool:
    code = (
        "import sys\n"
        "from ruamel.yaml import YAML\n"
        "from syncspec.jobfile.rules.registry import check_job\n"
        f"check_job(YAML(typ='safe').load({job!r}))\n"
        "print('jsonschema' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip() == "True"


def test_jsonschema_is_imported_only_for_schemas_that_need_the_metaschema() -> None:
    simple = "label: a\nargs_schema:\n  ids: {type: array, items: {type: string}, required: true}\n"
    assert _imports_jsonschema(simple) is False
    rich = "label: a\nargs_schema:\n  ids: {type: array, uniqueItems: true}\n"
    assert _imports_jsonschema(rich) is True
