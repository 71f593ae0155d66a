"""The saved-plan approval as engine code: plans in, a decision out (no I/O, no CLI)."""

from __future__ import annotations

from typing import Any

import pytest

from syncspec.engine.approval import approve
from syncspec.engine.model import Action, ActionKind, Plan, PlanEnvironment, PlanOptions
from syncspec.engine.plan import token_fingerprint
from syncspec.errors import ConfigError, StalePlanError

TOKEN = "approval-test-token"
LIVE = [{"id": "j1", "label": "a", "environment_id": "env-1"}]


def _plan(*actions: Action, env: str | None = "env-1", paths: list[str] | None = None) -> Plan:
    return Plan(
        syncspec_version="0",
        created_at="2026-01-01T00:00:00Z",
        api_url="http://127.0.0.1:1",
        profile="env",
        options=PlanOptions(paths=paths or []),
        environment=PlanEnvironment(environment_id=env, token_fingerprint=token_fingerprint(TOKEN)),
        actions=list(actions),
    )


UPDATE = Action(kind=ActionKind.UPDATE, label="a", job_id="j1", body={"label": "a", "x": 1})


def test_identical_actions_are_approved_and_the_recomputed_plan_runs() -> None:
    seen: list[PlanOptions] = []
    recomputed = _plan(UPDATE)

    def recompute(options: PlanOptions) -> Plan:
        seen.append(options)
        return recomputed

    saved = _plan(UPDATE, paths=["jobs/a.yaml"])
    assert approve(saved, LIVE, TOKEN, recompute) is recomputed
    # the saved paths only chose which files were loaded; every loaded file is planned
    assert seen == [PlanOptions(paths=[])]


@pytest.mark.parametrize(
    ("now", "message"),
    [
        (Action(kind=ActionKind.DELETE, label="a", job_id="j1"), "the saved plan says update 'a'"),
        (UPDATE.model_copy(update={"body": {"label": "a", "x": 2}}), "body differs at /x"),
        (UPDATE.model_copy(update={"job_id": "j2"}), "id j2"),
    ],
)
def test_any_difference_is_stale_and_names_it(now: Action, message: str) -> None:
    with pytest.raises(StalePlanError, match="Nothing was changed") as info:
        approve(_plan(UPDATE), LIVE, TOKEN, lambda _o: _plan(now))
    assert message in str(info.value)


def test_an_extra_saved_action_is_refused() -> None:
    extra = Action(kind=ActionKind.CREATE, label="b", body={"label": "b"})
    with pytest.raises(StalePlanError, match="an action the files do not call for: create 'b'"):
        approve(_plan(UPDATE, extra), LIVE, TOKEN, lambda _o: _plan(UPDATE))


def test_files_with_problems_are_stale_and_nothing_is_recomputed() -> None:
    def recompute(_options: PlanOptions) -> Plan:
        raise AssertionError("must not recompute")

    with pytest.raises(StalePlanError, match="the job files now have problems"):
        approve(_plan(UPDATE), None, TOKEN, recompute)


def test_another_environment_is_a_config_error() -> None:
    other: list[dict[str, Any]] = [{"id": "j1", "label": "a", "environment_id": "env-2"}]
    with pytest.raises(ConfigError, match="environment env-1"):
        approve(_plan(UPDATE), other, TOKEN, lambda _o: _plan(UPDATE))


def test_an_empty_environment_needs_the_same_token() -> None:
    saved = _plan(Action(kind=ActionKind.CREATE, label="a", body={"label": "a"}), env=None)
    with pytest.raises(ConfigError, match="another API token"):
        approve(saved, [], "another-token", lambda _o: saved)
    assert approve(saved, [], TOKEN, lambda _o: saved) is saved
