"""Issue 19 in the pure parts: renames, suggestions, label rewrites, duplicates, pins."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from syncspec.config import PruneScope, load_settings
from syncspec.engine.identity import (
    how_rewritten,
    renamed_from_line,
    state_namespaces,
    yaml_label,
)
from syncspec.engine.match import Activity
from syncspec.engine.model import ActionKind, NoticeKind, PlanOptions
from syncspec.engine.plan import plan_changes
from syncspec.engine.project import apply_pins
from syncspec.errors import ConfigError
from syncspec.jobfile.jobs import LocalJob

ALL = PruneScope(labels=("*",))


def local(label: str, *, old: list[str] | None = None, method: str = "list") -> LocalJob:
    data: dict[str, Any] = {
        "label": label,
        "integration_name": "zendesk",
        "default_runtime_version": 2,
        "resources": [{"resource": "ticketing/tickets", "method": method}],
    }
    if old is not None:
        data["renamed_from"] = old
    display = f"jobs/{label}.yaml"
    return LocalJob(path=Path("/p") / display, display=display, line=1, data=data)


def live(ident: str, label: str, *, method: str = "list", created: str = "") -> dict[str, Any]:
    return {
        "id": ident,
        "label": label,
        "integration_name": "zendesk",
        "default_runtime_version": 2,
        "resources": [{"resource": "ticketing/tickets", "method": method}],
        "created_at": created or f"2026-01-0{ident}T00:00:00Z",
        "updated_at": "2026-02-01T00:00:00Z",
    }


def plan(
    files: list[LocalJob],
    jobs: list[dict[str, Any]],
    *,
    prune: bool = False,
    activity: dict[str, Activity] | None = None,
) -> Any:
    return plan_changes(
        files,
        jobs,
        options=PlanOptions(prune=prune),
        prune_scope=ALL,
        api_url="http://x",
        profile="staging",
        now="t",
        activity=activity,
    )


def kinds(p: Any) -> list[tuple[str, str, str | None]]:
    return [(a.kind.value, a.label, a.job_id) for a in p.actions]


def test_renamed_from_renames_the_live_job_in_place() -> None:
    p = plan([local("new", old=["old"])], [live("1", "old")], prune=True)
    assert kinds(p) == [("rename", "new", "1")]
    (action,) = p.actions
    assert action.renamed_from == "old"
    assert action.body == {"label": "new"}
    assert [c.pointer for c in action.changes] == ["/label"]
    assert p.notices == []


def test_a_rename_carries_other_changes_too() -> None:
    p = plan([local("new", old=["old"], method="get")], [live("1", "old")])
    (action,) = p.actions
    assert action.kind == ActionKind.RENAME
    assert action.body == {
        "label": "new",
        "resources": [{"method": "get", "resource": "ticketing/tickets"}],
    }


def test_chains_collapse_to_one_patch() -> None:
    # A -> B -> C: an environment still at A goes straight to C
    p = plan([local("c", old=["a", "b"])], [live("1", "a")])
    assert kinds(p) == [("rename", "c", "1")]
    assert p.actions[0].renamed_from == "a"


def test_once_renamed_the_hint_is_harmless() -> None:
    p = plan([local("new", old=["old"])], [live("1", "new")])
    assert kinds(p) == [("noop", "new", "1")]


def test_both_labels_live_is_a_conflict_naming_both_ids() -> None:
    p = plan([local("new", old=["old"])], [live("1", "old"), live("2", "new")], prune=True)
    assert kinds(p) == []  # nothing deleted, nothing renamed
    (conflict,) = p.notices
    assert conflict.kind == NoticeKind.CONFLICT
    assert conflict.job_ids == ["1", "2"]
    assert '"new" is live (id 2) and so is its old label "old" (id 1)' in conflict.message


def test_two_old_labels_live_is_a_conflict() -> None:
    p = plan([local("c", old=["a", "b"])], [live("1", "a"), live("2", "b")], prune=True)
    assert kinds(p) == []
    assert p.notices[0].job_ids == ["1", "2"]


def test_without_renamed_from_the_plan_suggests_the_line_and_never_renames() -> None:
    p = plan([local("new")], [live("1", "old")], prune=True)
    assert kinds(p) == [("delete", "old", "1"), ("create", "new", None)]
    (hint,) = [n for n in p.notices if n.suggestion]
    assert hint.suggestion == "renamed_from: [old]"
    assert hint.file == "jobs/new.yaml"
    assert 'deletes "old" (id 1), the same job but for its label' in hint.message


def test_the_suggestion_also_covers_a_job_left_unmanaged() -> None:
    p = plan([local("new")], [live("1", "old")])
    assert kinds(p) == [("create", "new", None)]
    assert [n.suggestion for n in p.notices if n.suggestion] == ["renamed_from: [old]"]


def test_no_suggestion_when_the_bodies_differ_or_match_twice() -> None:
    assert not [
        n for n in plan([local("new")], [live("1", "old", method="get")]).notices if n.suggestion
    ]
    twice = plan([local("new")], [live("1", "old"), live("2", "older")])
    assert not [n for n in twice.notices if n.suggestion]


def test_suggested_line_keeps_existing_entries_and_quotes_when_needed() -> None:
    job = local("new", old=["a"])
    assert renamed_from_line(job, "b: c") == 'renamed_from: [a, "b: c"]'
    assert yaml_label("zendesk-tickets") == "zendesk-tickets"
    assert yaml_label("[x]") == '"[x]"'


def test_labels_compare_in_nfc() -> None:
    decomposed = "cafe\u0301"
    p = plan([local("caf\u00e9")], [live("1", decomposed)])
    assert kinds(p) == [("noop", "café", "1")]


@pytest.mark.parametrize(
    ("sent", "stored", "how"),
    [
        ("a  b tickets", "a b tickets", "whitespace collapsed"),
        (" tickets", "tickets", "trimmed"),
        ("x" * 80, "x" * 64, "cut to 64 characters"),
        ("café", "cafe\u0301", None),
        ("tickets-v2", "tickets", None),  # a short prefix is another label
        ("a", "b", None),
    ],
)
def test_how_a_label_was_rewritten(sent: str, stored: str, how: str | None) -> None:
    assert how_rewritten(sent, stored) == how


def test_a_rewritten_label_blocks_the_create() -> None:
    p = plan([local("zendesk  tickets")], [live("1", "zendesk tickets")], prune=True)
    assert kinds(p) == []  # neither a second create nor a delete of the stored one
    (conflict,) = [n for n in p.notices if n.kind == NoticeKind.CONFLICT]
    assert conflict.job_ids == ["1"]
    assert conflict.suggestion == 'label: "zendesk tickets"'


def test_a_cut_label_blocks_only_the_same_job() -> None:
    long = "zendesk-tickets-for-support-" + "x" * 50
    same = plan([local(long)], [live("1", long[:64])])
    assert kinds(same) == []
    other = plan([local(long)], [live("1", long[:64], method="get")])
    assert kinds(other) == [("create", long, None)]


def test_copies_without_runs_or_triggers_heal() -> None:
    jobs = [live("2", "a"), live("1", "a"), live("3", "a")]
    quiet = {i: Activity(0, 0) for i in "123"}
    p = plan([local("a")], jobs, activity=quiet)
    assert kinds(p) == [("delete", "a", "2"), ("delete", "a", "3"), ("noop", "a", "1")]
    assert [a.duplicate_of for a in p.actions[:2]] == ["1", "1"]
    assert [n for n in p.notices if n.kind == NoticeKind.CONFLICT] == []


@pytest.mark.parametrize(
    ("activity", "jobs"),
    [
        (None, [live("1", "a"), live("2", "a")]),  # not read: never deleted
        ({"1": Activity(0, 0), "2": Activity(1, 0)}, [live("1", "a"), live("2", "a")]),
        ({"1": Activity(0, 0), "2": Activity(0, 3)}, [live("1", "a"), live("2", "a")]),
        (
            {"1": Activity(0, 0), "2": Activity(0, 0)},
            [live("1", "a"), live("2", "a", method="get")],
        ),
    ],
)
def test_any_other_double_label_stays_a_conflict(
    activity: dict[str, Activity] | None, jobs: list[dict[str, Any]]
) -> None:
    p = plan([local("a")], jobs, activity=activity)
    assert kinds(p) == []
    (conflict,) = p.notices
    assert '[profiles.staging.pins] "a" = "<id>"' in conflict.message
    assert [c.id for c in conflict.candidates] == ["1", "2"]  # in creation order
    first = conflict.candidates[0]
    assert (first.created_at, first.updated_at, first.matches_file) == (
        "2026-01-01T00:00:00Z",
        "2026-02-01T00:00:00Z",
        True,
    )
    if activity is not None:
        assert [(c.triggers, c.runs) for c in conflict.candidates] == [
            (activity["1"].triggers, activity["1"].runs),
            (activity["2"].triggers, activity["2"].runs),
        ]


def test_a_profile_pin_resolves_the_conflict_for_that_profile_only(tmp_path: Path) -> None:
    (tmp_path / "syncspec.toml").write_text(
        '[profiles.staging]\napi_url = "http://s"\n[profiles.staging.pins]\n"a" = "2"\n'
        '[profiles.production]\napi_url = "http://p"\n'
    )
    jobs = [live("1", "a"), live("2", "a", method="get")]
    staging = load_settings(tmp_path, profile="staging", environ={})
    production = load_settings(tmp_path, profile="production", environ={})
    assert staging.profile.pins == {"a": "2"}
    pinned = plan(apply_pins([local("a")], staging.profile.pins), jobs)
    assert kinds(pinned) == [("update", "a", "2")]
    assert [n.kind for n in pinned.notices] == [NoticeKind.UNMANAGED]  # "1" is left alone
    unpinned = plan(apply_pins([local("a")], production.profile.pins), jobs)
    assert [n.kind for n in unpinned.notices] == [NoticeKind.CONFLICT]


def test_pins_must_be_ids(tmp_path: Path) -> None:
    (tmp_path / "syncspec.toml").write_text('[profiles.s]\n[profiles.s.pins]\n"a" = 3\n')
    with pytest.raises(ConfigError, match=r'profiles\.s\.pins: "a" must be a live job id'):
        load_settings(tmp_path, profile="s", environ={})


@pytest.mark.parametrize(
    ("template", "runs", "expected"),
    [
        (None, [], ([], True)),
        ("fixed", [], (["fixed"], True)),
        ("{{args.account}}", [], ([], False)),
        (
            "{{args.account}}",
            [{"args": {"account": "a1"}}, {"args": {"account": "a1"}}],
            (["a1"], True),
        ),
        ("{{args.account}}", [{"args": {}}], ([], False)),
        ("{{args.x}}", [{"state_key": "given", "args": {}}], (["given"], True)),
        ("{{args.integrated_account_id}}", [{"integrated_account_id": "acct"}], (["acct"], True)),
    ],
)
def test_state_namespaces(template: Any, runs: list[dict[str, Any]], expected: Any) -> None:
    assert state_namespaces(template, runs) == expected


def test_a_create_another_apply_healed_away_is_reported_not_a_residual() -> None:
    from syncspec.engine.after import converge_creates
    from syncspec.engine.model import Action, ActionResult, Outcome

    class NoDeletes:
        def delete_sync_job(self, job_id: str) -> Any:
            raise AssertionError("nothing of ours is left to delete")

    action = Action(kind=ActionKind.CREATE, label="a", body={"label": "a"})
    ours = ActionResult(kind=ActionKind.CREATE, label="a", job_id="2", outcome=Outcome.DONE)
    results = {0: ours}
    left = converge_creates([action], results, NoDeletes(), [live("1", "a")])
    assert left == [live("1", "a")]
    assert (results[0].job_id, results[0].duplicate_deleted, results[0].outcome) == (
        "1",
        "2",
        Outcome.DONE,
    )
    assert "deleted the one this apply created (2) as its duplicate" in str(results[0].note)
