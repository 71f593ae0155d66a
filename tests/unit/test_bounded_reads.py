"""Every reader of job and case files reads at most the size bound (issue 11: a huge file is
refused with SS011, never read whole): validate, pull's scan of jobs/, and `syncspec test`."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncspec.config import load_settings
from syncspec.engine.project import scan_job_files
from syncspec.jobfile.yaml import limits, loader
from syncspec.nodetest.casefile import load_case_file

HUGE = limits.MAX_BYTES + 10


@pytest.fixture(autouse=True)
def no_whole_file_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """``Path.read_bytes`` reads a file whole, however large: the readers must not use it."""

    def whole(self: Path) -> bytes:
        raise AssertionError(f"{self} was read whole")

    monkeypatch.setattr(Path, "read_bytes", whole)


def _huge(path: Path) -> Path:
    path.write_bytes(b"label: x\n" + b"#" * HUGE)
    return path


def test_read_path_refuses_a_file_over_the_bound(tmp_path: Path) -> None:
    parsed = loader.read_path(_huge(tmp_path / "big.yaml"), "big.yaml")
    assert parsed.data is None
    assert [(p.rule, p.message) for p in parsed.problems] == [
        ("SS011", f"file is {HUGE + 9:,} bytes; the limit is {limits.MAX_BYTES:,} bytes")
    ]


def test_read_path_names_an_unreadable_file(tmp_path: Path) -> None:
    parsed = loader.read_path(tmp_path / "missing.yaml", "missing.yaml")
    assert parsed.data is None and parsed.problems[0].file == "missing.yaml"


def test_pulls_scan_of_jobs_refuses_a_huge_file(tmp_path: Path) -> None:
    (tmp_path / "syncspec.toml").write_text('jobs_dir = "jobs"\n')
    (tmp_path / "jobs").mkdir()
    _huge(tmp_path / "jobs" / "big.yaml")
    (tmp_path / "jobs" / "ok.yaml").write_text("label: ok\nintegration_name: zendesk\n")
    jobs, problems, skipped = scan_job_files(load_settings(cwd=tmp_path))
    assert [j.label for j in jobs] == ["ok"]
    assert [(p.file, p.rule) for p in problems] == [("jobs/big.yaml", "SS011")]
    assert skipped == []


def test_a_huge_case_file_is_a_problem(tmp_path: Path) -> None:
    case_file, problems = load_case_file(_huge(tmp_path / "cases.yaml"), "cases.yaml")
    assert case_file is None
    assert [p.rule for p in problems] == ["SS011"]
