from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncspec.config import PruneScope, Secret
from syncspec.engine.model import ActionKind, FieldChange, NoticeKind, Plan, PlanOptions
from syncspec.engine.normalize import canonical_job, fingerprint
from syncspec.engine.plan import load_plan, plan_changes, plan_to_json, save_plan
from syncspec.errors import ConfigError
from syncspec.jobfile.jobs import LocalJob

NOW = "2024-05-01T12:00:00Z"


def local(data: dict[str, Any], line: int = 2) -> LocalJob:
    display = f"jobs/{data['label']}.yaml"
    return LocalJob(path=Path("/p") / display, display=display, line=line, data=data)


def live(ident: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": ident,
        "environment_id": "env",
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-02-01T00:00:00Z",
        **fields,
    }


def make_plan(
    files: list[LocalJob],
    jobs: list[dict[str, Any]],
    options: PlanOptions | None = None,
    scope: PruneScope | None = None,
) -> Plan:
    return plan_changes(
        files,
        jobs,
        options=options or PlanOptions(),
        prune_scope=scope or PruneScope(),
        api_url="https://api.example.test",
        profile="staging",
        now=NOW,
    )


RES = [
    {"resource": "ticketing/users", "method": "list"},
    {
        "resource": "ticketing/comments",
        "method": "list",
        "query": {"ticket_id": "{{resources.ticketing.tickets.id}}"},
    },
]


def test_update_carries_changes_whole_fields_file_line_and_fingerprint() -> None:
    remote = live(
        "j1", label="a", integration_name="zendesk", default_runtime_version=2, resources=RES
    )
    new_res = [RES[0], {**RES[1], "query": {"ticket_id": "x"}}]
    data = {
        "label": "a",
        "integration_name": "zendesk",
        "default_runtime_version": 2,
        "mutex_key": "m",
        "resources": new_res,
    }
    plan = make_plan([local(data, line=3)], [remote])
    assert [a.kind for a in plan.actions] == [ActionKind.UPDATE]
    action = plan.actions[0]
    assert action.job_id == "j1"
    assert (action.file, action.line) == ("jobs/a.yaml", 3)
    assert action.fingerprint == fingerprint(remote)
    assert action.changes == [
        FieldChange(pointer="/mutex_key", kind="changed", old=None, new="m"),
        FieldChange(
            pointer="/resources/1/query/ticket_id",
            kind="changed",
            old="{{resources.ticketing.tickets.id}}",
            new="x",
        ),
    ]
    assert action.body == {"mutex_key": "m", "resources": canonical_job(data)["resources"]}
    assert plan.notices == []


def test_create_body_is_full_canonical_job_without_id_or_server_fields() -> None:
    data = {"label": "n", "integration_name": "zendesk", "default_runtime_version": 4}
    plan = make_plan([local(data)], [])
    (action,) = plan.actions
    assert action.kind == ActionKind.CREATE
    assert action.body == {
        "label": "n",
        "integration_name": "zendesk",
        "default_runtime_version": 4,
        "args_schema": None,
        "args_validation": None,
        "mutex_key": None,
        "state_key": None,
        "resources": [],
    }
    assert action.job_id is None and action.fingerprint is None


def test_noop_when_equal_modulo_normalization() -> None:
    remote = live(
        "1",
        label="a",
        integration_name="z",
        default_runtime_version=2,
        args_schema={},
        mutex_key=None,
        resources=[{"resource": "r", "method": "list", "query": {}, "id": None}],
    )
    data = {
        "label": "a",
        "integration_name": "z",
        "default_runtime_version": 2.0,
        "resources": [{"method": "list", "resource": "r"}],
    }
    plan = make_plan([local(data)], [remote])
    assert [(a.kind, a.changes, a.body) for a in plan.actions] == [(ActionKind.NOOP, [], None)]
    assert plan.actions[0].fingerprint == fingerprint(remote)
    assert not plan.has_changes


def test_unmanaged_runtime_version_is_not_compared_and_warns_once_per_file() -> None:
    remote = live("1", label="a", integration_name="z", default_runtime_version=3)
    plan = make_plan(
        [local({"label": "a", "integration_name": "z"}), local({"label": "b"})], [remote]
    )
    assert [(a.kind, a.label) for a in plan.actions] == [
        (ActionKind.CREATE, "b"),
        (ActionKind.NOOP, "a"),
    ]
    assert [(n.kind, n.file, n.message) for n in plan.notices] == [
        (
            NoticeKind.WARNING,
            "jobs/a.yaml",
            "jobs/a.yaml does not set default_runtime_version: "
            "the live value (3) is neither compared nor changed",
        ),
        (
            NoticeKind.WARNING,
            "jobs/b.yaml",
            "jobs/b.yaml does not set default_runtime_version: "
            "the server will stamp its legacy default (set 4 for new jobs)",
        ),
    ]


def test_order_is_deletes_updates_creates_noops_by_label() -> None:
    files = [
        local({"label": "c-new", "default_runtime_version": 4}),
        local({"label": "a-new", "default_runtime_version": 4}),
        local({"label": "u2", "default_runtime_version": 4, "mutex_key": "x"}),
        local({"label": "u1", "default_runtime_version": 4, "mutex_key": "x"}),
        local({"label": "same", "default_runtime_version": 4}),
    ]
    jobs = [
        live("5", label="u2", default_runtime_version=4),
        live("4", label="u1", default_runtime_version=4),
        live("3", label="same", default_runtime_version=4),
        live("2", label="zz-old"),
        live("1", label="old"),
    ]
    plan = make_plan(files, jobs, PlanOptions(prune=True), PruneScope(labels=("*old",)))
    assert [(a.kind.value, a.label) for a in plan.actions] == [
        ("delete", "old"),
        ("delete", "zz-old"),
        ("update", "u1"),
        ("update", "u2"),
        ("create", "a-new"),
        ("create", "c-new"),
        ("noop", "same"),
    ]
    delete = plan.actions[0]
    assert (delete.job_id, delete.fingerprint, delete.file) == ("1", fingerprint(jobs[4]), None)
    assert plan.count(ActionKind.DELETE) == 2
    # the same inputs in another order give the same plan
    again = make_plan(
        files[::-1], jobs[::-1], PlanOptions(prune=True), PruneScope(labels=("*old",))
    )
    assert again == plan


def test_conflicted_file_is_not_planned_and_notices_are_ordered() -> None:
    plan = make_plan(
        [local({"label": "a", "default_runtime_version": 4})],
        [live("1", label="a"), live("2", label="a"), live("3", label="other")],
    )
    assert plan.actions == []
    assert [(n.kind, n.label, n.job_ids) for n in plan.notices] == [
        (NoticeKind.CONFLICT, "a", ["1", "2"]),
        (NoticeKind.UNMANAGED, "other", ["3"]),
    ]


def test_plan_metadata_and_clock() -> None:
    plan = plan_changes(
        [],
        [],
        options=PlanOptions(targets=["x*"]),
        prune_scope=PruneScope(),
        api_url="https://user:secret-pw@api.example.test:8443/v1",
        profile="prod",
    )
    assert plan.api_url == "https://api.example.test:8443/v1"
    assert plan.profile == "prod"
    assert plan.options.targets == ["x*"]
    assert plan.created_at.endswith("Z") and len(plan.created_at) == len(NOW)
    assert make_plan([], []).created_at == NOW


def test_label_rename_through_pinned_id_sends_label() -> None:
    plan = make_plan(
        [local({"label": "new", "id": "7", "default_runtime_version": 4})],
        [live("7", label="old", default_runtime_version=4)],
    )
    (action,) = plan.actions
    assert action.kind == ActionKind.UPDATE
    assert action.body == {"label": "new"}


# --- save / load ------------------------------------------------------------------------------


def test_save_load_round_trip(tmp_path: Path) -> None:
    remote = live("1", label="a", resources=RES)
    plan = make_plan([local({"label": "a", "resources": RES[::-1]})], [remote])
    path = tmp_path / "plan.json"
    save_plan(plan, path)
    assert load_plan(path) == plan
    data = json.loads(path.read_text())
    assert data["format_version"] == 1
    assert path.read_text() == plan_to_json(plan)
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]  # no temp file left


def test_saved_plan_never_contains_a_registered_token(tmp_path: Path) -> None:
    token = "tok-3f9a8b7c6d5e"
    Secret(token)  # registers it for redaction, as config does for every token read
    plan = make_plan([local({"label": "a", "mutex_key": f"oops {token}"})], [])
    path = tmp_path / "plan.json"
    save_plan(plan, path)
    assert token not in path.read_text()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not a syncspec plan file (invalid JSON at line 1, column 2:"),
        ("[1, 2]", "not a syncspec plan file (expected the JSON written by"),
        ('{"name": "x"}', "not a syncspec plan file (expected the JSON written by"),
        ('{"format_version": "1", "actions": []}', "bad format_version '1'"),
        (
            '{"format_version": 99, "syncspec_version": "9.0", "actions": []}',
            "plan format 99 was written by syncspec 9.0; this syncspec",
        ),
        (
            '{"format_version": 1, "actions": [{"kind": "explode", "label": "x"}]}',
            "corrupt plan file:",
        ),
    ],
)
def test_load_rejects_foreign_corrupt_and_newer_files(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "plan.json"
    path.write_text(content)
    with pytest.raises(ConfigError) as info:
        load_plan(path)
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)


def test_load_missing_and_binary(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such plan file"):
        load_plan(tmp_path / "nope.json")
    binary = tmp_path / "b.json"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_plan(binary)


def test_save_to_missing_directory_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot write the plan"):
        save_plan(make_plan([], []), tmp_path / "missing" / "plan.json")


# --- pull round trip --------------------------------------------------------------------------

_scalar = st.one_of(st.none(), st.booleans(), st.integers(-1000, 1000), st.text(max_size=6))
_value = st.recursive(
    _scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)
_resource = st.fixed_dictionaries(
    {"resource": st.text(min_size=1, max_size=6), "method": st.sampled_from(["list", "get"])},
    optional={
        "query": st.one_of(st.just({}), st.dictionaries(st.text(max_size=4), _value, max_size=2)),
        "depends_on": st.one_of(st.none(), st.text(max_size=5)),
        "persist": st.booleans(),
        "loop_on": st.none(),
    },
)
_live_jobs = st.builds(
    lambda ident, fields: live(ident, **fields),
    st.uuids().map(str),
    st.fixed_dictionaries(
        {"label": st.text(min_size=1, max_size=8)},
        optional={
            "integration_name": st.one_of(st.none(), st.text(max_size=6)),
            "default_runtime_version": st.one_of(st.none(), st.integers(1, 4)),
            "args_schema": st.one_of(
                st.none(), st.just({}), st.dictionaries(st.text(max_size=4), _value, max_size=3)
            ),
            "args_validation": st.one_of(st.none(), st.text(max_size=6)),
            "mutex_key": st.one_of(st.none(), st.text(max_size=6)),
            "state_key": st.one_of(st.none(), st.text(max_size=6)),
            "resources": st.one_of(st.none(), st.lists(_resource, max_size=3)),
        },
    ),
)


@settings(max_examples=200, deadline=None)
@given(_live_jobs)
def test_pulled_job_plans_to_no_changes(remote: dict[str, Any]) -> None:
    # pull writes the canonical client fields; a file drops null-valued keys (absent ≡ null)
    written = json.dumps({k: v for k, v in canonical_job(remote).items() if v is not None})
    plan = make_plan([local(json.loads(written))], [remote])
    assert [(a.kind, a.job_id) for a in plan.actions] == [(ActionKind.NOOP, remote["id"])]
    assert plan.actions[0].changes == []
