"""``syncspec pull``: write live jobs into the jobs directory as YAML files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from syncspec.cli import global_options


@click.command("pull")
@click.argument("label_globs", nargs=-1, metavar="[LABEL-GLOB]...")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Write nothing; print the diff of what pull would write (exit 2 when there is any).",
)
@click.option(
    "--force", is_flag=True, help="Also overwrite job files that have uncommitted changes."
)
@click.pass_context
def command(ctx: click.Context, label_globs: tuple[str, ...], dry_run: bool, force: bool) -> int:
    """Write live jobs (all, or those whose label matches a glob) to the jobs directory.

    Files already bound to a job (same label, or a pinned `id:`) are updated in place: nodes are
    matched by name (V4) or resource and method (legacy), so only the lines of what changed
    change; comments, key order, quoting and line endings are kept. Other jobs get new files
    named after their label. Labels carried by several live jobs are written with a pinned `id:`.
    A file with uncommitted git changes is not overwritten without --force. The next
    `syncspec plan` shows no changes.
    """
    from syncspec.cli.plan import echo_problems
    from syncspec.engine.project import open_client, scan_job_files
    from syncspec.engine.pull import pull_jobs
    from syncspec.errors import SyncspecError

    settings = global_options(ctx).settings()
    local, problems, skipped = scan_job_files(settings)
    for note in skipped:
        click.echo(f"note: skipped {note}", err=True)
    if problems:
        echo_problems(problems, len(local))
        raise SyncspecError(
            "some job files cannot be read, so pull cannot tell which jobs they describe; "
            "fix or remove them first (nothing was written)"
        )
    with open_client(settings) as client:
        live = client.list_sync_jobs()
    protected: set[Path] = set()
    if not force:
        from syncspec.engine.gitstatus import uncommitted_files

        protected = uncommitted_files(settings.jobs_dir) or set()
    result = pull_jobs(
        live,
        local,
        jobs_dir=settings.jobs_dir,
        root=settings.root,
        label_globs=label_globs,
        dry_run=dry_run,
        protected=protected,
    )
    if dry_run:
        return _dry_run_report(result, label_globs)
    for pulled in result.files:
        if pulled.status == "skipped":
            click.echo(f"warning: not pulled: job {pulled.job_id}: {pulled.reason}", err=True)
        elif pulled.status == "failed":
            click.echo(f"error: not pulled: job {pulled.job_id}: {pulled.reason}", err=True)
        elif pulled.status != "unchanged":
            pin = " (pinned id: the label is shared)" if pulled.pinned else ""
            click.echo(f"{pulled.status:>9} {pulled.display}  <- {pulled.label!r}{pin}")
    if label_globs and not result.files:
        click.echo(f"no live job matches {' '.join(label_globs)}", err=True)
        return 1
    extra = "".join(
        f", {result.count(status)} {status}"
        for status in ("skipped", "failed")
        if result.count(status)
    )
    click.echo(
        f"Pulled {len(result.files)} job(s): {result.count('created')} created, "
        f"{result.count('updated')} updated, {result.count('unchanged')} unchanged{extra}."
    )
    broken = _lint_pulled(result, settings.root)
    # a file kept for its uncommitted changes: the pull is not complete
    kept = any(f.status == "skipped" and f.after is not None for f in result.files)
    return 1 if broken or kept or result.count("failed") else 0


def _dry_run_report(result: Any, label_globs: tuple[str, ...]) -> int:
    import difflib

    changes = 0
    for pulled in result.files:
        if pulled.status in ("created", "updated") and pulled.after is not None:
            before = (pulled.before or "").splitlines(keepends=True)
            diff = difflib.unified_diff(
                before,
                pulled.after.splitlines(keepends=True),
                "/dev/null" if pulled.before is None else f"a/{pulled.display}",
                f"b/{pulled.display}",
            )
            click.echo("".join(diff), nl=False)
            changes += 1
        elif pulled.status in ("skipped", "failed"):
            click.echo(f"{pulled.status}: job {pulled.job_id}: {pulled.reason}", err=True)
    if label_globs and not result.files:
        click.echo(f"no live job matches {' '.join(label_globs)}", err=True)
        return 1
    click.echo(
        f"Dry run: {result.count('created')} file(s) would be created, "
        f"{result.count('updated')} updated, {result.count('unchanged')} unchanged; "
        "nothing was written.",
        err=True,
    )
    if result.count("failed"):
        return 1
    return 2 if changes else 0


def _lint_pulled(result: Any, root: Path) -> int:
    """Lint the files pull wrote (or found unchanged); report errors at once. They stay written:
    they are what is live, and CI should notice now rather than at the next plan."""
    from syncspec.jobfile.problems import Severity
    from syncspec.jobfile.validate import ValidationReport, validate_paths
    from syncspec.render.problems import render

    paths = [f.path for f in result.files if f.status in ("created", "updated", "unchanged")]
    if not paths:
        return 0
    report = validate_paths(paths, root)
    errors = [p for p in report.problems if p.severity == Severity.ERROR]
    if not errors:
        return 0
    shown = ValidationReport(problems=errors, files_checked=report.files_checked)
    click.echo(render(shown, "text"), nl=False, err=True)
    files = len({p.file for p in errors})
    rules = ", ".join(sorted({p.rule for p in errors}))
    click.echo(
        f"error: {files} pulled job file(s) break lint rules ({rules}); they were written as "
        "the jobs are live, but plan and apply refuse them: fix the jobs (in Truto, or in the "
        "files and apply), then run `syncspec validate`",
        err=True,
    )
    return files
