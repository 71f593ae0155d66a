"""pull: file naming, binding, in-place round-trip edits, and pull-then-plan = no changes."""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncspec.config import PruneScope, load_settings
from syncspec.engine.model import ActionKind, PlanOptions
from syncspec.engine.normalize import canonical_job
from syncspec.engine.plan import plan_changes
from syncspec.engine.pull import MAX_STEM, pull_jobs, safe_file_stem
from syncspec.jobfile.fmt import format_text
from syncspec.jobfile.rules.project import check_label
from syncspec.jobfile.validate import load_jobs
from syncspec.jobfile.vars import resolve_plain
from syncspec.jobfile.yaml.loader import parse_text

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "jobs").glob("*.yaml"))
REPO_STAGING = load_settings(cwd=REPO, profile="staging", environ={}).profile


def _live(job: dict[str, Any], n: int) -> dict[str, Any]:
    return {
        "id": f"00000000-0000-4000-8000-{n:012d}",
        "environment_id": "env-1",
        "created_at": f"2024-01-01T00:00:{n % 60:02d}.000Z",
        "updated_at": "2024-01-02T00:00:00.000Z",
        **job,
    }


def _plan_after_pull(root: Path, live: list[dict[str, Any]]) -> Any:
    jobs, problems = load_jobs([root / "jobs"], root)
    errors = [p for p in problems if p.severity == "error"]
    assert errors == []
    return plan_changes(
        jobs,
        live,
        options=PlanOptions(),
        prune_scope=PruneScope(),
        api_url="http://127.0.0.1",
        profile="env",
        now="2024-01-01T00:00:00Z",
    )


@pytest.mark.parametrize(
    ("label", "stem"),
    [
        ("zendesk-tickets", "zendesk-tickets"),
        ("Zendesk Tickets (EU)", "zendesk-tickets-eu"),
        ("../../x", "x"),
        ("/etc/passwd", "etc-passwd"),
        ("..", "job-" + "3a4ff7ae"),
        ("", "job-e3b0c442"),
        ("ünïcödé", "unicode"),
        ("日本語", "job-77710aed"),
        ("CON", "con-job"),
        ("a\\b:c*d?e", "a-b-c-d-e"),
        (".hidden", "hidden"),
    ],
)
def test_safe_file_stem(label: str, stem: str) -> None:
    if stem.startswith("job-") and label == "..":
        import hashlib

        stem = "job-" + hashlib.sha256(b"..").hexdigest()[:8]
    assert safe_file_stem(label) == stem


def test_safe_file_stem_of_a_very_long_label_is_bounded_and_distinct() -> None:
    a, b = "x" * 500, "x" * 499 + "y"
    assert len(safe_file_stem(a)) == MAX_STEM
    assert safe_file_stem(a) != safe_file_stem(b)


@given(st.text(max_size=300))
def test_safe_file_stem_is_always_a_plain_safe_name(label: str) -> None:
    stem = safe_file_stem(label)
    assert 0 < len(stem) <= MAX_STEM
    assert set(stem) <= set(string.ascii_lowercase + string.digits + "._-")
    assert stem[0] not in ".-_"


def test_hostile_and_colliding_labels_stay_inside_the_jobs_dir(tmp_path: Path) -> None:
    labels = ["../../x", "/etc/x", "", "x", "X", "日本語", "y" * 400, "../x", "dup", "dup"]
    live = [_live({"label": lab, "integration_name": "zendesk"}, i) for i, lab in enumerate(labels)]
    result = pull_jobs(live, [], jobs_dir=tmp_path / "jobs", root=tmp_path)
    written = sorted(p.name for p in (tmp_path / "jobs").iterdir())
    assert len(written) == len(labels) - 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jobs"]  # nothing escaped
    assert written == sorted(f.path.name for f in result.files if f.status == "created")
    assert [(f.job_id, f.status) for f in result.files if f.status != "created"] == [
        (live[2]["id"], "skipped")
    ]
    # the two "dup" jobs are pinned to their ids; nothing else is
    assert sorted(f.job_id for f in result.files if f.pinned) == [live[8]["id"], live[9]["id"]]
    assert "x.yaml" in written and "x-2.yaml" in written and "x-3.yaml" in written
    plan = _plan_after_pull(tmp_path, live)
    assert not plan.has_changes
    assert plan.count(ActionKind.NOOP) == len(labels) - 1  # "" cannot be a file label
    assert [n.label for n in plan.notices if n.kind == "unmanaged"] == [""]


def test_new_file_has_the_schema_modeline_only_client_fields_and_literal_blocks(
    tmp_path: Path,
) -> None:
    live = _live(
        {
            "label": "on",
            "integration_name": "yes",
            "default_runtime_version": 2,
            "args_validation": "(\n  $a := args.x;\n  $a ? null : {'message': 'x'}\n)",
            "mutex_key": "1.0",
            "state_key": None,
            "resources": [{"method": "list", "resource": "crm/contacts", "query": {}, "id": None}],
        },
        1,
    )
    pull_jobs([live], [], jobs_dir=tmp_path / "jobs" / "sub", root=tmp_path)
    text = (tmp_path / "jobs" / "sub" / "on.yaml").read_text()
    assert text == (
        "# yaml-language-server: $schema=../../schemas/sync-job.schema.json\n"
        'label: "on"\n'
        'integration_name: "yes"\n'
        "default_runtime_version: 2\n"
        "args_validation: |-\n"
        "  (\n"
        "    $a := args.x;\n"
        "    $a ? null : {'message': 'x'}\n"
        "  )\n"
        'mutex_key: "1.0"\n'
        "resources:\n"
        "  - resource: crm/contacts\n"
        "    method: list\n"
    )


ORIGINAL = """\
# yaml-language-server: $schema=../schemas/sync-job.schema.json
# top comment
label: zendesk-tickets            # identity
integration_name: zendesk
default_runtime_version: 2
resources:
  - resource: ticketing/users   # users first
    method: list
  - resource: ticketing/tickets
    method: list
  - resource: ticketing/comments
    method: list
    depends_on: ticketing/tickets
    query:
      ticket_id: "{{resources.ticketing.tickets.id}}"   # quoted on purpose
"""


def _local(tmp_path: Path, text: str, name: str = "zd.yaml") -> Any:
    path = tmp_path / "jobs" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    jobs, problems = load_jobs([path], tmp_path)
    assert [p for p in problems if p.severity == "error"] == []
    return jobs[0]


def test_update_in_place_keeps_comments_order_and_quotes(tmp_path: Path) -> None:
    local = _local(tmp_path, ORIGINAL)
    data = parse_text(ORIGINAL, "x").data
    assert data is not None
    live = _live(data, 1)
    live["resources"][2]["method"] = "get"
    live["state_key"] = "yes"
    result = pull_jobs([live], [local], jobs_dir=tmp_path / "jobs", root=tmp_path)
    assert [(f.display, f.status) for f in result.files] == [("jobs/zd.yaml", "updated")]
    assert (tmp_path / "jobs" / "zd.yaml").read_text() == ORIGINAL.replace(
        "    method: list\n    depends_on", "    method: get\n    depends_on"
    ).replace(
        "default_runtime_version: 2\n",
        'default_runtime_version: 2\nstate_key: "yes"\n',
    )


def test_unchanged_file_is_not_rewritten(tmp_path: Path) -> None:
    local = _local(tmp_path, ORIGINAL)
    path = tmp_path / "jobs" / "zd.yaml"
    before = path.stat().st_mtime_ns
    data = parse_text(ORIGINAL, "x").data
    assert data is not None
    result = pull_jobs([_live(data, 1)], [local], jobs_dir=tmp_path / "jobs", root=tmp_path)
    assert [f.status for f in result.files] == ["unchanged"]
    assert path.read_text() == ORIGINAL
    assert path.stat().st_mtime_ns == before


def test_shared_label_pins_the_existing_file_to_the_oldest_job(tmp_path: Path) -> None:
    local = _local(tmp_path, ORIGINAL)
    data = parse_text(ORIGINAL, "x").data
    assert data is not None
    older, newer = _live(data, 1), _live({**data, "resources": []}, 2)
    result = pull_jobs([newer, older], [local], jobs_dir=tmp_path / "jobs", root=tmp_path)
    assert [(f.display, f.status, f.job_id, f.pinned) for f in result.files] == [
        ("jobs/zd.yaml", "updated", older["id"], True),
        (f"jobs/zendesk-tickets-{newer['id'][:8]}.yaml", "created", newer["id"], True),
    ]
    text = (tmp_path / "jobs" / "zd.yaml").read_text()
    assert f"label: zendesk-tickets            # identity\nid: {older['id']}\n" in text
    assert not _plan_after_pull(tmp_path, [older, newer]).has_changes


def test_a_pinned_file_follows_its_job_when_the_label_changes(tmp_path: Path) -> None:
    live = _live({"label": "new-name", "integration_name": "zendesk"}, 7)
    local = _local(
        tmp_path, f"label: old-name\nid: {live['id']}\nintegration_name: zendesk\n", "old.yaml"
    )
    result = pull_jobs([live], [local], jobs_dir=tmp_path / "jobs", root=tmp_path)
    assert [(f.display, f.status) for f in result.files] == [("jobs/old.yaml", "updated")]
    assert (tmp_path / "jobs" / "old.yaml").read_text() == (
        f"label: new-name\nid: {live['id']}\nintegration_name: zendesk\n"
    )


def test_label_globs_select_jobs(tmp_path: Path) -> None:
    live = [_live({"label": lab, "integration_name": "z"}, i) for i, lab in enumerate("abc")]
    live.append(_live({"label": "ab", "integration_name": "z"}, 9))
    result = pull_jobs(live, [], jobs_dir=tmp_path / "jobs", root=tmp_path, label_globs=["a*"])
    assert sorted(f.label for f in result.files) == ["a", "ab"]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_example_job_pulls_back_to_no_changes(tmp_path: Path, example: Path) -> None:
    data = parse_text(example.read_text(), example.name).data
    assert data is not None
    data, missing = resolve_plain(data, REPO_STAGING.vars)  # the repo's own `!var` values
    assert missing == []
    # what the server would hold after a create: the canonical body (keys sorted)
    live = [_live(canonical_job(data), 1)]
    pull_jobs(live, [], jobs_dir=tmp_path / "jobs", root=tmp_path)
    plan = _plan_after_pull(tmp_path, live)
    assert [a.kind for a in plan.actions] == [ActionKind.NOOP]


# -- hypothesis: any job the API could hold pulls back to no changes ------------------------

_tricky = st.sampled_from(
    ["on", "yes", "~", "null", "1.0", "0x1f", "12:30", "1_000", "2024-01-01", "#x", "a: b", "- x"]
)
_text = st.one_of(
    _tricky,
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
        | st.sampled_from(["\n", " ", "\t", "#", ":", "-", "'", '"']),
        max_size=40,
    ),
)
_scalar = st.one_of(
    _text,
    st.integers(-(2**53), 2**53),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
)
_name = st.from_regex(r"[a-z][a-z_]{0,11}", fullmatch=True)
_resource = st.fixed_dictionaries(
    {
        "resource": st.from_regex(r"[a-z]{2,8}/[a-z_]{2,10}", fullmatch=True),
        "method": st.sampled_from(["list", "get", "create", "update", "delete"]),
    },
    optional={
        "query": st.dictionaries(_name, _scalar, max_size=4),
        "persist": st.booleans(),
    },
)


def _jsonata_string(text: str) -> str:
    """``text`` as a JSONata string literal: args_validation is parsed as JSONata (SS701), and
    a literal keeps every tricky character for YAML while being a valid expression."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_job = st.fixed_dictionaries(
    {
        "label": _text.filter(lambda s: s.strip() != "" and "{{" not in s),
        "integration_name": st.from_regex(r"[a-z]{1,12}", fullmatch=True),
        "default_runtime_version": st.sampled_from([1, 2, 3]),
    },
    optional={
        "args_validation": _text.filter(lambda s: "{{" not in s).map(_jsonata_string),
        "resources": st.lists(
            _resource, max_size=4, unique_by=lambda r: (r["resource"], r["method"])
        ),
    },
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(job=_job)
def test_any_job_pulls_back_to_no_changes(
    tmp_path_factory: pytest.TempPathFactory, job: Any
) -> None:
    root = tmp_path_factory.mktemp("pull")
    live = [_live(job, 1)]
    pulled = pull_jobs(live, [], jobs_dir=root / "jobs", root=root)
    if check_label(job["label"]):
        # a label validate refuses (SS604-SS606, issue 19) is not pulled, and pull says why
        assert [f.status for f in pulled.files] == ["skipped"]
        assert "cannot be a job file's label" in str(pulled.files[0].reason)
        return
    for path in (root / "jobs").glob("*.yaml"):  # issue 24: what pull writes is fmt-clean
        text = path.read_text(encoding="utf-8")
        assert format_text(text, path.name) == text
    plan = _plan_after_pull(root, live)
    assert [a.kind for a in plan.actions] == [ActionKind.NOOP]
    # and a second pull changes nothing
    jobs, _ = load_jobs([root / "jobs"], root)
    again = pull_jobs(live, jobs, jobs_dir=root / "jobs", root=root)
    assert [f.status for f in again.files] == ["unchanged"]
