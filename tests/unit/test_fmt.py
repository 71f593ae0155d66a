"""issue 24: `syncspec fmt`: one canonical layout, idempotent, comments and data kept."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from syncspec.cli import cli
from syncspec.jobfile.fmt import TOP_LEVEL_ORDER, FormatError, _parse, format_text
from tests.unit.test_pull_engine import _job

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_JOBS = [
    *sorted((ROOT / "jobs").glob("*.yaml")),
    ROOT / "syncspec/templates/init/example-job.yaml",
]


@pytest.mark.parametrize("path", EXAMPLE_JOBS, ids=lambda p: p.name)
def test_every_example_job_is_fmt_clean(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert format_text(text, path.name) == text


def test_top_level_keys_are_written_in_the_apis_order() -> None:
    shuffled = "resources: []\nmutex_key: m\nid: j1\nintegration_name: zendesk\nlabel: a\n"
    keys = [line.split(":")[0] for line in format_text(shuffled, "a.yaml").splitlines()]
    assert keys == ["label", "id", "integration_name", "mutex_key", "resources"]
    assert keys == [k for k in TOP_LEVEL_ORDER if k in keys]


MESSY = (
    "# my job\r\n"
    "resources:   # the nodes\r\n"
    "    -   method: list\r\n"
    "        resource: 'ticketing/tickets'   # single quotes\r\n"
    "        query: {a: \"{{args.x}}\", b: 'it''s', c: 'say \"hi\"', d: {e: [1, 2, 3]}, "
    "long: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'}\r\n"
    "label: 'x'\r\n"
    "default_runtime_version: 2\r\n"
    "integration_name: zendesk\r\n"
    "args_schema:\r\n"
    "    x: {type: string}\r\n"
)
TIDY = (
    "# my job\r\n"
    'label: "x"\r\n'
    "integration_name: zendesk\r\n"
    "default_runtime_version: 2\r\n"
    "args_schema:\r\n"
    "  x: {type: string}\r\n"
    "resources:   # the nodes\r\n"
    '  - resource: "ticketing/tickets"       # single quotes\r\n'  # the comment's column
    "    method: list\r\n"
    "    query:\r\n"
    '      a: "{{args.x}}"\r\n'
    '      b: "it\'s"\r\n'
    "      c: 'say \"hi\"'\r\n"
    "      d:\r\n"
    "        e:\r\n"
    "          - 1\r\n"
    "          - 2\r\n"
    "          - 3\r\n"
    '      long: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"\r\n'
)


def test_the_layout() -> None:
    """Key order, quoting, indentation, a too-long flow mapping made block; comments and CRLF."""
    assert format_text(MESSY, "m.yaml") == TIDY
    assert format_text(TIDY, "m.yaml") == TIDY


def test_a_file_that_does_not_load_is_reported_not_touched() -> None:
    with pytest.raises(FormatError) as caught:
        format_text("label: [x\n", "bad.yaml")
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.rule) == ("bad.yaml", 1, "SS001")


# -- property: any job, written in any style, formats idempotently and keeps data and comments

_STYLES = st.sampled_from(["plain", "single", "double"])


def _styled(value: Any, draw: Any, comments: list[str]) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

    if isinstance(value, dict):
        node = CommentedMap()
        for key, child in value.items():
            node[key] = _styled(child, draw, comments)
            if draw(st.booleans()) and not isinstance(node[key], dict | list):
                comment = f"c{len(comments)} {draw(st.sampled_from(['note', 'x: y', '#']))}"
                comments.append(comment)
                node.yaml_add_eol_comment(f"# {comment}", key)
        if draw(st.integers(0, 3)) == 0:
            node.fa.set_flow_style()
        return node
    if isinstance(value, list):
        seq = CommentedSeq(_styled(child, draw, comments) for child in value)
        if draw(st.integers(0, 3)) == 0:
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, str) and "\n" not in value:
        style = draw(_STYLES)
        if style == "single":
            return SingleQuotedScalarString(value)
        if style == "double":
            return DoubleQuotedScalarString(value)
    return value


@settings(max_examples=80)
@given(job=_job, data=st.data())
def test_fmt_is_idempotent_and_keeps_data_and_comments(job: dict[str, Any], data: Any) -> None:
    from ruamel.yaml import YAML

    comments: list[str] = []
    styled = _styled(job, data.draw, comments)
    yaml = YAML(typ="rt")
    yaml.width = 4096
    mapping = data.draw(st.sampled_from([2, 3, 4]))
    offset = data.draw(st.sampled_from([0, 2]))
    yaml.indent(mapping=mapping, sequence=offset + 2, offset=offset)
    buf = io.StringIO()
    yaml.dump(styled, buf)
    text = buf.getvalue()
    original = _parse(text, "t.yaml")
    assume(original.data is not None)  # ruamel can write what the strict loader refuses
    once = format_text(text, "t.yaml")
    assert format_text(once, "t.yaml") == once
    assert _parse(once, "t.yaml").data == original.data
    for comment in comments:
        assert re.search(rf"# {re.escape(comment)}$", once, re.M), (comment, once)


def test_fmt_cli_check_and_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "syncspec.toml").write_text('jobs_dir = "jobs"\n')
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs/m.yaml").write_bytes(MESSY.encode())
    (tmp_path / "jobs/t.yaml").write_bytes(TIDY.encode())
    runner = CliRunner()
    check = runner.invoke(cli, ["fmt", "--check"], catch_exceptions=False)
    assert check.exit_code == 1
    assert check.stdout == (
        "would reformat jobs/m.yaml\n1 file(s) would be reformatted, 1 already formatted.\n"
    )
    assert (tmp_path / "jobs/m.yaml").read_bytes() == MESSY.encode()
    write = runner.invoke(cli, ["fmt"], catch_exceptions=False)
    assert write.exit_code == 0
    assert write.stdout == "reformatted jobs/m.yaml\n1 file(s) reformatted, 1 already formatted.\n"
    assert (tmp_path / "jobs/m.yaml").read_bytes() == TIDY.encode()
    assert runner.invoke(cli, ["fmt", "--check"], catch_exceptions=False).exit_code == 0
