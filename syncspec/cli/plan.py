"""``syncspec plan``: compare the job files with the live jobs and show what would change."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from syncspec.cli import global_options, use_color
from syncspec.errors import ConfigError

# Project imports stay inside the commands: `--help` imports every command module (20 syncspec
# modules, 0.10 s CPU; with them at the top 47 modules, 0.29 s: bench/BENCHMARKS.md, "Imports").

FORMATS = ("text", "json", "markdown", "github")


def target_options(func: Any) -> Any:
    """--target / --exclude / --prune, shared with ``apply``."""
    func = click.option(
        "--prune",
        is_flag=True,
        help="Also delete unmanaged live jobs inside the [prune] scope of syncspec.toml.",
    )(func)
    func = click.option(
        "--exclude",
        "excludes",
        multiple=True,
        metavar="LABEL-GLOB",
        help="Leave jobs whose label matches out of the plan (repeatable).",
    )(func)
    func = click.option(
        "--target",
        "targets",
        multiple=True,
        metavar="LABEL-GLOB",
        help="Plan only jobs whose label matches (repeatable; globs like 'zendesk-*').",
    )(func)
    return func


def echo_problems(
    problems: list[Any], files_loaded: int, *, files_checked: int | None = None
) -> None:
    """Job-file problems, as ``validate`` shows them, on stderr.

    ``files_loaded`` counts the files that became jobs; the files that did not (each has an
    error) are counted from ``problems``, so the summary never says "0 files checked". A caller
    that knows the number of files it checked passes ``files_checked`` instead.
    """
    from syncspec.jobfile.problems import Severity
    from syncspec.jobfile.validate import ValidationReport
    from syncspec.render.problems import render

    if files_checked is None:
        failed = {p.file for p in problems if p.severity == Severity.ERROR}
        files_checked = files_loaded + len(failed)
    report = ValidationReport(problems=problems, files_checked=files_checked)
    click.echo(render(report, "text"), nl=False, err=True)


def review_context(plan: Any) -> Any:
    """The profile marker, head SHA and run link of the PR comment (from GitHub's env)."""
    from syncspec.engine.review import read_event
    from syncspec.engine.review import review_context as context_of

    return context_of(plan.profile, os.environ, read_event(os.environ))


def echo_local_notes(local: Any) -> None:
    """Problems of the planned files, and what discovery skipped (``LocalProject``), on stderr."""
    for skipped in local.skipped:
        click.echo(f"note: skipped {skipped}", err=True)
    if local.unplanned_with_errors:
        names = ", ".join(local.unplanned_with_errors)
        click.echo(
            f"note: not planned (outside PATHS) and with errors: {names}; their labels stay "
            "managed (never unmanaged or pruned)",
            err=True,
        )
    if local.problems:
        echo_problems(local.problems, 0, files_checked=local.files_checked)


def render_plan(plan: Any, fmt: str, *, color: bool, compact: bool = False) -> str:
    if fmt == "json":
        from syncspec.render.plan_json import render_plan_json

        return render_plan_json(plan)
    if fmt == "markdown":
        from syncspec.render.plan_markdown import render_plan_markdown

        return render_plan_markdown(plan, context=review_context(plan), compact=compact)
    if fmt == "github":
        from syncspec.render.plan_github import render_plan_github

        return render_plan_github(plan)
    from syncspec.render.plan_text import render_plan_text

    return render_plan_text(plan, color=color, compact=compact)


def write_step_summary(plan: Any) -> None:
    """Append the plan to $GITHUB_STEP_SUMMARY (GitHub Actions shows it on the run page)."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    from syncspec.render.plan_github import render_plan_step_summary

    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(render_plan_step_summary(plan, review_context(plan)))
    except OSError as exc:
        raise ConfigError(f"GITHUB_STEP_SUMMARY={path}: cannot write: {exc.strerror}") from None


@click.command("plan")
@click.argument(
    "paths", nargs=-1, type=click.Path(exists=True, path_type=Path), metavar="[PATHS]..."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text (Terraform-like), json (versioned), markdown (a PR comment), github (annotations "
    "and a step summary).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also save the plan as JSON, for `syncspec apply FILE`.",
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 2 when there are changes (0: none, 1: error).",
)
@click.option(
    "--compact",
    is_flag=True,
    help="Summary only: the counts and one line per action (text and markdown).",
)
@target_options
@click.pass_context
def command(  # noqa: PLR0917 - click passes each option as an argument
    ctx: click.Context,
    paths: tuple[Path, ...],
    fmt: str,
    out: Path | None,
    detailed_exitcode: bool,
    compact: bool,
    targets: tuple[str, ...],
    excludes: tuple[str, ...],
    prune: bool,
) -> int:
    """Show what `apply` would change to make the live jobs match the job files.

    PATHS are job files or directories (default: the configured jobs directory). Job files with
    problems stop the plan (exit 1). The live jobs are read, never written.
    """
    from syncspec.api.client import LIST_PAGE_SIZE, TrutoClient
    from syncspec.engine.project import (
        conflicts_message,
        plan_project,
        read_local_and_live,
        start_load_local,
    )

    settings = global_options(ctx).settings()
    with TrutoClient.from_settings(settings, page_size=LIST_PAGE_SIZE) as client:
        with start_load_local(settings, paths) as loading:
            local, live = read_local_and_live(loading, client)
        # not at the top: read_local_and_live imports them while the files are checked
        from syncspec.engine.model import PlanOptions
        from syncspec.engine.plan import save_plan

        echo_local_notes(local)
        if live is None:
            click.echo("error: the job files have problems; fix them before planning", err=True)
            return 1
        options = PlanOptions(prune=prune, targets=list(targets), excludes=list(excludes))
        # the client reads what deletes leave behind (only for deletes)
        plan = plan_project(settings, local, live, options, client=client)
    if out is not None:
        save_plan(plan, out)
    click.echo(
        render_plan(plan, fmt, color=use_color(sys.stdout), compact=compact), nl=False, color=True
    )
    if fmt == "github":
        write_step_summary(plan)
    conflicts = conflicts_message(plan)
    if conflicts:
        click.echo(f"error: {conflicts}", err=True)
        return 1
    if out is not None and fmt == "text":
        import shlex

        from syncspec.engine.review import ENV_PROFILE

        # the same profile, and a pruning plan confirmed with --prune (engine/approval.py)
        flags = "" if plan.profile == ENV_PROFILE else f"--profile {shlex.quote(plan.profile)} "
        flags += "--prune " if plan.options.prune else ""
        from syncspec.engine.apply import default_max_deletes, delete_count

        deletes = delete_count(plan)
        if deletes and default_max_deletes(os.environ) is not None:  # CI: deletes need a budget
            flags += f"--max-deletes {deletes} "
        click.echo(
            f"Saved the plan to {out}; apply it with: syncspec apply {flags}{shlex.quote(str(out))}"
        )
    return 2 if detailed_exitcode and plan.has_changes else 0
