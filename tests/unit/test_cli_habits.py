"""CLI habits (issue 14): group options anywhere, colour decision, help examples and width."""

from __future__ import annotations

import io
import re
from typing import Any

import click
import pytest
from click.testing import CliRunner

from syncspec.cli import COMMANDS, _module_exists, cli
from syncspec.cli._group import hoist_group_options
from syncspec.cli.examples import EXAMPLES
from syncspec.render.color import use_color


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


# ---- global options before or after the command ---------------------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["plan", "--debug"], ["--debug", "plan"]),
        (["plan", "jobs/", "--profile", "prod", "--format", "json"],
         ["--profile", "prod", "plan", "jobs/", "--format", "json"]),
        (["plan", "--profile=prod"], ["--profile=prod", "plan"]),
        (["--debug", "runs", "start", "X", "--no-color", "--account", "A"],
         ["--debug", "--no-color", "runs", "start", "X", "--account", "A"]),
        # a subcommand option's value that looks like a global option stays a value
        (["runs", "start", "X", "--arg", "--debug", "--account", "A"],
         ["runs", "start", "X", "--arg", "--debug", "--account", "A"]),
        # after `--` everything is an argument
        (["validate", "--", "--debug"], ["validate", "--", "--debug"]),
        # unknown commands are left for click to report
        (["nope", "--debug"], ["nope", "--debug"]),
        (["runs", "--config", "x.toml", "list"], ["--config", "x.toml", "runs", "list"]),
    ],
)  # fmt: skip
def test_group_options_are_hoisted(argv: list[str], expected: list[str]) -> None:
    assert hoist_group_options(cli, argv) == expected


def test_any_group_option_is_hoisted_unless_the_command_has_its_own() -> None:
    @click.group()
    @click.option("--allow-host", multiple=True)
    @click.option("--format")
    def group(allow_host: tuple[str, ...], format: str | None) -> None: ...

    @group.command()
    @click.option("--format")
    def sub(format: str | None) -> None: ...

    argv = ["sub", "--allow-host", "h1", "--format", "json", "--allow-host=h2"]
    assert hoist_group_options(group, argv) == [
        "--allow-host", "h1", "--allow-host=h2", "sub", "--format", "json",
    ]  # fmt: skip


def test_debug_after_the_command_works(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.yaml").write_text("label: a\ndefault_runtime_version: 2\nresources: []\n")
    result = CliRunner().invoke(cli, ["validate", "a.yaml", "--debug", "--no-color"])
    assert (result.exit_code, result.output) == (0, "1 file checked, no problems\n")
    unknown = CliRunner().invoke(cli, ["validate", "--bogus"])
    assert unknown.exit_code == 3
    assert unknown.stderr == (
        "error: No such option '--bogus'.\nTry 'cli validate --help' for help.\n"
    )


# ---- colour: one decision --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tty", "flag", "environ", "expected"),
    [
        (True, False, {}, True),
        (False, False, {}, False),
        (True, False, {"NO_COLOR": "1"}, False),
        (False, False, {"FORCE_COLOR": "1"}, True),
        (True, True, {"FORCE_COLOR": "1"}, False),  # --no-color wins
        (False, False, {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        (True, False, {"NO_COLOR": ""}, True),  # empty means unset (no-color.org)
    ],
)
def test_use_color(tty: bool, flag: bool, environ: dict[str, str], expected: bool) -> None:
    stream = _Tty() if tty else io.StringIO()
    assert use_color(stream, no_color=flag, environ=environ) is expected


def test_no_color_flag_reaches_the_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    from syncspec import cli as cli_module

    seen: list[bool] = []

    @cli.command("colour-probe")
    def probe() -> None:
        seen.append(cli_module.use_color(io.StringIO()))

    try:
        monkeypatch.setenv("FORCE_COLOR", "1")
        monkeypatch.delenv("NO_COLOR", raising=False)
        CliRunner().invoke(cli, ["colour-probe"], catch_exceptions=False)
        CliRunner().invoke(cli, ["colour-probe", "--no-color"], catch_exceptions=False)
    finally:
        cli.commands.pop("colour-probe")
    assert seen == [True, False]


# ---- help: examples everywhere, nothing cut --------------------------------------------------


def _command_paths() -> list[str]:
    ctx = click.Context(cli, info_name="syncspec")
    paths = []
    for name in cli.list_commands(ctx):
        command = cli.get_command(ctx, name)
        assert command is not None
        paths.append(name)
        if isinstance(command, click.Group):
            paths += [f"{name} {sub}" for sub in command.list_commands(ctx)]
    return paths


def test_every_command_has_examples_in_its_help() -> None:
    paths = _command_paths()
    assert {"plan", "apply", "pull", "validate", "runs start", "run-state get"} <= set(paths)
    for path in paths:
        result = CliRunner().invoke(cli, [*path.split(), "--help"], catch_exceptions=False)
        assert result.exit_code == 0, path
        lines = result.output.splitlines()
        assert "  Examples:" in lines or "  Example:" in lines, path
        for example in EXAMPLES[path]:
            assert f"    {example}" in lines, (path, example)


def test_examples_cover_the_reserved_commands() -> None:
    # test/graph land with other issues; their examples are ready for them
    assert set(COMMANDS) <= set(EXAMPLES)
    assert "syncspec test tests/zendesk-tickets.yaml --format junit > junit.xml" in EXAMPLES["test"]
    assert all(isinstance(_module_exists(m), bool) for m in COMMANDS.values())


def test_top_level_help_does_not_cut_descriptions() -> None:
    result = CliRunner().invoke(cli, ["--help"], catch_exceptions=False)
    runs = CliRunner().invoke(cli, ["runs", "--help"], catch_exceptions=False)
    for output in (result.output, runs.output):
        listing = output[output.index("\nCommands:\n") :]
        assert "..." not in listing
    # the whole first sentence of `apply`, wrapped by click
    listing = " ".join(result.output.split())
    assert "apply Apply changes: plan, show, confirm, then write; or apply a saved PLAN_FILE." in (
        listing
    )


def test_help_with_options_after_the_command_stays_light() -> None:
    """Hoisting resolves the subcommand (importing its module); still no heavy imports."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import json, sys\n"
        "from syncspec.cli import main\n"
        "try:\n"
        "    main(['plan', '--debug', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "  Examples:\n    syncspec plan\n" in proc.stdout, proc.stderr[-2000:]
    imported = set(json.loads(proc.stderr.splitlines()[-1]))
    assert "syncspec.cli.plan" in imported  # the measurement works
    for heavy in ("httpx", "deepdiff", "rich", "syncspec.emulator", "syncspec.api"):
        assert not {m for m in imported if m == heavy or m.startswith(heavy + ".")}, heavy


def _parse(argv: list[str]) -> None:
    """Parse ``argv`` as click would, down to the last subcommand, without running it."""
    from syncspec.cli._group import hoist_group_options

    args = hoist_group_options(cli, argv)
    command: click.Command = cli
    ctx = cli.make_context("syncspec", args)
    # click 8 keeps a group's subcommand name apart (click 9: all in ctx.args)
    while isinstance(command, click.Group) and (
        remaining := [*getattr(ctx, "_protected_args", []), *ctx.args]
    ):
        name, *rest = remaining
        sub = command.get_command(ctx, name)
        assert sub is not None, name
        command, ctx = sub, sub.make_context(name, rest, parent=ctx)


def test_every_example_parses(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each example's options exist and its values have the right types."""
    import shlex

    monkeypatch.chdir(tmp_path)
    (tmp_path / "jobs").mkdir()  # the files the examples name
    (tmp_path / "tests").mkdir()
    for name in (
        "jobs.json",
        "args.json",
        "jobs/zendesk-tickets.yaml",
        "tests/zendesk-tickets.yaml",
    ):
        (tmp_path / name).write_text("{}")
    ready = {n for n, m in COMMANDS.items() if _module_exists(m)}
    checked = 0
    for path, lines in EXAMPLES.items():
        if path.split()[0] not in ready:
            continue  # test/graph: their modules land with their issues
        for line in lines:
            command_line = re.split(r" +#|\||>|&&", line)[0]
            argv = shlex.split(command_line)
            assert argv[0] == "syncspec", line
            _parse(argv[1:])
            checked += 1
    assert checked > 30
