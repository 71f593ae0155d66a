"""``!var NAME`` (issue 20): loading, per-profile values, validation of every profile, and the
settings that hold the values (syncspec.toml, vars/NAME.toml, precedence of env vars)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from syncspec.config import LabelSelection, load_settings
from syncspec.errors import ConfigError
from syncspec.jobfile.problems import Problem
from syncspec.jobfile.validate import load_jobs, validate_paths
from syncspec.jobfile.vars import VarSetup, VarUse
from syncspec.jobfile.yaml.loader import parse_text
from syncspec.jobfile.yaml.varref import VarRef

JOB = """\
label: send-tickets
integration_name: zendesk
default_runtime_version: 4
args_schema:
  integrated_account_id: {type: string, format: integrated_account_id, required: true}
resources:
  - name: tickets
    type: request
    resource: ticketing/tickets
    method: list
    integrated_account_id: "{{args.integrated_account_id}}"
  - name: send
    type: destination
    depends_on: tickets
    destination_type: webhook
    config:
      id: !var webhook_id
    resources_to_persist: [tickets]
"""
ID_LINE, ID_COL = 17, 11

TOML = """\
[profiles.staging]
api_url = "http://127.0.0.1:1"
token_env = "STAGING_TOKEN"
[profiles.staging.vars]
webhook_id = "wh_staging"

[profiles.production]
api_url = "http://127.0.0.1:2"
token_env = "PRODUCTION_TOKEN"
[profiles.production.vars]
webhook_id = "wh_production"
"""


def _project(tmp_path: Path, toml: str = TOML, job: str = JOB) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "syncspec.toml").write_text(toml, encoding="utf-8")
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "send.yaml").write_text(job, encoding="utf-8")
    return tmp_path


def _validate(root: Path, environ: dict[str, str] | None = None) -> list[Problem]:
    settings = load_settings(cwd=root, environ=environ or {})
    setup = settings.var_setup(planning=False)
    return validate_paths([root / "jobs"], root, setup=setup).problems


def _brief(problems: list[Problem]) -> list[tuple[str, int, int, str]]:
    return [(p.rule, p.line, p.col, p.message) for p in problems]


def test_the_loader_leaves_a_marker_with_its_position() -> None:
    parsed = parse_text(JOB, "send.yaml")
    assert parsed.problems == []
    assert parsed.data is not None
    marker = parsed.data["resources"][1]["config"]["id"]
    assert marker == VarRef("webhook_id", ID_LINE, ID_COL)


def test_placeholders_are_never_substituted(tmp_path: Path) -> None:
    job = JOB.replace('"{{args.integrated_account_id}}"', '"{{args.integrated_account_id}}"')
    root = _project(tmp_path, job=job)
    settings = load_settings(cwd=root, profile="staging", environ={})
    jobs, problems = load_jobs([root / "jobs"], root, settings.var_setup(planning=True))
    assert problems == []
    (loaded,) = jobs
    assert loaded.data["resources"][1]["config"]["id"] == "wh_staging"
    assert loaded.data["resources"][0]["integrated_account_id"] == "{{args.integrated_account_id}}"
    assert loaded.vars == (VarUse(("resources", 1, "config", "id"), "webhook_id", "wh_staging"),)


def test_every_profile_is_checked_and_equal_values_share_one_check(tmp_path: Path) -> None:
    assert _validate(_project(tmp_path)) == []


def test_a_value_missing_in_one_profile_names_it(tmp_path: Path) -> None:
    root = _project(tmp_path, toml=TOML.replace('webhook_id = "wh_production"', ""))
    assert _brief(_validate(root)) == [
        ("SS014", ID_LINE, ID_COL, "`!var webhook_id` has no value in profile 'production'")
    ]


def test_a_value_wrong_in_one_profile_is_reported_for_that_profile(tmp_path: Path) -> None:
    root = _project(tmp_path, toml=TOML.replace('"wh_production"', "5"))
    assert _brief(_validate(root)) == [
        (
            "SS102",
            ID_LINE,
            ID_COL,
            "resources[1].config.id should be a string, not an integer (in the value of "
            "`!var webhook_id`) [profile production]",
        )
    ]


def test_a_var_answers_the_hard_coded_id_warning(tmp_path: Path) -> None:
    root = _project(tmp_path)
    literal = JOB.replace("!var webhook_id", "wh_staging")
    (root / "jobs" / "send.yaml").write_text(literal, encoding="utf-8")
    assert [p.rule for p in _validate(root)] == ["SS316"]


def test_no_profiles_is_an_error_that_says_so(tmp_path: Path) -> None:
    root = _project(tmp_path, toml='jobs_dir = "jobs"\n')
    (problem,) = _validate(root)
    assert (problem.rule, problem.line, problem.col) == ("SS015", ID_LINE, ID_COL)
    assert "no profile is configured in syncspec.toml" in problem.message


def test_planning_without_an_active_profile_says_how_to_choose(tmp_path: Path) -> None:
    root = _project(tmp_path)
    settings = load_settings(cwd=root, environ={})
    assert settings.profile.name == "env"
    _, problems = load_jobs([root / "jobs"], root, settings.var_setup(planning=True))
    (problem,) = problems
    assert problem.rule == "SS015"
    assert "no profile is active (choose one with --profile or SYNCSPEC_PROFILE" in problem.message


def test_values_may_be_mappings_and_lists(tmp_path: Path) -> None:
    job = JOB.replace("    config:\n      id: !var webhook_id\n", "    config: !var send_config\n")
    toml = (
        "[profiles.staging.vars]\nsend_config = {id = 'wh_1'}\n"
        "[profiles.production.vars]\nsend_config = {id = 'wh_2'}\n"
    )
    root = _project(tmp_path, toml=toml, job=job)
    assert _validate(root) == []
    settings = load_settings(cwd=root, profile="production", environ={})
    (loaded,), _ = load_jobs([root / "jobs"], root, settings.var_setup(planning=True))
    assert loaded.data["resources"][1]["config"] == {"id": "wh_2"}


def test_vars_file_adds_values(tmp_path: Path) -> None:
    root = _project(tmp_path, toml=TOML.replace('webhook_id = "wh_production"', ""))
    (root / "vars").mkdir()
    (root / "vars" / "production.toml").write_text('webhook_id = "wh_file"\n', encoding="utf-8")
    assert _validate(root) == []
    settings = load_settings(cwd=root, profile="production", environ={})
    assert settings.profile.vars == {"webhook_id": "wh_file"}


def test_a_value_set_twice_is_an_error(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "vars").mkdir()
    (root / "vars" / "production.toml").write_text('webhook_id = "wh_file"\n', encoding="utf-8")
    with pytest.raises(
        ConfigError, match=re.escape("'webhook_id' is also set in [profiles.production")
    ):
        load_settings(cwd=root, environ={})


def test_a_vars_file_that_is_not_toml_is_located(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "vars").mkdir()
    (root / "vars" / "staging.toml").write_text("a = 1\nb = = 2\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(cwd=root, environ={})
    assert str(caught.value).startswith(f"{root / 'vars' / 'staging.toml'}:2:5: invalid TOML:")


def test_a_vars_file_outside_the_project_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.toml"
    outside.write_text('webhook_id = "x"\n', encoding="utf-8")
    root = _project(tmp_path / "repo")
    (root / "vars").mkdir()
    os.symlink(outside, root / "vars" / "staging.toml")
    with pytest.raises(ConfigError, match="SS014 leads outside the project"):
        load_settings(cwd=root, environ={})


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1979-05-27T07:32:00Z", "SS014 a TOML datetime is not plain data"),
        ("nan", "SS014 nan is not a JSON number"),
        ("[" * 40 + "]" * 40, "SS014 the value is nested deeper than 32 levels"),
    ],
)
def test_a_value_that_is_not_plain_data_is_refused(
    tmp_path: Path, value: str, message: str
) -> None:
    root = _project(tmp_path, toml=TOML.replace('"wh_staging"', value))
    with pytest.raises(ConfigError, match=message):
        load_settings(cwd=root, environ={})


def test_a_value_name_must_be_an_identifier(tmp_path: Path) -> None:
    root = _project(tmp_path, toml=TOML.replace('webhook_id = "wh_staging"', '"a-b" = 1'))
    with pytest.raises(ConfigError, match=re.escape("profiles.staging.vars.a-b: SS013")):
        load_settings(cwd=root, environ={})


def test_profile_selection_is_by_label(tmp_path: Path) -> None:
    selection = LabelSelection(jobs=("send-*", "pull-*"), exclude=("send-beta",))
    assert selection.selects("send-tickets")
    assert not selection.selects("send-beta")
    assert not selection.selects("other")
    toml = TOML.replace(
        'token_env = "PRODUCTION_TOKEN"', 'token_env = "PRODUCTION_TOKEN"\nexclude = ["send-*"]'
    ).replace('webhook_id = "wh_production"', "")
    root = _project(tmp_path, toml=toml)
    # production does not manage the job: its missing value is not a problem
    assert _validate(root) == []
    settings = load_settings(cwd=root, profile="production", environ={})
    assert settings.profile.selection == LabelSelection(exclude=("send-*",))


def test_a_job_no_profile_selects_cannot_be_checked(tmp_path: Path) -> None:
    toml = TOML.replace('token_env = "STAGING_TOKEN"', 'token_env = "STAGING_TOKEN"\njobs = ["x"]')
    toml = toml.replace(
        'token_env = "PRODUCTION_TOKEN"', 'token_env = "PRODUCTION_TOKEN"\njobs = ["x"]'
    )
    (problem,) = _validate(_project(tmp_path, toml=toml))
    assert problem.rule == "SS015"
    assert problem.message.startswith("no profile manages this job (label 'send-tickets'")


def test_an_env_url_the_profile_overrides_is_an_error(tmp_path: Path) -> None:
    root = _project(tmp_path)
    environ = {"TRUTO_API_URL": "http://127.0.0.1:9"}
    with pytest.raises(
        ConfigError, match=re.escape("TRUTO_API_URL is set to 'http://127.0.0.1:9', but")
    ):
        load_settings(cwd=root, profile="staging", environ=environ)
    # the same URL is no conflict; a profile without api_url takes the variable
    same = load_settings(
        cwd=root, profile="staging", environ={"TRUTO_API_URL": "http://127.0.0.1:1/"}
    )
    assert same.profile.api_url == "http://127.0.0.1:1"
    bare = _project(tmp_path / "bare", toml="[profiles.staging]\ntoken_env = 'T'\n")
    taken = load_settings(cwd=bare, environ=environ)
    assert taken.profile.api_url == "http://127.0.0.1:9"


def test_an_unused_token_variable_is_reported(tmp_path: Path) -> None:
    root = _project(tmp_path)
    settings = load_settings(cwd=root, profile="staging", environ={"TRUTO_API_TOKEN": "t"})
    assert settings.notices == (
        "TRUTO_API_TOKEN is set but not used: profile 'staging' reads its token from STAGING_TOKEN",
    )
    assert load_settings(cwd=root, profile="staging", environ={}).notices == ()


def test_every_profile_is_checked_even_when_another_is_active(tmp_path: Path) -> None:
    root = _project(tmp_path, toml=TOML + "[profiles.broken]\napi_urll = 'x'\n")
    with pytest.raises(ConfigError, match=re.escape("unknown key 'profiles.broken.api_urll'")):
        load_settings(cwd=root, profile="staging", environ={})


def test_a_file_without_tags_needs_no_profile(tmp_path: Path) -> None:
    root = _project(tmp_path, toml="", job=JOB.replace("!var webhook_id", '"{{args.webhook_id}}"'))
    report = validate_paths([root / "jobs"], root, setup=VarSetup())
    assert [p.rule for p in report.problems] == ["SS404"]  # the unknown arg, not a !var rule


# -- pull keeps tags (engine.pull_yaml) -------------------------------------------------------


def _live_of(text: str, values: dict[str, object]) -> dict[str, object]:
    from syncspec.engine.normalize import canonical_job
    from syncspec.jobfile.vars import resolve_plain

    data = parse_text(text, "x.yaml").data
    resolved, missing = resolve_plain(data, values)
    assert missing == []
    return {**canonical_job(resolved), "id": "job-1"}


def _pull_into(path: Path, live: dict[str, Any], values: dict[str, Any]) -> str:
    """What pull does to one file: "unchanged", or "updated" (the merged text written)."""
    from syncspec.engine.pull_yaml import updated_file_text, write_updated_file

    _, after = updated_file_text(path, live, pin=False, values=values)
    if after is None:
        return "unchanged"
    write_updated_file(path, after)
    return "updated"


def test_pull_keeps_a_tag_whose_value_equals_the_live_one(tmp_path: Path) -> None:
    path = tmp_path / "send.yaml"
    path.write_text(JOB, encoding="utf-8")
    values = {"webhook_id": "wh_staging"}
    live = _live_of(JOB, values)
    assert _pull_into(path, live, values) == "unchanged"
    # an unrelated live edit: the file changes, the tag stays
    live["mutex_key"] = "one-at-a-time"
    assert _pull_into(path, live, values) == "updated"
    text = path.read_text(encoding="utf-8")
    assert "      id: !var webhook_id\n" in text
    assert "mutex_key: one-at-a-time\n" in text


def test_pull_writes_the_live_value_where_it_differs_from_the_profile(tmp_path: Path) -> None:
    path = tmp_path / "send.yaml"
    path.write_text(JOB, encoding="utf-8")
    live = _live_of(JOB, {"webhook_id": "wh_edited_in_the_dashboard"})
    assert _pull_into(path, live, {"webhook_id": "wh_staging"}) == "updated"
    text = path.read_text(encoding="utf-8")
    assert "!var" not in text
    assert "      id: wh_edited_in_the_dashboard\n" in text


@pytest.mark.parametrize(
    ("text", "values", "may_fail"),
    [
        ('a: "{{x}}"\nb: "$v != \'deleted\'"\n', {}, False),  # JSONata's != is no tag
        ("a: !var known\nb: [!var known]\n", {"known": 1}, False),
        ("a: !var unknown\n", {"known": 1}, True),
        ("a: !vars known\n", {"known": 1}, True),
        ("a: !var known\n", None, True),  # no profile is active
        ("a: !!binary aGk=\n", {}, True),
    ],
)
def test_tags_that_may_fail_are_seen_without_parsing(
    tmp_path: Path, text: str, values: dict[str, object] | None, may_fail: bool
) -> None:
    from syncspec.jobfile.vars import tags_may_fail

    path = tmp_path / "a.yaml"
    path.write_text(text, encoding="utf-8")
    assert tags_may_fail([path], values) is may_fail
