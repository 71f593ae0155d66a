"""``syncspec apply``: make the live jobs match the job files (or apply a saved plan)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from syncspec.cli import global_options, use_color
from syncspec.cli.plan import echo_local_notes, render_plan, target_options
from syncspec.errors import Aborted, ExitCode, SyncspecError

# Project imports stay inside the commands: `--help` imports every command module (20 syncspec
# modules, 0.10 s CPU; with them at the top 47 modules, 0.29 s: bench/BENCHMARKS.md, "Imports").

if TYPE_CHECKING:  # the engine, client and settings load when the command runs, not for --help
    from syncspec.api.client import TrutoClient
    from syncspec.config import Settings
    from syncspec.engine.apply import ApplyOptions
    from syncspec.engine.model import ApplyResult, Plan, PlanOptions

# More actions than this get a progress bar (on a terminal).
PROGRESS_MIN_ACTIONS = 5


@click.command("apply")
@click.argument(
    "paths", nargs=-1, type=click.Path(path_type=Path), metavar="[PLAN_FILE | PATHS...]"
)
@click.option(
    "-y",
    "--auto-approve",
    is_flag=True,
    help="Apply without asking (required without a terminal).",
)
@click.option(
    "--parallelism",
    type=click.IntRange(1, 64),
    help="Actions run at once (default: parallelism in syncspec.toml, else from its rate_limit: "
    "16 at 500/10s). The client's rate limiter bounds the request rate either way.",
)
@click.option(
    "--on-error",
    type=click.Choice(["stop", "continue"]),
    default="stop",
    show_default=True,
    help="stop: start no new action after a failure (in-flight ones finish).",
)
@click.option(
    "--max-deletes",
    type=click.IntRange(0),
    help="Refuse (before any write) a plan that deletes more jobs than this. "
    "Default: 0 when the CI environment variable is set, else no limit.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: print the ApplyResult (the plan then goes to stderr).",
)
@click.option(
    "--allow-orphans",
    is_flag=True,
    help="Allow deletes that leave cron triggers not managed by syncspec pointing at a deleted "
    "job (refused otherwise without a terminal; asked about at the prompt).",
)
@target_options
@click.pass_context
def command(  # noqa: PLR0917 - click passes each option as an argument
    ctx: click.Context,
    paths: tuple[Path, ...],
    auto_approve: bool,
    parallelism: int | None,
    on_error: str,
    max_deletes: int | None,
    fmt: str,
    allow_orphans: bool,
    targets: tuple[str, ...],
    excludes: tuple[str, ...],
    prune: bool,
) -> int:
    """Apply changes: plan, show, confirm, then write; or apply a saved PLAN_FILE.

    PATHS (job files or directories) narrow the plan as for `syncspec plan`. A saved plan is an
    approval: it is recomputed from the job files and live jobs and applied only if nothing
    differs (else exit 4, nothing changed); another environment's plan is refused (exit 3).
    Each update or delete re-reads its job first and skips it if it changed since the plan
    (exit 4). Deletes run first, then renames, updates, creates. Exit 0 when every action is done,
    1 when any failed or has an unknown outcome (each is listed), 130/143 on Ctrl-C/SIGTERM.
    A delete that orphans cron triggers syncspec does not own is refused without a terminal
    unless --allow-orphans is given; on a terminal the confirmation names them.
    """
    from syncspec.engine.apply import ApplyOptions, OnError, default_max_deletes
    from syncspec.jobfile.discovery import is_job_file_name

    plan_file: Path | None = None
    not_jobs = [p for p in paths if not p.is_dir() and not is_job_file_name(p.name)]
    if len(paths) == 1 and not_jobs:
        plan_file = paths[0]
    elif not_jobs:
        raise click.UsageError(
            f"{not_jobs[0]} is not a job file or folder: apply takes ONE saved plan file "
            "(`syncspec apply plan.json`) or job files and folders to plan and apply, not both"
        )
    else:
        for path in paths:
            if not path.exists():
                raise click.BadParameter(f"{path}: no such file or directory", param_hint="PATHS")
    if plan_file is not None and (targets or excludes):
        raise click.UsageError("--target and --exclude apply when planning, not to a saved plan")
    settings = global_options(ctx).settings()
    options = ApplyOptions(
        parallelism=parallelism or settings.parallelism,
        on_error=OnError(on_error),
        max_deletes=max_deletes if max_deletes is not None else default_max_deletes(os.environ),
    )
    with _sigterm_as_interrupt():
        return _apply(
            settings,
            plan_file,
            paths,
            options,
            fmt,
            auto_approve,
            targets,
            excludes,
            prune,
            allow_orphans=allow_orphans,
        )


def _apply(  # noqa: PLR0917 - the command's options, passed on
    settings: Settings,
    plan_file: Path | None,
    paths: tuple[Path, ...],
    options: ApplyOptions,
    fmt: str,
    auto_approve: bool,
    targets: tuple[str, ...],
    excludes: tuple[str, ...],
    prune: bool,
    *,
    allow_orphans: bool = False,
) -> int:
    from syncspec.api.client import LIST_PAGE_SIZE, TrutoClient
    from syncspec.engine.apply import (
        ApplyInterrupted,
        apply_plan,
        changing_actions,
        check_delete_budget,
    )
    from syncspec.engine.approval import check_saved_options
    from syncspec.engine.identity import check_orphans
    from syncspec.engine.model import ApplyResult, PlanOptions
    from syncspec.engine.plan import load_plan
    from syncspec.engine.project import check_plan_target, conflicts_message
    from syncspec.render.apply_result import render_apply_json

    human = sys.stdout if fmt == "text" else sys.stderr
    color = use_color(human)

    def say(text: str) -> None:
        click.echo(text, file=human, color=color)

    with TrutoClient.from_settings(settings, page_size=LIST_PAGE_SIZE) as client:
        if plan_file is not None:
            saved = load_plan(plan_file)
            check_plan_target(saved, settings)
            problem = conflicts_message(saved)
            if problem:
                raise SyncspecError(problem)
            check_saved_options(saved, prune=prune)
            check_delete_budget(saved, options.max_deletes)
            plan = _approved(settings, saved, client)
            # a saved plan is applied without a prompt: orphaning needs the flag
            check_orphans(plan, allowed=allow_orphans, interactive=False)
        else:
            plan_options = PlanOptions(prune=prune, targets=list(targets), excludes=list(excludes))
            plan = _fresh_plan(settings, paths, plan_options, client)
            click.echo(render_plan(plan, "text", color=color), nl=False, file=human, color=color)
            problem = conflicts_message(plan)
            if problem:
                raise SyncspecError(problem)
            check_delete_budget(plan, options.max_deletes)
            interactive = not auto_approve and sys.stdin.isatty()
            orphans = check_orphans(plan, allowed=allow_orphans, interactive=interactive)
            if plan.has_changes and not auto_approve:
                _confirm(plan, orphans)

        if not plan.has_changes:
            if fmt == "json":
                click.echo(render_apply_json(ApplyResult()))
            else:
                say("No changes to apply.")
            return 0

        def waiting(in_flight: int) -> None:
            click.echo(
                f"\nInterrupted: no new action starts; waiting for {in_flight} in-flight "
                "action(s) to finish. Press Ctrl-C again to stop waiting (their outcome is "
                "then unknown).",
                err=True,
            )

        total = len(changing_actions(plan))
        with _progress(total, enabled=fmt == "text" and total > PROGRESS_MIN_ACTIONS) as tick:
            try:
                result = apply_plan(
                    plan, client, options, on_result=lambda _r: tick(), on_interrupt=waiting
                )
            except ApplyInterrupted as exc:
                result = exc.result
    # the progress bar is gone (its line cleared) before the account is printed, and a late
    # Ctrl-C cannot cut the account short
    with _signals_ignored():
        _report(result, fmt, say, color)
    return result.exit_code


def _fresh_plan(
    settings: Settings, paths: tuple[Path, ...], options: PlanOptions, client: TrutoClient
) -> Plan:
    from syncspec.engine.project import plan_project, read_local_and_live, start_load_local

    with start_load_local(settings, paths) as loading:
        local, live = read_local_and_live(loading, client)
    echo_local_notes(local)
    if live is None:
        raise SyncspecError("the job files have problems; fix them before applying")
    return plan_project(settings, local, live, options, client=client)


def _approved(settings: Settings, saved: Plan, client: TrutoClient) -> Plan:
    """The plan recomputed now, if it has exactly the saved plan's actions (else exit 4)."""
    from syncspec.engine.approval import approve
    from syncspec.engine.project import plan_project, read_local_and_live, start_load_local

    paths = tuple(settings.root / p for p in saved.options.paths)
    with start_load_local(settings, paths) as loading:
        local, live = read_local_and_live(loading, client)
    if live is None:
        echo_local_notes(local)
    return approve(
        saved,
        live,
        settings.token().reveal(),
        lambda options: plan_project(settings, local, live or [], options, client=client),
    )


@contextmanager
def _signals_ignored() -> Iterator[None]:
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM raises ``Terminated`` (a KeyboardInterrupt) in the main thread, so the apply
    reports its account and exits 143 rather than dying silently."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    from syncspec.engine.apply import Terminated

    def handler(signum: int, frame: Any) -> None:
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _confirm(plan: Plan, orphans: list[str] | None = None) -> None:
    """Terraform's question: it names the target and the counts right above the answer (a long
    plan has scrolled away), and deletes need ``yes`` or their count typed, not ``y``. Deletes
    that orphan cron triggers syncspec does not own are named above the question."""
    from syncspec.engine.model import ActionKind
    from syncspec.engine.review import profile_name

    if not sys.stdin.isatty():
        raise Aborted(
            "apply needs a confirmation, but stdin is not a terminal; nothing was changed. "
            "Review the plan and re-run with --auto-approve (or apply a saved plan file)"
        )
    environment = plan.environment.environment_id if plan.environment else None
    where = f"profile {profile_name(plan.profile)} at {plan.api_url}" + (
        f", environment {environment}" if environment else ""
    )
    deletes = [a.label for a in plan.actions if a.kind == ActionKind.DELETE]
    counts = (
        f"{plan.count(ActionKind.CREATE)} to create, {plan.count(ActionKind.UPDATE)} to update, "
        f"{len(deletes)} to delete"
    )
    click.echo(f"\nApply to {where}: {counts}.", err=True)
    orphaning = ""
    if orphans:
        click.echo("These deletes orphan cron triggers not managed by syncspec:", err=True)
        for line in orphans:
            click.echo(f"  {line}", err=True)
        orphaning = ", orphaning the cron triggers named above"
    try:
        if deletes:
            shown = ", ".join(deletes[:5]) + (
                f" and {len(deletes) - 5} more" if len(deletes) > 5 else ""
            )
            click.echo(f"This DELETES {len(deletes)} live job(s): {shown}.", err=True)
            answer = click.prompt(
                f"Type yes or {len(deletes)} to apply{orphaning}",
                default="",
                show_default=False,
                err=True,
            )
            approved = answer.strip() in ("yes", str(len(deletes)))
        else:
            question = f"Apply these changes{orphaning}?"
            approved = click.confirm(question, default=False, err=True)
    except click.exceptions.Abort as exc:  # Ctrl-C or Ctrl-D at the prompt
        click.echo("", err=True)  # off the prompt's line
        if isinstance(exc.__context__, KeyboardInterrupt):
            raise _PromptInterrupted("interrupted at the prompt. Nothing was changed.") from None
        raise Aborted("no answer (end of input). Nothing was changed.") from None
    if not approved:
        raise Aborted("apply cancelled. Nothing was changed.")


class _PromptInterrupted(SyncspecError):
    exit_code = ExitCode.INTERRUPTED


def _report(result: ApplyResult, fmt: str, say: Callable[[str], None], color: bool) -> None:
    from syncspec.render.apply_result import render_apply_json, render_apply_text

    if fmt == "json":
        click.echo(render_apply_json(result))
    else:
        say(render_apply_text(result, color=color))


@contextmanager
def _progress(total: int, *, enabled: bool) -> Iterator[Callable[[], None]]:
    """A rich progress bar on stderr (terminal only); yields the per-action tick."""
    if not enabled or not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    console = Console(stderr=True, no_color=not use_color(sys.stderr))
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("applying", total=total)
        yield lambda: progress.advance(task)
