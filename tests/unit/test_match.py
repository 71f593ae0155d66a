from __future__ import annotations

from pathlib import Path
from typing import Any

from syncspec.config import PruneScope
from syncspec.engine.match import Ownership, is_selected, match_jobs
from syncspec.engine.model import NoticeKind, PlanOptions
from syncspec.jobfile.jobs import LocalJob


def local(label: str, *, pin: str | None = None, name: str | None = None) -> LocalJob:
    data: dict[str, Any] = {"label": label, "integration_name": "zendesk"}
    if pin is not None:
        data["id"] = pin
    display = f"jobs/{name or label}.yaml"
    return LocalJob(path=Path("/p") / display, display=display, line=1, data=data)


def live(ident: str, label: str, integration: str = "zendesk") -> dict[str, Any]:
    return {"id": ident, "label": label, "integration_name": integration, "updated_at": "t"}


NO_SCOPE = PruneScope()
ALL = PruneScope(labels=("*",))


def _summary(m: Any) -> dict[str, Any]:
    return {
        "pairs": [(f.display, j["id"]) for f, j in m.pairs],
        "creates": [f.display for f in m.creates],
        "deletes": [j["id"] for j in m.deletes],
        "unmanaged": [n.job_ids for n in m.unmanaged],
        "conflicts": [(n.file, n.job_ids) for n in m.conflicts],
    }


def test_bind_by_label_create_and_unmanaged() -> None:
    m = match_jobs(
        [local("a"), local("b")],
        [live("1", "a"), live("9", "z")],
        options=PlanOptions(),
        prune_scope=NO_SCOPE,
    )
    assert _summary(m) == {
        "pairs": [("jobs/a.yaml", "1")],
        "creates": ["jobs/b.yaml"],
        "deletes": [],
        "unmanaged": [["9"]],
        "conflicts": [],
    }
    assert m.unmanaged[0].kind == NoticeKind.UNMANAGED
    assert m.unmanaged[0].message == 'live job "z" (id 9) is not managed by any file'


def test_two_live_jobs_with_the_claimed_label_is_a_conflict_and_not_planned() -> None:
    m = match_jobs(
        [local("a")],
        [live("2", "a"), live("1", "a")],
        options=PlanOptions(prune=True),
        prune_scope=ALL,
    )
    assert _summary(m) == {
        "pairs": [],
        "creates": [],
        "deletes": [],
        "unmanaged": [],
        "conflicts": [("jobs/a.yaml", ["1", "2"])],
    }
    assert m.conflicts[0].message == (
        '2 live jobs are labelled "a" (ids 1, 2); keep one: pin it for this environment in '
        'syncspec.toml ([profiles.<profile>.pins] "a" = "<id>"; each environment pins its own, '
        "the job file stays as it is), or delete the others"
    )


def test_pinned_id_resolves_the_conflict_and_other_is_never_pruned() -> None:
    m = match_jobs(
        [local("a", pin="2")],
        [live("1", "a"), live("2", "a")],
        options=PlanOptions(prune=True),
        prune_scope=ALL,
    )
    assert _summary(m)["pairs"] == [("jobs/a.yaml", "2")]
    assert m.deletes == []
    assert [n.message for n in m.unmanaged] == [
        'live job "a" (id 1) carries the label of a job file but is not bound to it; '
        "it is never pruned"
    ]


def test_pinned_id_binds_even_when_live_label_differs() -> None:
    m = match_jobs(
        [local("new-name", pin="7")],
        [live("7", "old-name")],
        options=PlanOptions(),
        prune_scope=NO_SCOPE,
    )
    assert _summary(m)["pairs"] == [("jobs/new-name.yaml", "7")]


def test_pinned_id_not_found_is_a_conflict_not_a_create() -> None:
    m = match_jobs(
        [local("a", pin="404")],
        [live("1", "a")],
        options=PlanOptions(prune=True),
        prune_scope=ALL,
    )
    assert _summary(m) == {
        "pairs": [],
        "creates": [],
        "deletes": [],
        "unmanaged": [["1"]],
        "conflicts": [("jobs/a.yaml", [])],
    }
    assert m.conflicts[0].message == (
        'jobs/a.yaml pins id "404", which is not a live job in this environment; '
        'not creating it (remove "id:" to create a new job)'
    )


def test_duplicate_labels_across_files_conflict_for_each_file() -> None:
    m = match_jobs(
        [local("a", name="one"), local("a", name="two")],
        [live("1", "a")],
        options=PlanOptions(prune=True),
        prune_scope=ALL,
    )
    assert _summary(m) == {
        "pairs": [],
        "creates": [],
        "deletes": [],
        "unmanaged": [],
        "conflicts": [("jobs/one.yaml", ["1"]), ("jobs/two.yaml", ["1"])],
    }
    assert m.conflicts[0].message == (
        'label "a" is claimed by 2 files (jobs/one.yaml, jobs/two.yaml); '
        "labels must be unique across the job files"
    )


def test_duplicate_pins_across_files_conflict() -> None:
    m = match_jobs(
        [local("a", pin="1"), local("b", pin="1")],
        [live("1", "a")],
        options=PlanOptions(prune=True),
        prune_scope=ALL,
    )
    assert _summary(m)["conflicts"] == [("jobs/a.yaml", ["1"]), ("jobs/b.yaml", ["1"])]
    assert m.deletes == [] and m.unmanaged == [] and m.pairs == []


def test_prune_only_in_scope_and_only_with_prune() -> None:
    scope = PruneScope(labels=("team-a-*",), integrations=("zendesk",))
    jobs = [live("1", "team-a-x"), live("2", "team-a-y", "hubspot"), live("3", "team-b-x")]
    without = match_jobs([], jobs, options=PlanOptions(), prune_scope=scope)
    assert without.deletes == []
    assert [n.message for n in without.unmanaged] == [
        'live job "team-a-x" (id 1) is not managed by any file; '
        "it is in the prune scope: --prune would delete it",
        'live job "team-a-y" (id 2) is not managed by any file',
        'live job "team-b-x" (id 3) is not managed by any file',
    ]
    with_prune = match_jobs([], jobs, options=PlanOptions(prune=True), prune_scope=scope)
    assert _summary(with_prune)["deletes"] == ["1"]
    assert _summary(with_prune)["unmanaged"] == [["2"], ["3"]]


def test_empty_scope_never_deletes() -> None:
    m = match_jobs([], [live("1", "x")], options=PlanOptions(prune=True), prune_scope=NO_SCOPE)
    assert m.deletes == []


def test_target_and_exclude_globs_filter_both_sides() -> None:
    options = PlanOptions(prune=True, targets=["zen-*"], excludes=["zen-skip"])
    m = match_jobs(
        [local("zen-a"), local("zen-new"), local("zen-skip"), local("other")],
        [live("1", "zen-a"), live("2", "zen-gone"), live("3", "other"), live("4", "x")],
        options=options,
        prune_scope=ALL,
    )
    assert _summary(m) == {
        "pairs": [("jobs/zen-a.yaml", "1")],
        "creates": ["jobs/zen-new.yaml"],
        "deletes": ["2"],
        "unmanaged": [],
        "conflicts": [],
    }


def test_filtered_out_file_still_protects_its_live_job() -> None:
    # file "a" pins job 7 (live label "b"): --target b must not see job 7 as unclaimed
    m = match_jobs(
        [local("a", pin="7")],
        [live("7", "b")],
        options=PlanOptions(prune=True, targets=["b"]),
        prune_scope=ALL,
    )
    assert m.deletes == []
    assert _summary(m)["pairs"] == [("jobs/a.yaml", "7")]  # selected through the live label


def test_is_selected() -> None:
    assert is_selected("x", PlanOptions())
    assert is_selected("Zen", PlanOptions(targets=["Z*"]))
    assert not is_selected("zen", PlanOptions(targets=["Z*"]))
    assert not is_selected("zen", PlanOptions(excludes=["*"]))


# -- issue 10: narrowing never un-manages -------------------------------------------------------


def test_paths_narrow_what_is_planned_and_never_prune() -> None:
    m = match_jobs(
        [local("a"), local("b"), local("c")],
        [live("1", "a"), live("2", "b"), live("9", "stray")],
        options=PlanOptions(prune=True),
        prune_scope=ALL,
        ownership=Ownership(planned_files=frozenset({"jobs/a.yaml", "jobs/c.yaml"})),
    )
    assert _summary(m) == {
        "pairs": [("jobs/a.yaml", "1")],
        "creates": ["jobs/c.yaml"],
        "deletes": [],
        "unmanaged": [["9"], ["9"]],
        "conflicts": [],
    }
    warning = next(n for n in m.unmanaged if n.kind == NoticeKind.WARNING)
    assert warning.message.endswith(
        "PATHS narrow the plan to some job files; plan without PATHS to prune"
    )


def test_labels_and_pins_of_files_with_errors_are_claimed() -> None:
    m = match_jobs(
        [local("a")],
        [live("1", "a"), live("2", "broken"), live("3", "other-label")],
        options=PlanOptions(prune=True),
        prune_scope=ALL,
        ownership=Ownership(labels=frozenset({"broken"}), ids=frozenset({"3"})),
    )
    assert _summary(m)["deletes"] == []
    assert [n.job_ids for n in m.unmanaged] == [["2"]]
    assert "carries the label of a job file" in m.unmanaged[0].message


def test_an_incomplete_view_of_the_job_files_prunes_nothing() -> None:
    m = match_jobs(
        [],
        [live("9", "stray")],
        options=PlanOptions(prune=True),
        prune_scope=ALL,
        ownership=Ownership(prune_blocked=("jobs/x.yaml cannot be read or parsed",)),
    )
    assert m.deletes == []
    assert [n.kind for n in m.unmanaged] == [NoticeKind.WARNING, NoticeKind.UNMANAGED]
    assert m.unmanaged[0].message == (
        "--prune deletes nothing in this plan (1 unmanaged job(s) in the prune scope kept): "
        "jobs/x.yaml cannot be read or parsed"
    )
