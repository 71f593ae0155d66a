"""``syncspec pull``: write live jobs into the jobs directory as YAML files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from syncspec.cli import global_options
from syncspec.errors import SyncspecError

# Project imports stay inside the commands: `--help` imports every command module (20 syncspec
# modules, 0.10 s CPU; with them at the top 47 modules, 0.29 s: bench/BENCHMARKS.md, "Imports").


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
    from syncspec.api.client import LIST_PAGE_SIZE, TrutoClient
    from syncspec.cli.plan import echo_problems
    from syncspec.engine.project import scan_job_files
    from syncspec.engine.pull import pull_jobs

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
    with TrutoClient.from_settings(settings, page_size=LIST_PAGE_SIZE) as client:
        live = client.list_sync_jobs()
        schedules_of = _live_schedules(client, live)
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
        values=settings.profile.vars,
        dry_run=dry_run,
        protected=protected,
    )
    # schedules (issue 21) after the jobs: a dry run folds them into the texts it shows
    schedules_kept = _pull_schedules(result, schedules_of, dry_run=dry_run, protected=protected)
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
    for display, old, new in result.renamed:
        click.echo(
            f'renamed: {display}: "{old}" was renamed to "{new}" in Truto; the file now says '
            f"so, with `renamed_from: [{old}]` (other environments are renamed by apply)",
            err=True,
        )
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
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
    broken = _lint_pulled(result, settings.root, settings.var_setup(planning=False))
    # a file kept for its uncommitted changes: the pull is not complete
    kept = any(f.status == "skipped" and f.after is not None for f in result.files)
    kept = kept or schedules_kept
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


def _live_schedules(client: Any, live: list[dict[str, Any]]) -> dict[str, Any]:
    """job id -> ``PulledSchedules`` of the jobs that have triggers (issue 21)."""
    from syncspec.engine.schedules_live import pulled_schedules
    from syncspec.errors import SyncspecError

    try:
        triggers = client.list_cron_triggers()
        with_triggers = {t.get("sync_job_id") for t in triggers}
        accounts = client.list_integrated_accounts() if with_triggers else []
    except SyncspecError as exc:
        click.echo(
            f"warning: schedules not pulled: the triggers could not be listed ({exc})", err=True
        )
        return {}
    return {
        str(job.get("id")): pulled_schedules(job, triggers, accounts)
        for job in live
        if job.get("id") in with_triggers
    }


def _pull_schedules(
    result: Any, schedules_of: dict[str, Any], *, dry_run: bool, protected: set[Path]
) -> bool:
    """Write each pulled job's ``schedules`` block (a dry run puts it in the text it reports
    instead); name what cannot be pulled. True when a file with uncommitted changes kept its
    old schedules (pull's guard: not overwritten without --force)."""
    import dataclasses
    import os

    from syncspec.engine.pull_yaml import PullError, read_file_text, write_updated_file
    from syncspec.engine.schedules_live import schedules_text

    protected_real = {os.path.realpath(p) for p in protected}
    kept = False
    for index, pulled in enumerate(result.files):
        found = schedules_of.get(pulled.job_id)
        if found is None or pulled.status in ("skipped", "failed"):
            continue
        for note in found.notes:
            click.echo(f"note: {note}", err=True)
        if found.schedules is None:
            continue
        try:
            current = pulled.after if dry_run else read_file_text(pulled.path)
            text = schedules_text(pulled.path, current, found.schedules)
            if text is None:
                continue
            if dry_run:
                status = "updated" if pulled.status == "unchanged" else pulled.status
                result.files[index] = dataclasses.replace(pulled, status=status, after=text)
                continue
            if os.path.realpath(pulled.path) in protected_real:
                click.echo(
                    f"warning: schedules of {pulled.label!r} not written: {pulled.display} has "
                    "uncommitted changes; commit or stash them first, or pass --force to "
                    "overwrite them",
                    err=True,
                )
                kept = True
                continue
            write_updated_file(pulled.path, text)
            click.echo(f"{'schedules':>9} {pulled.display}  <- {len(found.schedules)} schedule(s)")
        except (PullError, OSError) as exc:
            click.echo(f"error: schedules of {pulled.label!r} not written: {exc}", err=True)
    return kept


def _lint_pulled(result: Any, root: Path, setup: Any) -> int:
    """Lint the files pull wrote (or found unchanged); report errors at once. They stay written:
    they are what is live, and CI should notice now rather than at the next plan."""
    from syncspec.jobfile.problems import Severity
    from syncspec.jobfile.validate import ValidationReport, validate_paths
    from syncspec.render.problems import render

    paths = [f.path for f in result.files if f.status in ("created", "updated", "unchanged")]
    if not paths:
        return 0
    report = validate_paths(paths, root, setup=setup)
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
