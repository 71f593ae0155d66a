"""The ``syncspec`` command line: a lazily loaded click group and the one error edge.

Each subcommand lives in ``syncspec/cli/<module>.py`` and exposes ``command`` (a click command
or group). Modules are imported only when their command runs (or ``--help`` lists them), and
they import their core modules inside the command function, so ``syncspec validate`` and
``--help`` never import httpx, deepdiff, rich or the emulator.

Commands return an ``int`` exit code (see ``syncspec.errors.ExitCode``); ``SyncspecError`` is
caught here and mapped to its code; anything else is a bug.
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import inspect
import logging
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from syncspec import __version__
from syncspec.cli.examples import examples_epilog
from syncspec.errors import ExitCode, SyncspecError
from syncspec.redact import redact

# command name -> module under syncspec.cli (each exposes ``command``)
COMMANDS: dict[str, str] = {
    "validate": "validate",
    "schema": "schema",
    "plan": "plan",
    "apply": "apply",
    "pull": "pull",
    "runs": "runs",
    "run-state": "run_state",
    "emulator": "emulator",
    "init": "init",
    "demo": "demo",
    "test": "node_tests",
    "graph": "graph",
}


@dataclass(frozen=True)
class GlobalOptions:
    profile: str | None
    config: Path | None
    debug: bool
    no_color: bool = False

    def settings(self, cwd: Path | None = None) -> Any:
        """Load ``syncspec.config.Settings`` for this invocation."""
        from syncspec.config import load_settings

        return load_settings(cwd=cwd, profile=self.profile, config_path=self.config)

    def client(self, settings: Any = None, **overrides: Any) -> Any:
        """A ``TrutoClient`` for ``settings`` (default: this invocation's settings)."""
        from syncspec.api.client import TrutoClient

        return TrutoClient.from_settings(settings or self.settings(), **overrides)


def _module_exists(module: str) -> bool:
    return importlib.util.find_spec(f"syncspec.cli.{module}") is not None


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx))
        names.update(n for n, m in self.lazy.items() if _module_exists(m))
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and _module_exists(self.lazy[cmd_name]):
            module = importlib.import_module(f"syncspec.cli.{self.lazy[cmd_name]}")
            command: click.Command = module.command
            _complete_help(command, cmd_name)
            return command
        return super().get_command(ctx, cmd_name)


def _complete_help(command: click.Command, path: str) -> None:
    """Add the examples of ``syncspec.cli.examples`` and an uncut short help, once per command.

    click cuts the one-line help of ``syncspec --help`` at ~45 characters with "..."; the
    whole first sentence is set instead (the help formatter wraps it).
    """
    if getattr(command, "_syncspec_help_done", False):
        return
    if command.short_help is None and command.help:
        command.short_help = _first_sentence(command.help)
    epilog = examples_epilog(path, command.help or "")
    if epilog is not None:
        command.epilog = f"{command.epilog}\n\n{epilog}" if command.epilog else epilog
    command._syncspec_help_done = True  # type: ignore[attr-defined]
    if isinstance(command, click.Group) and not isinstance(command, LazyGroup):
        for name, sub in command.commands.items():
            _complete_help(sub, f"{path} {name}")


def _first_sentence(text: str) -> str:
    paragraph = inspect.cleandoc(text).split("\n\n", 1)[0]
    words = " ".join(paragraph.split())
    end = words.find(". ")
    return words if end < 0 else words[: end + 1]


def _option_arity(command: click.Command, ctx: click.Context) -> dict[str, int]:
    """Option string -> how many values follow it, for ``command``'s own options."""
    arity: dict[str, int] = {}
    for param in command.get_params(ctx):
        if isinstance(param, click.Option):
            values = 0 if param.is_flag or param.count else param.nargs
            for name in (*param.opts, *param.secondary_opts):
                arity[name] = values
    return arity


def hoist_group_options(group: click.Group, argv: list[str]) -> list[str]:
    """``argv`` with the group's own options moved before the subcommand (``plan --debug``).

    click reads group options only before the subcommand. Any option of ``group`` (``--debug``,
    ``--profile P``, ``--allow-host H``...) found later is moved to the front with its values,
    unless the subcommand has an option of that name itself. Values of the subcommands' own
    options and everything after ``--`` stay where they are; unknown commands are left for
    click to report.
    """
    # contexts as click would build them (help option names are inherited and cached)
    settings = group.context_settings
    ctx = click.Context(group, info_name="syncspec", resilient_parsing=True, **settings)
    group_arity = _option_arity(group, ctx)
    front: list[str] = []
    i = 0
    while i < len(argv) and argv[i].startswith("-") and argv[i] != "--":
        name, has_value = argv[i].split("=", 1)[0], "=" in argv[i]
        take = 0 if has_value else group_arity.get(name, 0)
        front.extend(argv[i : i + 1 + take])
        i += 1 + take
    hoisted: list[str] = []
    rest: list[str] = []
    current: click.Command = group
    awaiting_command = True
    while i < len(argv):
        token = argv[i]
        if token == "--":
            rest.extend(argv[i:])
            break
        if token.startswith("-") and token != "-":
            name, has_value = token.split("=", 1)[0], "=" in token
            own = _option_arity(current, ctx) if current is not group else {}
            if name in own or name not in group_arity:
                take = 0 if has_value else own.get(name, 0)
                rest.extend(argv[i : i + 1 + take])
            else:
                take = 0 if has_value else group_arity[name]
                hoisted.extend(argv[i : i + 1 + take])
            i += 1 + take
            continue
        if awaiting_command and isinstance(current, click.Group):
            sub = current.get_command(ctx, token)
            if sub is None:
                rest.extend(argv[i:])
                break
            current = sub
            ctx = click.Context(sub, parent=ctx, info_name=token, resilient_parsing=True)
            awaiting_command = isinstance(sub, click.Group)
        rest.append(token)
        i += 1
    return front + hoisted + rest


class RootGroup(LazyGroup):
    """Runs click without its own exit handling, so exit codes are ours (pre-commit style)."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> None:
        argv = hoist_group_options(self, list(sys.argv[1:] if args is None else args))
        debug = "--debug" in argv
        code = _run(self, argv, prog_name or "syncspec", complete_var, debug, **extra)
        sys.exit(code)


def _run(
    group: click.Group,
    argv: list[str],
    prog_name: str,
    complete_var: str | None,
    debug: bool,
    **extra: Any,
) -> int:
    try:
        rv = click.Group.main(group, argv, prog_name, complete_var, standalone_mode=False, **extra)
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("interrupted", err=True)
        return ExitCode.INTERRUPTED
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.format_message())
        return ExitCode.OK
    except click.ClickException as exc:
        # Usage errors are invalid options: exit 3, never 2 (2 means "changes present").
        click.echo(redact(f"error: {exc.format_message()}"), err=True)
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            click.echo(f"Try '{exc.ctx.command_path} --help' for help.", err=True)
        return ExitCode.CONFIG if isinstance(exc, click.UsageError) else ExitCode.ERROR
    except SyncspecError as exc:
        message = str(exc)
        if message:
            click.echo(redact(f"error: {message}"), err=True)
        if debug:
            click.echo(redact(traceback.format_exc()), err=True)
        return int(exc.exit_code)
    except BrokenPipeError:
        return ExitCode.ERROR
    except Exception as exc:  # a bug: one line, the traceback only with --debug
        if debug:
            click.echo(redact(traceback.format_exc()), err=True)
        click.echo(
            redact(
                f"syncspec: internal error ({type(exc).__name__}: {exc}). This is a bug in "
                f"syncspec {__version__}; re-run with --debug and report it with the output."
            ),
            err=True,
        )
        return ExitCode.BUG
    if rv is None:
        return ExitCode.OK
    return int(rv)


@click.group(
    cls=RootGroup,
    lazy=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="syncspec")
@click.option(
    "--profile",
    envvar="SYNCSPEC_PROFILE",
    help="Profile from syncspec.toml to use (env SYNCSPEC_PROFILE).",
)
@click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Path to syncspec.toml (default: search upwards from the current directory).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks and HTTP logs (tokens redacted).")
@click.option(
    "--no-color",
    is_flag=True,
    help="No colours (also NO_COLOR=1; FORCE_COLOR=1 forces them off a terminal).",
)
@click.pass_context
def cli(
    ctx: click.Context, profile: str | None, config: Path | None, debug: bool, no_color: bool
) -> None:
    """Config-as-code for Truto sync jobs: validate, plan, apply, pull, and run them.

    Options above go before or after the command: `syncspec plan --debug` works.
    """
    ctx.obj = GlobalOptions(profile=profile, config=config, debug=debug, no_color=no_color)
    if debug:
        _enable_debug_logging()


def _enable_debug_logging() -> None:
    from syncspec.redact import RedactingFilter

    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("debug: %(name)s: %(message)s"))
    root = logging.getLogger("syncspec")
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)


def global_options(ctx: click.Context) -> GlobalOptions:
    obj = ctx.find_root().obj
    if isinstance(obj, GlobalOptions):
        return obj
    return GlobalOptions(profile=None, config=None, debug=False)


def use_color(stream: Any) -> bool:
    """Whether to colour what goes to ``stream`` in this invocation (``--no-color``, NO_COLOR,
    FORCE_COLOR, a terminal): ``syncspec.render.color.use_color`` with the global flag."""
    from syncspec.render.color import use_color as decide

    ctx = click.get_current_context(silent=True)
    return decide(stream, no_color=ctx is not None and global_options(ctx).no_color)


_F = TypeVar("_F", bound=Callable[..., Any])


def format_option(*choices: str, help: str = "Output format.") -> Callable[[_F], _F]:
    """The ``--format`` option (stored as ``output_format``), first choice the default."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help=help,
    )


def main(argv: Sequence[str] | None = None) -> None:
    """The ``syncspec`` executable (``python -m syncspec``)."""
    # A command holds its documents (job files, live jobs, plans) until it exits, and they have
    # no reference cycles; the default thresholds make the cyclic GC walk them over and over
    # (~0.2 s of a 2,000-job plan). Run it less often, as mypy does. Only for the process this
    # function starts: in-process callers (tests) keep their own settings.
    gc.set_threshold(200_000, 30, 30)
    cli.main(args=argv, prog_name="syncspec")
