"""``syncspec fmt [--check] [PATHS]``: job files in one canonical layout, comments kept."""

from __future__ import annotations

from pathlib import Path

import click

from syncspec.cli import files_or_jobs_dir, global_options

# Project imports stay inside the commands: `--help` imports every command module (20 syncspec
# modules, 0.10 s CPU; with them at the top 47 modules, 0.29 s: bench/BENCHMARKS.md, "Imports").


@click.command("fmt")
@click.argument(
    "paths", nargs=-1, type=click.Path(exists=True, path_type=Path), metavar="[PATHS]..."
)
@click.option(
    "--check", is_flag=True, help="Write nothing; exit 1 when a file is not formatted (for CI)."
)
@click.option("--diff", "show_diff", is_flag=True, help="Print what would change, as a diff.")
@click.pass_context
def command(ctx: click.Context, paths: tuple[Path, ...], check: bool, show_diff: bool) -> int:
    """Format job files (default: the configured jobs directory).

    One layout: indentation, key order, quoting, flow vs block (see the README); comments and
    line endings are kept, and a file that does not load is reported, never touched. Exit 0 when
    every file is formatted (or was formatted now), 1 with --check when one is not, or when a
    file cannot be formatted.
    """
    import difflib

    from syncspec.jobfile.fmt import format_paths
    from syncspec.jobfile.validate import ValidationReport
    from syncspec.render.problems import render

    targets = files_or_jobs_dir(global_options(ctx).settings(), paths, "fmt")
    report = format_paths(targets, Path.cwd(), write=not (check or show_diff))
    for note in report.skipped:
        click.echo(f"note: skipped {note}", err=True)
    for result in report.changed:
        if show_diff:
            diff = difflib.unified_diff(
                result.before.splitlines(keepends=True),
                result.after.splitlines(keepends=True),
                f"a/{result.display}",
                f"b/{result.display}",
            )
            click.echo("".join(diff), nl=False)
        elif check:
            click.echo(f"would reformat {result.display}")
        else:
            click.echo(f"reformatted {result.display}")
    failed = report.failed
    problems = [p for f in failed for p in f.problems]
    if problems:
        shown = ValidationReport(problems=problems, files_checked=len(report.files))
        click.echo(render(shown, "text"), nl=False, err=True)
    for result in failed:
        if result.error and not result.problems:
            click.echo(f"error: {result.error}", err=True)
    changed = len(report.changed)
    unchanged = len(report.files) - changed - len(failed)
    verb = "would be reformatted" if check or show_diff else "reformatted"
    tail = f", {len(failed)} cannot be formatted" if failed else ""
    click.echo(f"{changed} file(s) {verb}, {unchanged} already formatted{tail}.")
    if failed or ((check or show_diff) and changed):
        return 1
    return 0
