"""``syncspec apply``: make the live jobs match the job files (or apply a saved plan)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from syncspec.cli import global_options, use_color
from syncspec.cli.plan import echo_problems, render_plan, target_options

# More actions than this get a progress bar (on a terminal).
PROGRESS_MIN_ACTIONS = 5


def default_max_deletes() -> int | None:
    """DESIGN.md: deletes are allowed without a budget interactively, but default to 0 in CI."""
    ci = os.environ.get("CI", "").strip().lower()
    return 0 if ci not in ("", "0", "false", "no") else None


@click.command("apply")
@click.argument(
    "plan_file",
    required=False,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="[PLAN_FILE]",
)
@click.option(
    "--auto-approve", is_flag=True, help="Apply without asking (required without a terminal)."
)
@click.option(
    "--parallelism",
    type=click.IntRange(1, 64),
    help="Actions run at once (default: parallelism in syncspec.toml, else 4). The client's "
    "rate limiter bounds the request rate either way.",
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
@target_options
@click.pass_context
def command(  # noqa: PLR0917 - click passes each option as an argument
    ctx: click.Context,
    plan_file: Path | None,
    auto_approve: bool,
    parallelism: int | None,
    on_error: str,
    max_deletes: int | None,
    fmt: str,
    targets: tuple[str, ...],
    excludes: tuple[str, ...],
    prune: bool,
) -> int:
    """Apply changes: plan, show, confirm, then write; or apply PLAN_FILE exactly.

    Deletes run first, then updates, then creates. A saved plan is refused (exit 4, nothing
    changed) if any job it touches changed since it was made. Exit 0 when every action is done,
    1 when any failed (each action's outcome is listed), 4 for a stale plan.
    """
    from syncspec.engine.apply import (
        ApplyInterrupted,
        ApplyOptions,
        OnError,
        changing_actions,
        check_delete_budget,
        check_fresh,
        execute_plan,
        verify_applied,
    )
    from syncspec.engine.model import ApplyResult, PlanOptions
    from syncspec.engine.plan import load_plan
    from syncspec.engine.project import (
        check_plan_target,
        conflicts_message,
        open_client,
        plan_project,
        read_local_and_live,
        start_load_local,
    )
    from syncspec.errors import SyncspecError
    from syncspec.render.apply_result import render_apply_json

    if plan_file is not None and (targets or excludes or prune):
        raise click.UsageError(
            "--target, --exclude and --prune apply when planning, not to a saved plan"
        )
    settings = global_options(ctx).settings()
    options = ApplyOptions(
        parallelism=parallelism or settings.parallelism,
        on_error=OnError(on_error),
        max_deletes=max_deletes if max_deletes is not None else default_max_deletes(),
    )
    human = sys.stdout if fmt == "text" else sys.stderr
    color = use_color(human)

    def say(text: str) -> None:
        click.echo(text, file=human, color=color)

    with open_client(settings) as client:
        if plan_file is not None:
            plan = load_plan(plan_file)
            check_plan_target(plan, settings)
            problem = conflicts_message(plan)
            if problem:
                raise SyncspecError(problem)
            check_delete_budget(plan, options.max_deletes)
            check_fresh(plan, client.list_sync_jobs())
        else:
            with start_load_local(settings) as loading:
                local, problems, live = read_local_and_live(loading, client)
            if problems:
                echo_problems(problems, len(local))
            if live is None:
                raise SyncspecError("the job files have problems; fix them before applying")
            plan_options = PlanOptions(prune=prune, targets=list(targets), excludes=list(excludes))
            plan = plan_project(settings, local, live, plan_options)
            click.echo(render_plan(plan, "text", color=color), nl=False, file=human, color=color)
            problem = conflicts_message(plan)
            if problem:
                raise SyncspecError(problem)
            check_delete_budget(plan, options.max_deletes)
            if plan.has_changes and not auto_approve:
                _confirm()

        if not plan.has_changes:
            if fmt == "json":
                click.echo(render_apply_json(ApplyResult()))
            else:
                say("No changes to apply.")
            return 0

        total = len(changing_actions(plan))
        with _progress(total, enabled=fmt == "text" and total > PROGRESS_MIN_ACTIONS) as tick:
            try:
                result = execute_plan(plan, client, options, on_result=lambda _r: tick())
            except ApplyInterrupted as exc:
                _report(exc.result, fmt, say, color)
                raise
        if any(r.outcome == "done" for r in result.results):
            result.residual = verify_applied(plan, result, client.list_sync_jobs())
    _report(result, fmt, say, color)
    return 0 if result.ok else 1


def _confirm() -> None:
    from syncspec.errors import Aborted

    if not sys.stdin.isatty():
        raise Aborted(
            "apply needs a confirmation, but stdin is not a terminal; nothing was changed. "
            "Review the plan and re-run with --auto-approve (or apply a saved plan file)"
        )
    if not click.confirm("Apply these changes?", default=False, err=True):
        raise Aborted("apply cancelled; nothing was changed")


def _report(result: Any, fmt: str, say: Callable[[str], None], color: bool) -> None:
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
