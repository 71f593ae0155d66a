"""`syncspec validate`: the pipeline, the three output formats, exit codes, start-up imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncspec.cli import cli
from syncspec.jobfile.problems import Problem, Severity
from syncspec.jobfile.validate import ValidationReport, load_jobs, validate_paths
from syncspec.render.problems import render_github

ROOT = Path(__file__).resolve().parents[2]
GOOD = """\
label: good
integration_name: zendesk
default_runtime_version: 2
resources:
  - resource: ticketing/tickets
    method: list
"""
BAD = """\
label: bad
default_runtime_version: 2
resources:
  - resource: ticketing/tickets
    method: list
    depend_on: ticketing/users
"""
WARN = "label: warn\nresources: []\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "syncspec.toml").write_text('jobs_dir = "jobs"\n')
    jobs = tmp_path / "jobs"
    (jobs / "team").mkdir(parents=True)
    (jobs / "good.yaml").write_text(GOOD)
    (jobs / "team" / "bad.yml").write_text(BAD)
    (jobs / "notes.txt").write_text("not a job")
    # version-control metadata is never searched (hidden folders are: see test_discovery.py)
    (jobs / ".git").mkdir()
    (jobs / ".git" / "x.yaml").write_text(": : :")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SYNCSPEC_PROFILE", raising=False)
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["validate", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


BAD_LINE = (
    "jobs/team/bad.yml:6:5: SS101 unknown key in resources[0]: `depend_on` "
    '(did you mean "depends_on"?)'
)


def test_default_is_the_configured_jobs_dir(project: Path) -> None:
    assert run() == (1, f"{BAD_LINE}\n1 error, 0 warnings in 1 file (2 files checked)\n", "")


def test_clean_files_exit_0(project: Path) -> None:
    assert run("jobs/good.yaml") == (0, "1 file checked, no problems\n", "")


def test_this_repos_jobs_are_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out, _ = run()
    assert (code, out) == (
        0,
        f"{len(list((ROOT / 'jobs').glob('*.yaml')))} files checked, no problems\n",
    )


def test_warnings_fail_only_with_strict(project: Path) -> None:
    (project / "jobs" / "warn.yaml").write_text(WARN)
    line = (
        "jobs/warn.yaml:1:1: SS107 warning: default_runtime_version is not set: it will not be "
        "managed, and the resources are read as legacy resources (set default_runtime_version: 4 "
        "for V4 nodes, or 1-3 for legacy)\n"
    )
    summary = "0 errors, 1 warning in 1 file (1 file checked)\n"
    assert run("jobs/warn.yaml") == (0, line + summary, "")
    assert run("--strict", "jobs/warn.yaml") == (1, line + summary, "")


def test_json_format(project: Path) -> None:
    code, out, _ = run("--format", "json")
    assert code == 1
    assert json.loads(out) == {
        "format_version": 1,
        "files_checked": 2,
        "counts": {"error": 1, "warning": 0},
        "problems": [
            {
                "rule": "SS101",
                "severity": "error",
                "message": "unknown key in resources[0]: `depend_on`",
                "file": "jobs/team/bad.yml",
                "line": 6,
                "col": 5,
                "hint": 'did you mean "depends_on"?',
            }
        ],
    }


def test_github_format(project: Path) -> None:
    code, out, _ = run("--format", "github")
    assert code == 1
    assert out == (
        "::error file=jobs/team/bad.yml,line=6,col=5,title=SS101::unknown key in resources[0]: "
        '`depend_on` (did you mean "depends_on"?)\n'
        "1 error, 0 warnings in 1 file (2 files checked)\n"
    )


def test_github_escaping() -> None:
    problem = Problem("SS001", Severity.WARNING, "50% bad\r\nnext", "a:b,c.yaml", 2, 3, None)
    out = render_github(ValidationReport([problem], 1))
    assert out.splitlines()[0] == (
        "::warning file=a%3Ab%2Cc.yaml,line=2,col=3,title=SS001::50%25 bad%0D%0Anext"
    )


def test_problems_are_sorted_and_all_reported(project: Path) -> None:
    (project / "jobs" / "a.yaml").write_text("label: good\nresources: [\n")
    code, out, _ = run("jobs")
    assert code == 1
    assert out.splitlines() == [
        "jobs/a.yaml:2:13: SS001 YAML syntax error: while parsing a flow node: did not find "
        "expected node content",
        BAD_LINE,
        "2 errors, 0 warnings in 2 files (3 files checked)",
    ]


def test_duplicate_labels_across_files(project: Path) -> None:
    (project / "jobs" / "again.yaml").write_text(GOOD)
    code, out, _ = run("jobs/good.yaml", "jobs/again.yaml")
    assert code == 1
    assert out.splitlines()[:2] == [
        'jobs/again.yaml:1:8: SS601 label "good" is also used by jobs/good.yaml (labels identify '
        "jobs: make each unique)",
        'jobs/good.yaml:1:8: SS601 label "good" is also used by jobs/again.yaml (labels identify '
        "jobs: make each unique)",
    ]


def test_invalid_options_exit_3(project: Path) -> None:
    code, _, err = run("--format", "xml")
    assert code == 3
    assert "Invalid value for '--format'" in err
    assert run("does-not-exist.yaml")[0] == 3


def test_missing_jobs_dir_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "syncspec.toml").write_text('jobs_dir = "nope"\n')
    code, out, err = run()
    assert (code, out) == (3, "")
    assert err == (
        f"error: jobs directory {tmp_path / 'nope'} does not exist (set jobs_dir in syncspec.toml, "
        "or pass files or directories to validate)\n"
    )


def test_validate_needs_no_token(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRUTO_API_TOKEN", raising=False)
    assert run("jobs/good.yaml")[0] == 0


def test_load_jobs_returns_only_files_without_errors(project: Path) -> None:
    (project / "jobs" / "warn.yaml").write_text("# a comment\n\n" + WARN)
    jobs, problems = load_jobs([project / "jobs"], project)
    assert [(j.display, j.label, j.line) for j in jobs] == [
        ("jobs/good.yaml", "good", 1),
        ("jobs/warn.yaml", "warn", 3),
    ]
    assert jobs[0].path == (project / "jobs" / "good.yaml").resolve()
    assert jobs[0].data["resources"] == [{"resource": "ticketing/tickets", "method": "list"}]
    assert [(p.file, p.rule) for p in problems] == [
        ("jobs/team/bad.yml", "SS101"),
        ("jobs/warn.yaml", "SS107"),
    ]


def test_validate_does_not_import_heavy_or_network_modules() -> None:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "syncspec", "validate", "jobs/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    imported = {
        line.split("|")[-1].strip()
        for line in proc.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "syncspec.jobfile.validate" in imported  # the measurement works
    for heavy in ("httpx", "deepdiff", "rich", "syncspec.emulator", "syncspec.api"):
        assert not {m for m in imported if m == heavy or m.startswith(heavy + ".")}, heavy


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_crash(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "fuzz.yaml").write_bytes(data)
    report = validate_paths([tmp_path / "fuzz.yaml"], tmp_path)
    assert report.files_checked == 1
    assert all(p.line >= 1 and p.col >= 1 for p in report.problems)


_TOKENS = [*"abc:-{}[]&*!|>'\"#? \n\t,.%@`~0123456789", "label", "{{", "}}", "resources", "  "]
YAMLISH = st.lists(st.sampled_from(_TOKENS), max_size=80).map("".join)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(YAMLISH)
def test_arbitrary_yamlish_text_exits_0_or_1(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path)], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output + result.stderr


job_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10) | st.just("{{args.x}}"),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.dictionaries(
        st.sampled_from(
            ["label", "id", "integration_name", "default_runtime_version", "args_schema",
             "args_validation", "mutex_key", "state_key", "resources", "extra"]
        ),
        job_values,
    ),
    st.lists(
        st.dictionaries(
            st.sampled_from(
                ["name", "type", "resource", "method", "depends_on", "config", "query", "loop_on",
                 "integrated_account_id", "resources_to_persist", "destination_type", "persist"]
            ),
            job_values | st.sampled_from(["request", "event", "destination", "spool", "get_state"]),
        ),
        max_size=4,
    ),
)  # fmt: skip
def test_arbitrary_job_shaped_documents_never_crash(
    tmp_path: Path, top: dict[str, object], resources: list[dict[str, object]]
) -> None:
    document = {**top, "resources": resources}
    path = tmp_path / "fuzz.yaml"
    path.write_text(json.dumps(document), encoding="utf-8")  # JSON is YAML
    report = validate_paths([path], tmp_path)
    assert report.files_checked == 1


@pytest.mark.skipif(sys.platform != "linux", reason="worker processes are forked on Linux only")
def test_worker_processes_give_the_same_result_as_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from syncspec.jobfile import validate

    # every example twice (valid and each rule's invalid ones; labels repeat across files) and
    # the repo's jobs, so that chunks mix files with and without problems
    for copy in ("a", "b"):
        shutil.copytree(ROOT / "tests" / "examples", tmp_path / copy / "examples")
    shutil.copytree(ROOT / "jobs", tmp_path / "jobs")
    paths = [tmp_path / "a", tmp_path / "b", tmp_path / "jobs"]

    monkeypatch.setattr(validate, "_worker_count", lambda files: 0)
    serial = (validate_paths(paths, tmp_path), load_jobs(paths, tmp_path))
    monkeypatch.setattr(validate, "_worker_count", lambda files: 2)
    parallel = (validate_paths(paths, tmp_path), load_jobs(paths, tmp_path))

    assert serial[0].files_checked > 100
    assert serial[0].errors > 0 and serial[1][0]  # problems and jobs both compared
    assert parallel == serial


def test_few_files_are_checked_in_this_process() -> None:
    from syncspec.jobfile.validate import PARALLEL_MIN_FILES, _worker_count

    assert _worker_count(1) == 0
    assert _worker_count(PARALLEL_MIN_FILES - 1) == 0
    assert _worker_count(PARALLEL_MIN_FILES - 1, free=8) == 0


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked on Linux only")
def test_workers_only_on_free_cpus() -> None:
    from syncspec.jobfile.validate import PARALLEL_MIN_FILES, _worker_count

    many = PARALLEL_MIN_FILES * 10
    assert _worker_count(many, free=0.4) == 0  # a busy machine: one process
    assert _worker_count(many, free=1.3) == 0  # one free CPU: workers would only add work
    assert _worker_count(many, free=1.6) == 2
    assert _worker_count(many, free=4.0) == 4
    assert _worker_count(PARALLEL_MIN_FILES, free=4.0) == 2  # at least 1,000 files a worker


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked on Linux only")
def test_loading_many_jobs_stays_in_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from syncspec.jobfile import validate

    monkeypatch.setattr(validate, "_worker_count", lambda files, free=None: 2)
    monkeypatch.setattr(validate, "PLAN_PARALLEL_MAX_FILES", 3)
    for i in range(4):
        (tmp_path / f"j{i}.yaml").write_text(f"label: j{i}\n", encoding="utf-8")
    with validate.start_load_jobs([tmp_path], tmp_path) as loading:
        assert loading._checking._executor is None  # over the bound: no workers
    monkeypatch.setattr(validate, "PLAN_PARALLEL_MAX_FILES", 4)
    with validate.start_load_jobs([tmp_path], tmp_path) as loading:
        assert loading._checking._executor is not None
        loading.result()


def _two_with_one_label(root: Path) -> Path:
    jobs = root / "jobs"
    for folder in ("a", "b"):
        (jobs / folder).mkdir(parents=True)
        (jobs / folder / "job.yaml").write_text(
            "label: same\nintegration_name: zendesk\ndefault_runtime_version: 2\n"
            "resources:\n  - resource: ticketing/tickets\n    method: list\n",
            encoding="utf-8",
        )
    return jobs


def test_the_project_context_is_the_same_when_it_is_the_folder_checked(tmp_path: Path) -> None:
    """`validate jobs` with the jobs dir as context (issue 26: not searched twice) reports
    exactly what it reports without it."""
    jobs = _two_with_one_label(tmp_path)
    alone = validate_paths([jobs], tmp_path)
    with_context = validate_paths([jobs], tmp_path, context=[jobs])
    assert with_context.problems == alone.problems
    assert [(p.file, p.rule) for p in alone.problems] == [
        ("jobs/a/job.yaml", "SS601"),
        ("jobs/b/job.yaml", "SS601"),
    ]


def test_the_project_context_still_counts_other_folders(tmp_path: Path) -> None:
    jobs = _two_with_one_label(tmp_path)
    report = validate_paths([jobs / "a"], tmp_path, context=[jobs])
    assert [(p.file, p.rule) for p in report.problems] == [("jobs/a/job.yaml", "SS601")]
    assert validate_paths([jobs / "a"], tmp_path).problems == []


def test_the_jobs_dir_is_searched_once_when_it_is_the_folder_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`validate jobs` (the context is the folder checked): one walk of jobs/, not two."""
    from syncspec.jobfile import validate as pipeline

    jobs = _two_with_one_label(tmp_path)
    walks: list[tuple[Path, ...]] = []
    real = pipeline.discover_job_files

    def counted(paths: list[Path], root: Path) -> object:
        walks.append(tuple(paths))
        return real(paths, root)

    monkeypatch.setattr(pipeline, "discover_job_files", counted)
    validate_paths([jobs], tmp_path, context=[jobs])
    assert walks == [(jobs,)]
    walks.clear()
    validate_paths([jobs / "a"], tmp_path, context=[jobs])
    assert walks == [(jobs / "a",), (jobs,)]


def test_a_folder_that_holds_the_jobs_dir_does_not_stand_for_the_context(tmp_path: Path) -> None:
    """`validate . jobs`: the walk of `.` reaches jobs/ one level deeper, so a job at the depth
    bound below jobs/ is left out of it ("skipped"); the context's own walk of jobs/ still
    reads it, and its label still clashes."""
    from syncspec.jobfile.discovery import MAX_DEPTH

    deep = tmp_path / "jobs"
    for level in range(MAX_DEPTH):
        deep = deep / f"d{level}"
    deep.mkdir(parents=True)
    job = "label: same\nintegration_name: zendesk\ndefault_runtime_version: 2\n"
    (deep / "x.yaml").write_text(job, encoding="utf-8")
    (tmp_path / "other.yaml").write_text(job, encoding="utf-8")
    jobs = tmp_path / "jobs"
    report = validate_paths([tmp_path, jobs], tmp_path, context=[jobs])
    assert ("other.yaml", "SS601") in [(p.file, p.rule) for p in report.problems]
