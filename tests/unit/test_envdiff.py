"""``syncspec diff`` as data (engine.envdiff): pairing by label, explained or not."""

from __future__ import annotations

from typing import Any

from syncspec.config import EVERY_LABEL, LabelSelection
from syncspec.engine.envdiff import Side, compare_environments


def _job(label: str, webhook: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"id-{label}-{webhook}",
        "label": label,
        "integration_name": "zendesk",
        "default_runtime_version": 4,
        "resources": [
            {"name": "send", "type": "destination", "config": {"id": webhook}},
        ],
        **extra,
    }


def _side(name: str, webhook: str, selection: LabelSelection = EVERY_LABEL) -> Side:
    return Side(name, "http://127.0.0.1:1", {"webhook_id": webhook}, selection.selects)


VARS = {"send": [(("resources", 0, "config", "id"), "webhook_id")]}


def test_a_value_difference_is_explained_only_by_each_profiles_own_value() -> None:
    left, right = _side("staging", "wh_s"), _side("production", "wh_p")
    diff = compare_environments(left, [_job("send", "wh_s")], right, [_job("send", "wh_p")], VARS)
    ((job),) = diff.jobs
    assert (job.status, [d.explained_by for d in job.differences]) == ("explained", ["webhook_id"])
    assert diff.same
    # production holds another value than its profile's: not explained
    diff = compare_environments(left, [_job("send", "wh_s")], right, [_job("send", "wh_x")], VARS)
    assert (diff.jobs[0].status, diff.same) == ("different", False)
    # the same difference without a `!var` in the file: not explained
    diff = compare_environments(left, [_job("send", "wh_s")], right, [_job("send", "wh_p")], {})
    assert (diff.jobs[0].status, diff.same) == ("different", False)


def test_other_differences_are_not_explained() -> None:
    left, right = _side("staging", "wh_s"), _side("production", "wh_p")
    there = _job("send", "wh_p", mutex_key="m")
    diff = compare_environments(left, [_job("send", "wh_s")], right, [there], VARS)
    (job,) = diff.jobs
    assert job.status == "different"
    assert sorted((d.pointer, d.explained_by) for d in job.differences) == [
        ("/mutex_key", None),
        ("/resources/0/config/id", "webhook_id"),
    ]


def test_one_sided_jobs_are_explained_by_the_other_profiles_selection() -> None:
    left = _side("staging", "wh_s")
    right = _side("production", "wh_p", LabelSelection(exclude=("beta-*",)))
    live = [_job("beta-x", "wh_s"), _job("gamma", "wh_s")]
    diff = compare_environments(left, live, right, [], {})
    assert [(j.label, j.status, j.explained) for j in diff.jobs] == [
        ("beta-x", "only_left", True),
        ("gamma", "only_left", False),
    ]
    assert not diff.same


def test_a_label_carried_twice_is_ambiguous() -> None:
    left, right = _side("staging", "wh_s"), _side("production", "wh_p")
    twice = [_job("send", "wh_p"), {**_job("send", "wh_p"), "id": "other"}]
    diff = compare_environments(left, [_job("send", "wh_s")], right, twice, VARS)
    assert [(j.status, j.note) for j in diff.jobs] == [
        ("ambiguous", "several live jobs carry it (1 in staging, 2 in production)")
    ]
    assert not diff.same
