"""issue 24: pull's merge of a live job into the team's file, for any reordering, removal and
addition of nodes: the file reads back as the live job, each kept node keeps the comment written
above it (directly above it), its end-of-line comments and its key order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from syncspec.engine.pull_yaml import updated_file_text
from syncspec.jobfile.yaml.loader import parse_text
from tests.functional.test_pull_keeps_files import TEAM_FILE, WEBHOOK

NODES: list[dict[str, Any]] = (parse_text(TEAM_FILE, "t").data or {})["resources"]
EXTRA = [
    WEBHOOK,
    {"name": "spool", "type": "spool", "depends_on": "tickets"},
    {"name": "tidy", "type": "transform", "config": {"expression": "$"}},
]
ABOVE = {  # node name -> the comment line right above it in TEAM_FILE
    "cursor": "  # where the cursor lives",
    "tickets": "  # every ticket changed since the cursor",
    "comments": "  # the comments of each ticket",
    "done": "  # fires when the run completes",
    "save": "  # moves the cursor",
}


def _live(resources: list[dict[str, Any]]) -> dict[str, Any]:
    data = parse_text(TEAM_FILE, "t").data
    assert data is not None
    return {**data, "id": "job-1", "resources": resources}


def _name_line(lines: list[str], name: str) -> int:
    """The first line of node ``name`` (``tickets`` starts with its type: the team's order)."""
    for i, line in enumerate(lines):
        if line == f"  - name: {name}":
            return i
        if line.startswith("  - type: ") and lines[i + 1] == f"    name: {name}":
            return i
    raise AssertionError(f"node {name} not found")


@settings(max_examples=50)
@given(
    kept=st.lists(st.sampled_from(NODES), unique_by=lambda n: n["name"]),
    added=st.lists(st.sampled_from(EXTRA), unique_by=lambda n: n["name"]),
    data=st.data(),
)
def test_any_reordering_keeps_each_nodes_comments(
    tmp_path_factory: Any, kept: list[dict[str, Any]], added: list[dict[str, Any]], data: Any
) -> None:
    resources = data.draw(st.permutations([*kept, *added]))
    path: Path = tmp_path_factory.mktemp("merge") / "job.yaml"
    path.write_text(TEAM_FILE)
    live = _live(list(resources))
    before, after = updated_file_text(path, live, pin=False)
    assert before == TEAM_FILE
    text = TEAM_FILE if after is None else after
    assert parse_text(text, "t").data == {k: v for k, v in live.items() if k != "id"}
    lines = text.splitlines()
    for node in resources:
        if node["name"] in ABOVE:
            at = _name_line(lines, node["name"])
            assert lines[at - 1] == ABOVE[node["name"]], (node["name"], text)
    for name, comment in ABOVE.items():
        assert (comment in lines) == any(n["name"] == name for n in resources), text
    assert "# Owned by the data team: ask in #data before changing." in lines
    if any(n["name"] == "cursor" for n in resources):
        assert '    config: {key: last, default: "1970-01-01"}   # epoch on the first run' in lines
    if any(n["name"] == "tickets" for n in resources):
        assert "  - type: request          # type first: the team's order" in lines
