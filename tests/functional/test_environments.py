"""Issue 20 over HTTP: one set of job files, two emulator environments (two tokens), values that
differ per profile (`!var`), per-profile job selection, and `syncspec diff` between them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from syncspec.cli import cli
from tests.conftest import EmulatorHandle
from tests.unit.test_vars import JOB  # the send-tickets job of the `!var` unit tests

BETA = """\
label: beta-only
integration_name: zendesk
default_runtime_version: 2
resources:
  - resource: ticketing/tickets
    method: list
"""


def _toml(url: str, production_vars: str = 'webhook_id = "wh_production"\n') -> str:
    return (
        f'[profiles.staging]\napi_url = "{url}"\ntoken_env = "STAGING_TOKEN"\n'
        '[profiles.staging.vars]\nwebhook_id = "wh_staging"\n\n'
        f'[profiles.production]\napi_url = "{url}"\ntoken_env = "PRODUCTION_TOKEN"\n'
        'exclude = ["beta-*"]\n'
        f"[profiles.production.vars]\n{production_vars}"
    )


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def two(tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("TRUTO_API_URL", "TRUTO_API_TOKEN", "SYNCSPEC_PROFILE", "CI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.setenv("STAGING_TOKEN", emulator.token)
    monkeypatch.setenv("PRODUCTION_TOKEN", emulator.other_token)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "syncspec.toml").write_text(_toml(emulator.url), encoding="utf-8")
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "send.yaml").write_text(JOB, encoding="utf-8")
    (tmp_path / "jobs" / "beta.yaml").write_text(BETA, encoding="utf-8")
    return tmp_path


def _destination(emulator: EmulatorHandle, environment: str) -> dict[str, object]:
    (job,) = [j for j in emulator.control.jobs(environment) if j["label"] == "send-tickets"]
    return dict(job["resources"][1]["config"])


def _promote(emulator: EmulatorHandle) -> None:
    for profile in ("staging", "production"):
        applied = run("--profile", profile, "apply", "--auto-approve")
        assert applied.exit_code == 0, applied.output


def test_each_environment_gets_its_own_value_and_converges(
    two: Path, emulator: EmulatorHandle
) -> None:
    planned = run("--profile", "staging", "plan")
    assert planned.exit_code == 0, planned.output
    assert '        !var webhook_id → "wh_staging" at /resources/1/config/id\n' in planned.stdout
    assert planned.stdout.endswith("Plan: 2 to create, 0 to update, 0 to delete; 0 unmanaged.\n")

    _promote(emulator)
    assert _destination(emulator, "staging") == {"id": "wh_staging"}
    assert _destination(emulator, "production") == {"id": "wh_production"}
    # production excludes beta-*: never created there
    assert [j["label"] for j in emulator.control.jobs("production")] == ["send-tickets"]
    assert sorted(j["label"] for j in emulator.control.jobs("staging")) == [
        "beta-only",
        "send-tickets",
    ]
    for profile, count in (("staging", "2 jobs are"), ("production", "1 job is")):
        again = run("--profile", profile, "plan", "--detailed-exitcode")
        assert again.exit_code == 0, again.output
        assert again.stdout == f"No changes. {count} up to date; 0 unmanaged.\n"


def test_a_changed_value_is_an_update_showing_the_var(two: Path, emulator: EmulatorHandle) -> None:
    _promote(emulator)
    toml = (two / "syncspec.toml").read_text().replace('"wh_production"', '"wh_production_v2"')
    (two / "syncspec.toml").write_text(toml)
    planned = run("--profile", "production", "plan", "--out", "plan.json")
    assert planned.exit_code == 0, planned.output
    assert "  ~ update send-tickets (id " in planned.stdout
    assert (
        '      - /resources/1/config/id (send): "wh_production"\n'
        '      + /resources/1/config/id (send): "wh_production_v2"\n'
        '        !var webhook_id → "wh_production_v2" at /resources/1/config/id\n'
    ) in planned.stdout
    saved = json.loads((two / "plan.json").read_text())
    (update,) = [a for a in saved["actions"] if a["kind"] == "update"]
    assert update["vars"] == [
        {"pointer": "/resources/1/config/id", "name": "webhook_id", "value": "wh_production_v2"}
    ]
    assert update["body"]["resources"][1]["config"] == {"id": "wh_production_v2"}
    applied = run("--profile", "production", "apply", "plan.json", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert _destination(emulator, "production") == {"id": "wh_production_v2"}
    assert _destination(emulator, "staging") == {"id": "wh_staging"}


def test_a_missing_value_fails_before_any_request(two: Path, emulator: EmulatorHandle) -> None:
    (two / "syncspec.toml").write_text(_toml(emulator.url, production_vars=""))
    emulator.control.clear_requests()
    for command in ("plan", "apply"):
        args = ["--profile", "production", command]
        result = run(*args, *(["--auto-approve"] if command == "apply" else []))
        assert result.exit_code == 1, result.output
        assert (
            "jobs/send.yaml:17:11: SS014 `!var webhook_id` has no value in profile 'production'"
        ) in result.stderr
    assert emulator.control.requests() == []  # not even the list: the files are checked first
    # staging still plans
    assert run("--profile", "staging", "plan").exit_code == 0


def test_a_profile_never_prunes_what_it_does_not_select(
    two: Path, emulator: EmulatorHandle
) -> None:
    toml = (two / "syncspec.toml").read_text()
    (two / "syncspec.toml").write_text(toml + '\n[prune]\nlabels = ["*"]\n')
    emulator.seed(
        {
            "label": "beta-live",
            "integration_name": "zendesk",
            "resources": [{"resource": "ticketing/tickets", "method": "list"}],
        },
        other=True,
    )
    planned = run("--profile", "production", "plan", "--prune")
    assert planned.exit_code == 0, planned.output
    assert "beta-live" not in planned.stdout
    assert planned.stdout.endswith("Plan: 1 to create, 0 to update, 0 to delete; 0 unmanaged.\n")


def test_validate_checks_every_profile_offline(two: Path, emulator: EmulatorHandle) -> None:
    emulator.control.clear_requests()
    (two / "syncspec.toml").write_text(_toml(emulator.url, production_vars="webhook_id = 7\n"))
    result = run("validate")
    assert result.exit_code == 1
    assert result.stdout.startswith(
        "jobs/send.yaml:17:11: SS102 resources[1].config.id should be a string, not an "
        "integer (in the value of `!var webhook_id`) [profile production] (quote the value to "
        "make it a string)\n"
    )
    assert emulator.control.requests() == []


def test_the_token_never_shows(two: Path, emulator: EmulatorHandle) -> None:
    _promote(emulator)
    outputs = [
        run("--profile", p, c).output for p in ("staging", "production") for c in ("plan", "pull")
    ]
    for text in outputs:
        assert emulator.token not in text and emulator.other_token not in text


def test_diff_reports_only_the_explained_value_difference(
    two: Path, emulator: EmulatorHandle
) -> None:
    _promote(emulator)
    emulator.control.clear_requests()
    result = run("diff", "--profile", "staging", "--profile", "production")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"syncspec diff: staging ({emulator.url}) vs production ({emulator.url})\n"
        "\n"
        "< beta-only: only in staging (profile 'production' does not select this label "
        "(jobs/exclude))\n"
        "~ send-tickets: differs by profile values\n"
        '    /resources/1/config/id: staging: "wh_staging" | production: "wh_production"  '
        "(explained: !var webhook_id)\n"
        "\n"
        "staging vs production: same (every difference is explained by the profiles). "
        "2 label(s): 0 same, 1 differ only by profile values, 0 differ otherwise, 1 only in "
        "staging, 0 only in production (1 of those explained by job selection), 0 ambiguous.\n"
    )
    assert [r.method for r in emulator.control.requests()] == ["GET", "GET"]

    as_json = run("diff", "--profile", "staging", "--profile", "production", "--format", "json")
    assert as_json.exit_code == 0
    data = json.loads(as_json.stdout)
    assert data["same"] is True
    (send,) = [j for j in data["jobs"] if j["label"] == "send-tickets"]
    assert send["differences"] == [
        {
            "pointer": "/resources/1/config/id",
            "kind": "changed",
            "left": "wh_staging",
            "right": "wh_production",
            "explained_by": "webhook_id",
        }
    ]


def test_diff_marks_an_unexplained_difference_and_exits_2(
    two: Path, emulator: EmulatorHandle
) -> None:
    _promote(emulator)
    (live,) = [j for j in emulator.control.jobs("production") if j["label"] == "send-tickets"]
    client = emulator.client(emulator.other_token)
    client.update_sync_job(live["id"], {"mutex_key": "edited-in-production"})
    result = run("diff", "--profile", "staging", "--profile", "production", "--format", "markdown")
    assert result.exit_code == 2, result.output
    assert '| `send-tickets` | `/mutex_key` | `null` | `"edited-in-production"` | **no** |' in (
        result.stdout
    )
    explained = (
        '| `send-tickets` | `/resources/1/config/id` | `"wh_staging"` | `"wh_production"` | '
        "`!var webhook_id` |"
    )
    assert explained in result.stdout
    assert emulator.token not in result.output and emulator.other_token not in result.output


def test_diff_needs_two_profiles(two: Path) -> None:
    result = run("diff", "--profile", "staging")
    assert result.exit_code == 3
    assert result.stderr == "error: diff takes two different profiles: --profile A --profile B\n"


@pytest.mark.parametrize(
    ("case", "code", "message"),
    [
        ("typo", 1, "jobs/send.yaml:17:11: SS009 unsupported YAML tag !vars"),
        ("name", 1, "jobs/send.yaml:17:11: SS013 `!var 1st`: a value's name is an identifier"),
        ("toml", 3, "vars/production.toml:1:12: invalid TOML:"),
        ("outside", 3, "SS014 leads outside the project"),
        ("date", 3, "profiles.production.vars.webhook_id: SS014 a TOML datetime is not plain"),
    ],
)
def test_bad_input_is_located_and_sends_nothing(
    two: Path, emulator: EmulatorHandle, case: str, code: int, message: str
) -> None:
    job = two / "jobs" / "send.yaml"
    if case == "typo":
        job.write_text(JOB.replace("!var webhook_id", "!vars webhook_id"))
    elif case == "name":
        job.write_text(JOB.replace("!var webhook_id", "!var 1st"))
    elif case == "toml":
        (two / "vars").mkdir()
        (two / "vars" / "production.toml").write_text("other_id = \n")
    elif case == "outside":
        (two / "vars").mkdir()
        (two.parent / "elsewhere.toml").write_text('other_id = "x"\n')
        (two / "vars" / "production.toml").symlink_to(two.parent / "elsewhere.toml")
    else:
        toml = _toml(emulator.url, production_vars="webhook_id = 1979-05-27T07:32:00Z\n")
        (two / "syncspec.toml").write_text(toml)
    emulator.control.clear_requests()
    result = run("--profile", "production", "plan")
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert emulator.control.requests() == []
