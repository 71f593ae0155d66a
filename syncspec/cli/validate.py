"""``syncspec validate``: check job files offline (no token, no network)."""

from __future__ import annotations

from pathlib import Path

import click

from syncspec.cli import files_or_jobs_dir, global_options

# Project imports stay inside the commands: `--help` imports every command module (20 syncspec
# modules, 0.10 s CPU; with them at the top 47 modules, 0.29 s: bench/BENCHMARKS.md, "Imports").


@click.command("validate")
@click.argument(
    "paths", nargs=-1, type=click.Path(exists=True, path_type=Path), metavar="[PATHS]..."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="Output format (github: workflow-command annotations).",
)
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.pass_context
def command(ctx: click.Context, paths: tuple[Path, ...], fmt: str, strict: bool) -> int:
    """Validate job files (default: the configured jobs directory).

    PATHS are files or directories (searched for .yaml and .yml files, in any letter case).
    Labels and pinned ids of PATHS are checked against every job file of the project. Exit 0
    when clean, 1 when problems were found (warnings only with --strict).
    """
    from syncspec.jobfile.validate import validate_paths
    from syncspec.render.problems import render

    cwd = Path.cwd()
    settings = global_options(ctx).settings()
    targets = files_or_jobs_dir(settings, paths, "validate")
    # Files passed (a pre-commit hook passes the changed ones) are checked against every job
    # file of the project for the project rules (unique labels and pins).
    context = [settings.jobs_dir] if paths and settings.jobs_dir.is_dir() else []
    setup = settings.var_setup(planning=False)  # `!var`: every profile is checked
    report = validate_paths(targets, cwd, context=context, repo_root=settings.root, setup=setup)
    for skipped in report.skipped:
        click.echo(f"note: skipped {skipped}", err=True)
    click.echo(render(report, fmt), nl=False)
    return 1 if report.failed(strict) else 0
