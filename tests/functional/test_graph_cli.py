"""`syncspec graph LABEL|FILE` in-process (offline: no token, no server)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from syncspec.cli import cli

REPO = Path(__file__).resolve().parents[2]


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("TRUTO_API_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "syncspec.toml").write_text('jobs_dir = "jobs"\n')
    (tmp_path / "jobs").mkdir()
    for name in ("jira-issues-datastore.yaml", "zendesk-tickets.yaml"):
        (tmp_path / "jobs" / name).write_bytes((REPO / "jobs" / name).read_bytes())
    return tmp_path


def test_graph_of_a_v4_file_as_mermaid(project: Path) -> None:
    result = run("graph", "jobs/jira-issues-datastore.yaml")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "flowchart TD\n"
        '  n0["projects<br/>request: ticketing/workspaces list"]:::t_request\n'
        '  n1["issues<br/>request: ticketing/tickets list"]:::t_request\n'
        '  n2[/"slim-issues<br/>transform"/]:::t_transform\n'
        '  n3{{"to-datastore<br/>destination: datastore"}}:::t_destination\n'
        "  n0 --> n1\n"
        "  n1 --> n2\n"
        "  n2 --> n3\n"
        "  n0 -.-> n3\n"
        "  n2 -.-> n3\n"
        "  classDef t_destination fill:#dafbe1,stroke:#1a7f37,color:#1f2328\n"
        "  classDef t_request fill:#ddf4ff,stroke:#0969da,color:#1f2328\n"
        "  classDef t_transform fill:#fbefff,stroke:#8250df,color:#1f2328\n"
    )


def test_graph_of_a_v4_job_by_label_as_dot(project: Path) -> None:
    result = run("graph", "jira-issues-to-datastore", "--format", "dot")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        'digraph "jira-issues-to-datastore" {\n'
        "  rankdir=TB;\n"
        '  node [fontname="Helvetica", fontsize=11];\n'
        '  n0 [label="projects\\nrequest: ticketing/workspaces list", shape=box];\n'
        '  n1 [label="issues\\nrequest: ticketing/tickets list", shape=box];\n'
        '  n2 [label="slim-issues\\ntransform", shape=parallelogram];\n'
        '  n3 [label="to-datastore\\ndestination: datastore", shape=hexagon];\n'
        "  n0 -> n1;\n"
        "  n1 -> n2;\n"
        "  n2 -> n3;\n"
        '  n0 -> n3 [style=dashed, label="persists"];\n'
        '  n2 -> n3 [style=dashed, label="persists"];\n'
        "}\n"
    )


def test_graph_of_a_legacy_job_by_label(project: Path) -> None:
    mermaid = run("graph", "zendesk-tickets")
    assert mermaid.exit_code == 0, mermaid.output
    assert mermaid.stdout.splitlines()[1:5] == [
        '  n0["ticketing/users<br/>list"]:::t_legacy',
        '  n1["ticketing/tickets<br/>list"]:::t_legacy',
        '  n2["ticketing/comments<br/>list"]:::t_legacy',
        "  n1 --> n2",
    ]
    dot = run("graph", "zendesk-tickets", "--format", "dot")
    assert "  n1 -> n2;\n}\n" in dot.stdout


def test_graph_of_an_unknown_label_or_a_broken_file(project: Path) -> None:
    result = run("graph", "nope")
    assert result.exit_code == 3
    assert result.stderr == (
        f"error: nope: neither a file nor the label of a job file under {project / 'jobs'}\n"
    )
    (project / "broken.yaml").write_text("label: [unclosed\n")
    broken = run("graph", "broken.yaml")
    assert broken.exit_code == 3
    assert broken.stderr.startswith("error: broken.yaml:")
