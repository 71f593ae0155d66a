"""Structure checks (SS1xx): shape choice, pydantic errors turned into located findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncspec.jobfile.shape import corevalidate, models, structure
from syncspec.jobfile.shape.models import LegacyJob, V4Job
from syncspec.jobfile.shape.structure import allowed_keys, check_structure, choose_shape
from syncspec.jobfile.validate import validate_paths


def problems(tmp_path: Path, text: str) -> list[tuple[str, int, int, str, str | None]]:
    (tmp_path / "job.yaml").write_text(text, encoding="utf-8")
    report = validate_paths([tmp_path / "job.yaml"], tmp_path)
    return [(p.rule, p.line, p.col, p.message, p.hint) for p in report.problems]


LEGACY = "label: a\ndefault_runtime_version: 2\nresources:\n  - resource: crm/contacts\n"


def test_unknown_key_suggests_the_closest_allowed_key(tmp_path: Path) -> None:
    text = LEGACY + "    method: list\n    persit: true\n"
    assert problems(tmp_path, text) == [
        ("SS101", 6, 5, "unknown key in resources[0]: `persit`", 'did you mean "persist"?')
    ]


def test_unknown_key_without_a_close_match_lists_the_allowed_keys(tmp_path: Path) -> None:
    text = LEGACY + "    method: list\n    zzz: 1\n"
    assert problems(tmp_path, text) == [
        (
            "SS101",
            6,
            5,
            "unknown key in resources[0]: `zzz`",
            "allowed keys: depends_on, id, loop_on, method, persist, query, resource",
        )
    ]


def test_unknown_top_level_key(tmp_path: Path) -> None:
    assert problems(tmp_path, "label: a\ndefault_runtime_version: 2\nmutexkey: x\n") == [
        ("SS101", 3, 1, "unknown key `mutexkey`", 'did you mean "mutex_key"?')
    ]


def test_wrong_type_of_a_union_is_one_finding(tmp_path: Path) -> None:
    text = LEGACY + "    method: list\n    id: [1, 2]\n"
    assert problems(tmp_path, text) == [
        ("SS102", 6, 9, "resources[0].id should be a string or an integer, not a list", None)
    ]


def test_strict_types_do_not_coerce(tmp_path: Path) -> None:
    text = LEGACY + "    method: list\n    persist: 1\n"
    assert problems(tmp_path, text) == [
        (
            "SS102",
            6,
            14,
            "resources[0].persist should be a boolean (true/false), not an integer",
            None,
        )
    ]


def test_missing_required_key_points_at_the_item(tmp_path: Path) -> None:
    assert problems(tmp_path, LEGACY) == [
        ("SS103", 4, 5, "resources[0] is missing the required key `method`", None)
    ]


def test_node_type_typo(tmp_path: Path) -> None:
    text = "label: a\ndefault_runtime_version: 4\nresources:\n  - name: x\n    type: spol\n"
    assert problems(tmp_path, text) == [
        ("SS104", 5, 11, "unknown node type `spol`", 'did you mean "spool"?')
    ]


def test_delete_tracking_enum(tmp_path: Path) -> None:
    data = {
        "label": "a",
        "default_runtime_version": 4,
        "resources": [
            {
                "name": "x",
                "type": "request",
                "resource": "crm/contacts",
                "method": "list",
                "integrated_account_id": "{{args.id}}",
                "delete_tracking": "sofft",
            }
        ],
    }
    [finding] = check_structure(data)
    assert finding.rule == "SS104"
    assert finding.path == ("resources", 0, "delete_tracking")
    assert finding.message == (
        "resources[0].delete_tracking is \"sofft\"; expected 'hard' or 'soft'"
    )
    assert finding.hint == 'did you mean "soft"?'


@pytest.mark.parametrize(
    ("version", "shape"), [(1, "legacy"), (2, "legacy"), (3, "legacy"), (4, "v4")]
)
def test_shape_follows_the_runtime_version(version: int, shape: str) -> None:
    chosen, findings, skip = choose_shape({"default_runtime_version": version, "resources": []})
    assert (chosen, findings, skip) == (shape, [], set())


def test_missing_runtime_version_infers_the_shape_and_warns() -> None:
    data = {"label": "a", "resources": [{"name": "n", "type": "spool"}]}
    chosen, findings, _ = choose_shape(data)
    assert chosen == "v4"
    assert [(f.rule, f.severity.value, f.path) for f in findings] == [("SS107", "warning", ())]
    assert check_structure(data) == findings


def test_mixed_shapes_without_version_flag_the_minority() -> None:
    data = {
        "label": "a",
        "resources": [
            {"resource": "a", "method": "list"},
            {"resource": "b", "method": "list"},
            {"name": "n", "type": "spool"},
        ],
    }
    findings = check_structure(data)
    assert [(f.rule, f.path) for f in findings] == [("SS107", ()), ("SS105", ("resources", 2))]
    assert findings[1].message == (
        "this resource is a V4 node; the others are legacy resources: one job uses one shape"
    )


def test_wrong_shape_items_get_only_the_mixed_shape_finding() -> None:
    data = {"label": "a", "default_runtime_version": 2, "resources": [{"name": "n", "type": "x"}]}
    assert [(f.rule, f.path) for f in check_structure(data)] == [("SS105", ("resources", 0))]


def test_yaml_language_server_comment_is_just_a_comment(tmp_path: Path) -> None:
    text = "# yaml-language-server: $schema=schemas/sync-job.schema.json\n" + LEGACY
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas/sync-job.schema.json").write_text("{}")  # SS017 checks it exists
    assert problems(tmp_path, text + "    method: list\n") == []


def test_allowed_keys_follow_union_tags() -> None:
    assert allowed_keys("v4", ("resources", 0, "event", "config")) == ["name"]
    assert "integrated_account_id" in allowed_keys("v4", ("resources", 0, "request"))
    assert allowed_keys("legacy", ("resources", 0)) == [
        "depends_on", "id", "loop_on", "method", "persist", "query", "resource"
    ]  # fmt: skip
    assert allowed_keys("v4", ("resources", 3, "request", "recurse")) == ["config", "if"]
    assert allowed_keys("v4", ("resources", 0, "nope")) == []
    assert allowed_keys("legacy", ()) == sorted(LegacyJob.model_fields)


def test_every_node_type_validates() -> None:
    nodes = [
        {"name": "r", "type": "request", "resource": "crm/contacts", "method": "list",
         "integrated_account_id": "{{args.a}}", "body": "$.x", "delete_tracking": "hard",
         "recurse": {"if": "$.next", "config": {"query": {}}}, "delete_tracking_query": {}},
        {"name": "t", "type": "transform", "config": {"expression": "$"}},
        {"name": "c", "type": "add_context", "config": {"expression": "{}"}},
        {"name": "s", "type": "spool", "debug": True, "run_if": "true"},
        {"name": "g", "type": "get_state", "config": {"key": "k", "default": 0}},
        {"name": "u", "type": "update_state", "config": {"key": "k", "value_expression": "$now()"}},
        {"name": "d", "type": "delete_state", "config": {"key": "k"}},
        {"name": "e", "type": "event", "config": {"name": "error"}},
        {"name": "w", "type": "destination", "destination_type": "datastore", "method": "upsert",
         "loop_on": "x", "config": {"id": "{{args.d}}", "config": {"table": "t"}},
         "resources_to_persist": ["r"]},
    ]  # fmt: skip
    job = V4Job.model_validate({"label": "a", "default_runtime_version": 4, "resources": nodes})
    assert [type(n).__name__ for n in job.resources] == [
        "RequestNode", "TransformNode", "AddContextNode", "SpoolNode", "GetStateNode",
        "UpdateStateNode", "DeleteStateNode", "EventNode", "DestinationNode",
    ]  # fmt: skip


def test_committed_core_schema_is_up_to_date() -> None:
    assert corevalidate.SCHEMA_FILE.read_text(encoding="utf-8") == corevalidate.schema_text(), (
        "syncspec/jobfile/shape/job_core_schema.json is stale: "
        "run `python -m syncspec.jobfile.shape.corevalidate`"
    )


CORPUS = [
    {"label": "x", "default_runtime_version": 2, "resources": [{"resource": "a", "method": "l"}]},
    {"label": 3, "resources": [{"resource": "a", "method": "list", "persist": "y", "id": [1]}]},
    {"label": "", "resources": {}, "mutex_key": 1, "args_schema": [], "extra": None},
    {
        "label": "x",
        "default_runtime_version": 4,
        "resources": [
            {"name": "a", "type": "request", "recurse": {"if": 1, "x": 2}, "body": 3},
            {"type": "nope"},
            {},
            3,
            {
                "name": "d",
                "type": "destination",
                "destination_type": "x",
                "config": {},
                "resources_to_persist": [],
            },
            {"name": "e", "type": "event", "config": {"name": "end"}},
        ],
    },
    [],
    "text",
]


@pytest.mark.parametrize("document", CORPUS)
@pytest.mark.parametrize("shape", ["legacy", "v4"])
def test_core_validator_reports_what_the_models_report(shape: str, document: object) -> None:
    from pydantic import ValidationError

    model = V4Job if shape == "v4" else LegacyJob
    try:
        model.model_validate(document)
        expected = []
    except ValidationError as exc:
        expected = exc.errors(include_url=False)

    def key(error: dict[str, object]) -> tuple[str, str, str]:
        kind = "dict_type" if error["type"] in ("model_type", "dict_type") else str(error["type"])
        return (kind, repr(error["loc"]), "" if kind == "dict_type" else str(error["msg"]))

    got = corevalidate.validation_errors(shape, document)  # type: ignore[arg-type]
    assert sorted(map(key, got)) == sorted(map(key, expected))


def test_structure_constants_match_the_models() -> None:
    assert structure._NODE_TYPES == models.NODE_TYPES
