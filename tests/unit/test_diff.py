from __future__ import annotations

import subprocess
import sys
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from syncspec.engine.diff import diff_jobs, pointer, pointer_tokens
from syncspec.engine.model import FieldChange
from syncspec.engine.normalize import canonical_job, stable_json


def _diff(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (c.kind, c.pointer, c.old, c.new, c.from_pointer)
        for c in diff_jobs(canonical_job(old), canonical_job(new))
    ]


def test_pointer_escaping_round_trips() -> None:
    assert pointer("resources", 0, "query", "a/b") == "/resources/0/query/a~1b"
    assert pointer("x", "~1") == "/x/~01"
    assert pointer_tokens("/resources/0/query/a~1b") == ["resources", "0", "query", "a/b"]
    assert pointer_tokens("/x/~01") == ["x", "~1"]
    assert pointer_tokens("") == []


def test_equal_jobs_have_no_changes() -> None:
    job = {"label": "j", "resources": [{"name": "a"}]}
    assert diff_jobs(canonical_job(job), canonical_job(dict(job))) == []


def test_scalar_fields_changed_added_removed() -> None:
    assert _diff({"label": "j", "mutex_key": "a"}, {"label": "k", "state_key": "s"}) == [
        ("changed", "/label", "j", "k", None),
        ("changed", "/mutex_key", "a", None, None),
        ("changed", "/state_key", None, "s", None),
    ]


def test_nested_change_uses_escaped_pointer() -> None:
    old = {"label": "j", "resources": [{"resource": "r", "method": "list", "query": {"a/b": "1"}}]}
    new = {"label": "j", "resources": [{"resource": "r", "method": "list", "query": {"a/b": "2"}}]}
    assert _diff(old, new) == [("changed", "/resources/0/query/a~1b", "1", "2", None)]


def test_nested_key_added_and_removed_inside_an_item() -> None:
    old = {"label": "j", "resources": [{"name": "a", "debug": True, "query": {"x": 1, "y": 2}}]}
    new = {"label": "j", "resources": [{"name": "a", "run_if": "c", "query": {"x": 1, "y": 2}}]}
    assert _diff(old, new) == [
        ("removed", "/resources/0/debug", True, None, None),
        ("added", "/resources/0/run_if", None, "c", None),
    ]


def test_args_schema_property_change() -> None:
    old = {"label": "j", "args_schema": {"a": {"type": "string", "required": True}}}
    new = {"label": "j", "args_schema": {"a": {"type": "string", "required": False}}}
    assert _diff(old, new) == [("changed", "/args_schema/a/required", True, False, None)]


def test_args_schema_from_null_is_one_whole_change() -> None:
    new = {"label": "j", "args_schema": {"a": {"type": "string"}}}
    assert _diff({"label": "j"}, new) == [
        ("changed", "/args_schema", None, {"a": {"type": "string"}}, None)
    ]


def test_swapped_resources_are_one_move_not_a_cascade() -> None:
    a = {"resource": "ticketing/users", "method": "list"}
    b = {"resource": "ticketing/tickets", "method": "list"}
    c = {"resource": "ticketing/comments", "method": "list", "depends_on": "ticketing/tickets"}
    assert _diff(
        {"label": "j", "resources": [a, b, c]}, {"label": "j", "resources": [b, a, c]}
    ) == [
        # a swap is one move: users went from 0 to 1 (tickets merely shifted)
        ("moved", "/resources/1", None, None, "/resources/0"),
    ]


def test_moved_item_with_its_own_change_and_insertion_shift_is_not_a_move() -> None:
    old = {
        "label": "j",
        "resources": [
            {"name": "a", "type": "request", "query": {"q": 1}},
            {"name": "b"},
            {"name": "c"},
            {"name": "d"},
        ],
    }
    new = {
        "label": "j",
        "resources": [
            {"name": "z"},
            {"name": "b"},
            {"name": "c"},
            {"name": "a", "type": "request", "query": {"q": 2}},
        ],
    }
    assert _diff(old, new) == [
        ("removed", "/resources/3", {"name": "d"}, None, None),
        ("added", "/resources/0", None, {"name": "z"}, None),
        ("moved", "/resources/3", None, None, "/resources/0"),
        ("changed", "/resources/3/query/q", 1, 2, None),
    ]


def test_insert_at_front_reports_only_the_addition() -> None:
    items = [{"name": n} for n in "abc"]
    old = {"label": "j", "resources": items}
    new = {"label": "j", "resources": [{"name": "new"}, *items]}
    assert _diff(old, new) == [("added", "/resources/0", None, {"name": "new"}, None)]


def test_renamed_node_in_place_is_a_changed_name() -> None:
    old = {"label": "j", "resources": [{"name": "a", "type": "spool"}]}
    new = {"label": "j", "resources": [{"name": "b", "type": "spool"}]}
    assert _diff(old, new) == [("changed", "/resources/0/name", "a", "b", None)]


def test_duplicate_identities_pair_in_order() -> None:
    x1 = {"resource": "r", "method": "list", "query": {"p": 1}}
    x2 = {"resource": "r", "method": "list", "query": {"p": 2}}
    assert _diff({"label": "j", "resources": [x1, x2]}, {"label": "j", "resources": [x1, x2]}) == []
    x3 = {"resource": "r", "method": "list", "query": {"p": 3}}
    assert _diff({"label": "j", "resources": [x1, x2]}, {"label": "j", "resources": [x1, x3]}) == [
        ("changed", "/resources/1/query/p", 2, 3, None)
    ]


def test_resources_not_a_list_compared_whole() -> None:
    assert _diff(
        {"label": "j", "resources": "oops"}, {"label": "j", "resources": [{"name": "a"}]}
    ) == [("changed", "/resources", "oops", [{"name": "a"}], None)]


def test_runtime_version_missing_on_one_side_compares_with_null() -> None:
    assert _diff({"label": "j"}, {"label": "j", "default_runtime_version": 4}) == [
        ("changed", "/default_runtime_version", None, 4, None)
    ]


def test_bool_vs_int_is_a_change() -> None:
    old = {"label": "j", "resources": [{"name": "a", "debug": 1}]}
    new = {"label": "j", "resources": [{"name": "a", "debug": True}]}
    assert _diff(old, new) == [("changed", "/resources/0/debug", 1, True, None)]


def test_output_is_sorted_by_field_order() -> None:
    old = {"label": "a", "resources": [{"name": "x"}], "mutex_key": "m", "integration_name": "i"}
    new = {"label": "b", "resources": [{"name": "y"}], "mutex_key": "n", "integration_name": "k"}
    assert [c.pointer for c in diff_jobs(canonical_job(old), canonical_job(new))] == [
        "/label",
        "/integration_name",
        "/mutex_key",
        "/resources/0/name",
    ]


_items = st.lists(st.sampled_from("abcdefg"), unique=True, max_size=7).map(
    lambda names: [{"name": n, "type": "spool"} for n in names]
)


@settings(max_examples=200, deadline=None)
@given(_items, _items)
def test_resource_diff_is_deterministic_and_complete(old: list[Any], new: list[Any]) -> None:
    a = canonical_job({"label": "j", "resources": old})
    b = canonical_job({"label": "j", "resources": new})
    changes = diff_jobs(a, b)
    assert changes == diff_jobs(a, b)
    assert (changes == []) == (stable_json(a) == stable_json(b))
    kept = {n["name"] for n in old} & {n["name"] for n in new}
    removed = [c for c in changes if c.kind == "removed"]
    added = [c for c in changes if c.kind == "added"]
    renamed = [c for c in changes if c.pointer.endswith("/name")]
    # every item is accounted for exactly once: kept (paired by name), renamed in place,
    # removed, or added
    assert len(removed) + len(renamed) == len(old) - len(kept)
    assert len(added) + len(renamed) == len(new) - len(kept)
    assert all(isinstance(c, FieldChange) for c in changes)


def test_importing_normalize_does_not_import_deepdiff() -> None:
    code = (
        "import sys, syncspec.engine.normalize, syncspec.engine.diff; "
        "print('deepdiff' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
