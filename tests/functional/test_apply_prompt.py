"""issue 24: the apply prompt, on a real pseudo-terminal as a user meets it: it names the
profile, API URL, environment and counts; deletes need `yes` or their count (not `y`); Ctrl-D and
Ctrl-C at the prompt say "Nothing was changed"."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import EmulatorHandle
from tests.functional.terminal import answer_in_terminal
from tests.functional.test_plan_apply import job, make_project, writes

PROMPT = b"Type yes or 2 to apply: "


def _answer_in_terminal(cwd: Path, env: dict[str, str], answer: bytes) -> tuple[int, str]:
    proc, output = answer_in_terminal(
        ["apply", "--prune", "--no-color"], cwd, env, PROMPT, answer, controlling=True
    )
    return proc.wait(timeout=120), output.decode(errors="replace").replace("\r\n", "\n")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("answer", "code", "says"),
    [
        (b"y\n", 1, "error: apply cancelled. Nothing was changed.\n"),
        (b"\x04", 1, "\nerror: no answer (end of input). Nothing was changed.\n"),
        (b"\x03", 130, "\nerror: interrupted at the prompt. Nothing was changed.\n"),
        (b"yes\n", 0, "Apply complete: 3 done, 0 failed, 0 not attempted.\n"),
        (b"2\n", 0, "Apply complete: 3 done, 0 failed, 0 not attempted.\n"),
    ],
    ids=["y-is-not-enough", "ctrl-d", "ctrl-c", "yes", "the-count"],
)
def test_delete_prompt(
    tmp_path: Path, emulator_env: EmulatorHandle, answer: bytes, code: int, says: str
) -> None:
    make_project(tmp_path, examples=False, toml='[prune]\nlabels = ["old-*"]\n')
    (tmp_path / "jobs/new.yaml").write_text(
        "label: new\nintegration_name: zendesk\ndefault_runtime_version: 2\nresources:\n"
        "  - resource: ticketing/tickets\n    method: list\n"
    )
    emulator_env.seed(job("old-a"), job("old-b"))
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "SYNCSPEC_PROFILE")}
    env.update(emulator_env.environ())
    status, output = _answer_in_terminal(tmp_path, env, answer)
    assert status == code, output
    assert (
        f"Apply to profile default at {emulator_env.url}, environment "
        f"{emulator_env.environment_id}: 1 to create, 0 to update, 2 to delete.\n"
        "This DELETES 2 live job(s): old-a, old-b.\n"
    ) in output
    assert output.endswith(says), output
    if code != 0:
        assert writes(emulator_env) == []
