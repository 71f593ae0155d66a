"""`syncspec pull` against the emulator: import, then plan shows no changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from syncspec.jobfile.vars import resolve_plain
from syncspec.jobfile.yaml.loader import parse_text
from tests.conftest import EmulatorHandle
from tests.functional.test_plan_apply import (
    EXAMPLE_VALUES,
    EXAMPLES,
    job,
    make_project,
    run,
    writes,
)
from tests.unit.test_pull_engine import _job as job_strategy

N = len(EXAMPLES)


@pytest.fixture
def empty_project(
    tmp_path: Path, emulator_env: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> Path:
    monkeypatch.chdir(tmp_path)
    return make_project(tmp_path, examples=False)


def _seed_examples(emulator: EmulatorHandle) -> None:
    for path in EXAMPLES:
        data = parse_text(path.read_text(), path.name).data
        assert data is not None
        resolved, missing = resolve_plain(data, EXAMPLE_VALUES)  # the examples' `!var`s
        assert missing == []
        emulator.seed(resolved)


def test_import_round_trip(empty_project: Path, emulator_env: EmulatorHandle) -> None:
    _seed_examples(emulator_env)
    pulled = run("pull")
    assert pulled.exit_code == 0, pulled.output
    assert pulled.stdout.endswith(f"Pulled {N} job(s): {N} created, 0 updated, 0 unchanged.\n")
    files = sorted(p.name for p in (empty_project / "jobs").iterdir())
    assert len(files) == N
    for name in files:
        text = (empty_project / "jobs" / name).read_text()
        assert text.startswith("# yaml-language-server: $schema=../schemas/sync-job.schema.json\n")
        for server_field in ("environment_id", "created_at", "updated_at", "id"):
            assert f"\n{server_field}:" not in text

    validated = run("validate")
    assert validated.exit_code == 0, validated.output
    planned = run("plan", "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output
    assert planned.stdout == f"No changes. {N} jobs are up to date; 0 unmanaged.\n"
    assert writes(emulator_env) == []

    again = run("pull")
    assert again.stdout == f"Pulled {N} job(s): 0 created, 0 updated, {N} unchanged.\n"


def test_pull_updates_an_edited_job_in_place(
    empty_project: Path, emulator_env: EmulatorHandle
) -> None:
    text = (
        "# my team's job\n"
        "label: a   # the identity\n"
        "integration_name: zendesk\n"
        "default_runtime_version: 2\n"
        "resources:\n"
        "  - resource: ticketing/tickets   # all tickets\n"
        "    method: list\n"
    )
    (empty_project / "jobs" / "mine.yaml").write_text(text)
    (live,) = emulator_env.seed(job("a"))
    emulator_env.client().update_sync_job(live["id"], {"mutex_key": "{{args.x}}"})
    pulled = run("pull", "a")
    # issue 11: {{args.x}} is undeclared (SS404): written as live, reported, and exit 1
    # (column 13: the placeholder inside its quoted string, issue 12)
    assert pulled.exit_code == 1, pulled.output
    assert pulled.stdout == (
        "  updated jobs/mine.yaml  <- 'a'\nPulled 1 job(s): 0 created, 1 updated, 0 unchanged.\n"
    )
    assert pulled.stderr.startswith('jobs/mine.yaml:5:13: SS404 "{{args.x}}" uses the argument')
    assert (empty_project / "jobs" / "mine.yaml").read_text() == text.replace(
        "default_runtime_version: 2\n",
        'default_runtime_version: 2\nmutex_key: "{{args.x}}"\n',
    )


def test_pull_selects_by_glob(empty_project: Path, emulator_env: EmulatorHandle) -> None:
    emulator_env.seed(job("team-a-1"), job("team-a-2"), job("team-b-1"))
    assert run("pull", "team-a-*").exit_code == 0
    assert sorted(p.name for p in (empty_project / "jobs").iterdir()) == [
        "team-a-1.yaml",
        "team-a-2.yaml",
    ]
    nothing = run("pull", "nope-*")
    assert nothing.exit_code == 1
    assert nothing.stderr == "no live job matches nope-*\n"


def test_pull_with_shared_and_hostile_labels_then_plan(
    empty_project: Path, emulator_env: EmulatorHandle
) -> None:
    emulator_env.seed(job("dup"), job("dup"), job("../../escape"), job("/etc/passwd"))
    pulled = run("pull")
    assert pulled.exit_code == 0, pulled.output
    names = sorted(p.name for p in (empty_project / "jobs").iterdir())
    assert names[:2] == ["dup-" + n for n in sorted(n[4:] for n in names[:2])]
    assert names[2:] == ["escape.yaml", "etc-passwd.yaml"]
    assert sorted(p.name for p in empty_project.iterdir()) == ["jobs", "syncspec.toml"]
    planned = run("plan", "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output


def test_pull_stops_on_a_file_it_cannot_read(
    empty_project: Path, emulator_env: EmulatorHandle
) -> None:
    (empty_project / "jobs" / "broken.yaml").write_text("label: [unclosed\n")
    emulator_env.seed(job("a"))
    result = run("pull")
    assert result.exit_code == 1
    assert "jobs/broken.yaml:" in result.stderr
    assert result.stderr.endswith(
        "error: some job files cannot be read, so pull cannot tell which jobs they describe; "
        "fix or remove them first (nothing was written)\n"
    )
    assert sorted(p.name for p in (empty_project / "jobs").iterdir()) == ["broken.yaml"]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=job_strategy)
def test_any_job_stored_by_the_api_pulls_back_to_no_changes(
    emulator: EmulatorHandle, tmp_path_factory: pytest.TempPathFactory, data: dict[str, Any]
) -> None:
    from syncspec.config import PruneScope
    from syncspec.engine.model import PlanOptions
    from syncspec.engine.normalize import canonical_job
    from syncspec.engine.plan import plan_changes
    from syncspec.engine.pull import pull_jobs
    from syncspec.jobfile.rules.project import check_label
    from syncspec.jobfile.validate import load_jobs

    emulator.control.reset()
    root = tmp_path_factory.mktemp("pull-http")
    client = emulator.client()
    # created as apply creates it; whatever the API stores is what pull sees
    client.create_sync_job(canonical_job(data))
    pulled = pull_jobs(client.list_sync_jobs(), [], jobs_dir=root / "jobs", root=root)
    if check_label(data["label"]):
        # a label validate refuses (SS604-SS606, issue 19) is not pulled, and pull says why
        assert [f.status for f in pulled.files] == ["skipped"]
        assert "cannot be a job file's label" in str(pulled.files[0].reason)
        return
    local, problems = load_jobs([root / "jobs"], root)
    assert [p for p in problems if p.severity == "error"] == []
    plan = plan_changes(
        local,
        client.list_sync_jobs(),
        options=PlanOptions(),
        prune_scope=PruneScope(),
        api_url=emulator.url,
        profile="env",
    )
    assert [a.kind.value for a in plan.actions] == ["noop"]
