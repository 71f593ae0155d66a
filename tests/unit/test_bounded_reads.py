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


@pytest.mark.parametrize(
    "size", [0, 1, 300, limits.MAX_BYTES - 1, limits.MAX_BYTES, limits.MAX_BYTES + 1, HUGE]
)
def test_read_bounded_reads_the_file_up_to_one_byte_past_the_bound(
    tmp_path: Path, size: int
) -> None:
    path = tmp_path / "f.yaml"
    content = bytes(i % 251 for i in range(size))
    path.write_bytes(content)
    with path.open("rb") as fh:
        raw = limits.read_bounded(fh)
    assert raw == content[: limits.MAX_BYTES + 1]


def test_read_bounded_allocates_the_file_not_the_bound(tmp_path: Path) -> None:
    """``read(MAX_BYTES + 1)`` allocates a mebibyte for every few-KiB file (issue 26: the
    allocator maps and unmaps it per file); the bounded read allocates about the file."""
    import tracemalloc

    path = tmp_path / "small.yaml"
    path.write_bytes(b"label: a\n" * 30)
    with path.open("rb") as fh:
        tracemalloc.start()
        try:
            raw = limits.read_bounded(fh)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert len(raw) == 270
    assert peak < 64 * 1024, peak


def test_read_bounded_reads_on_where_the_size_is_not_known() -> None:
    """A pipe reports size 0: reading goes on to the end, still up to the bound."""
    import os

    content = b"label: piped\n" * 1000  # 13 KB: fits the pipe's buffer, no writer thread
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "wb") as out:
        out.write(content)
    with os.fdopen(read_end, "rb") as fh:
        assert os.fstat(fh.fileno()).st_size == 0
        raw = limits.read_bounded(fh)
    assert raw == content


def test_read_bounded_reads_on_when_the_file_grew_after_its_size_was_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    from types import SimpleNamespace

    path = tmp_path / "grows.yaml"
    path.write_bytes(b"#" * HUGE)
    stale = SimpleNamespace(st_size=5)  # what fstat said before the file grew
    monkeypatch.setattr(os, "fstat", lambda fd: stale)
    with path.open("rb") as fh:
        raw = limits.read_bounded(fh)
    assert len(raw) == limits.MAX_BYTES + 1
    assert loader.read_path(path, "grows.yaml").problems[0].rule == "SS011"
