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
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar, cast

import click

from syncspec import __version__
from syncspec.cli._group import complete_help, hoist_group_options
from syncspec.errors import ConfigError, ExitCode, SyncspecError
from syncspec.redact import RedactingFilter, RedactingStream, redact

if TYPE_CHECKING:
    from syncspec.config import Settings

# Project imports inside functions: the root command loads on every call, --help included;
# settings and colour load only when a command needs them (bench/BENCHMARKS.md, "Imports").

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
    "schedules": "schedules",
    "diff": "diff",
    "fmt": "fmt",
    "show": "show",
}


@dataclass(frozen=True)
class GlobalOptions:
    profile: str | None
    config: Path | None
    debug: bool
    no_color: bool = False
    allow_hosts: tuple[str, ...] = ()  # --allow-host (issue 11): into Settings.allowed_hosts

    def settings(self, cwd: Path | None = None, profile: str | None = None) -> Any:
        """Load ``syncspec.config.Settings`` for this invocation (``profile``: instead of
        ``--profile``, for ``diff``)."""
        from syncspec.config import load_settings

        settings = load_settings(
            cwd=cwd,
            profile=profile or self.profile,
            config_path=self.config,
            allow_hosts=self.allow_hosts,
        )
        for notice in settings.notices:  # an environment variable the profile overrides
            click.echo(f"note: {notice}", err=True)
        return settings


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

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """click's, with "did you mean" for a mistyped command (``plna``, ``run start``)."""
        name = args[0] if args else ""
        if args and not name.startswith("-") and self.get_command(ctx, name) is None:
            import difflib

            close = difflib.get_close_matches(name, self.list_commands(ctx), n=1, cutoff=0.6)
            if close:
                ctx.fail(f"No such command '{name}'. Did you mean '{close[0]}'?")
        return super().resolve_command(ctx, args)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and _module_exists(self.lazy[cmd_name]):
            module = importlib.import_module(f"syncspec.cli.{self.lazy[cmd_name]}")
            command: click.Command = module.command
            complete_help(command, cmd_name)
            return command
        return super().get_command(ctx, cmd_name)


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
        argv = list(sys.argv[1:] if args is None else args)
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
    # Every output path goes through redaction: each write to stdout/stderr (click, rich, the
    # --debug log) is redacted whole (syncspec.redact), for the length of the command.
    saved = sys.stdout, sys.stderr
    sys.stdout = cast(TextIO, RedactingStream(saved[0]))
    sys.stderr = cast(TextIO, RedactingStream(saved[1]))
    try:
        return _run_redacted(group, argv, prog_name, complete_var, debug, **extra)
    finally:
        sys.stdout, sys.stderr = saved


def _run_redacted(
    group: click.Group,
    argv: list[str],
    prog_name: str,
    complete_var: str | None,
    debug: bool,
    **extra: Any,
) -> int:
    try:
        argv = hoist_group_options(group, argv)
        rv = click.Group.main(group, argv, prog_name, complete_var, standalone_mode=False, **extra)
    except (KeyboardInterrupt, click.exceptions.Abort) as exc:
        click.echo("interrupted", err=True)
        # SIGTERM arrives as a KeyboardInterrupt subclass (engine.apply.Terminated): 128 + 15
        return 143 if getattr(exc, "signal_name", "") == "SIGTERM" else ExitCode.INTERRUPTED
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.format_message())
        return ExitCode.OK
    except click.ClickException as exc:
        # Usage errors are invalid options: exit 3, never 2 (2 means "changes present").
        click.echo(redact(f"error: {exc.format_message()}"), err=True)
        if isinstance(exc, click.UsageError):
            path = exc.ctx.command_path if exc.ctx is not None else prog_name
            click.echo(f"Try '{path} --help' for help.", err=True)
        return ExitCode.CONFIG if isinstance(exc, click.UsageError) else ExitCode.ERROR
    except SyncspecError as exc:
        message = str(exc)
        if message:
            click.echo(redact(f"error: {message}"), err=True)
        if debug:
            import traceback  # --debug only: not on every start-up

            click.echo(redact(traceback.format_exc()), err=True)
        return int(exc.exit_code)
    except BrokenPipeError:
        return ExitCode.ERROR
    except Exception as exc:  # a bug: one line, the traceback only with --debug
        if debug:
            import traceback  # --debug only: not on every start-up

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
@click.option(
    "--allow-host",
    "allow_hosts",
    multiple=True,
    metavar="HOST",
    help="Also allow sending the API token to HOST (repeatable; env SYNCSPEC_ALLOWED_HOSTS, "
    "comma-separated). Default: api.truto.one and loopback only; syncspec.toml cannot allow hosts.",
)
@click.pass_context
def cli(  # noqa: PLR0917 - click passes each option as an argument
    ctx: click.Context,
    profile: str | None,
    config: Path | None,
    debug: bool,
    no_color: bool,
    allow_hosts: tuple[str, ...],
) -> None:
    """Config-as-code for Truto sync jobs: validate, plan, apply, pull, and run them.

    Options above go before or after the command: `syncspec plan --debug` works.
    """
    ctx.obj = GlobalOptions(
        profile=profile, config=config, debug=debug, no_color=no_color, allow_hosts=allow_hosts
    )
    if debug:
        _enable_debug_logging()


def _enable_debug_logging() -> None:
    import logging  # here, not at the top: only --debug needs it

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


def files_or_jobs_dir(settings: Settings, paths: Sequence[Path], command: str) -> list[Path]:
    """``paths`` as given, or else the configured jobs directory (which must exist)."""
    if paths:
        return list(paths)
    jobs_dir = settings.jobs_dir
    if not jobs_dir.is_dir():
        raise ConfigError(
            f"jobs directory {jobs_dir} does not exist "
            f"(set jobs_dir in syncspec.toml, or pass files or directories to {command})"
        )
    return [jobs_dir]


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
