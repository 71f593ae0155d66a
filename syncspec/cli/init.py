"""``syncspec init [DIR]``: scaffold a config repository."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("init")
@click.argument(
    "directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path)
)
@click.option(
    "--adopt",
    is_flag=True,
    help="For jobs that already exist in Truto: no sample job or case; then pull and plan.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Overwrite existing files (.gitignore and the pre-commit config are still only added to).",
)
@click.option("--jobs-dir", default="jobs", show_default=True, help="Where job files live.")
@click.option(
    "--hook-repo",
    metavar="URL",
    help="Reference syncspec's published pre-commit hook at this git URL (default: a local hook).",
)
@click.option(
    "--hook-rev", metavar="REV", help="Tag or commit of --hook-repo to pin (required with it)."
)
def command(  # noqa: PLR0917 - click passes each option as an argument
    directory: Path,
    adopt: bool,
    force: bool,
    jobs_dir: str,
    hook_repo: str | None,
    hook_rev: str | None,
) -> int:
    """Scaffold a syncspec config repo: syncspec.toml, jobs/, pre-commit, a GitHub workflow.

    In an existing repository it writes only what is missing: lines are added to an existing
    .gitignore and the hook to an existing .pre-commit-config.yaml; other files are kept.
    """
    from syncspec.scaffold import init_repo

    result = init_repo(
        directory,
        force=force,
        jobs_dir=jobs_dir,
        hook_repo=hook_repo,
        hook_rev=hook_rev,
        adopt=adopt,
    )
    for rel in result.written:
        click.echo(f"wrote {directory / rel}")
    for rel in result.merged:
        click.echo(f"added to {directory / rel}")
    for rel in result.kept:
        click.echo(f"kept {directory / rel} (exists)")
    for note in result.notes:
        click.echo(f"note: {note}")
    if result.kept and not force:
        click.echo("(existing files are never overwritten without --force)")
    if adopt:
        click.echo(
            "next: set TRUTO_API_TOKEN (or a profile in syncspec.toml), then run "
            "`syncspec pull` (writes the live jobs into "
            f'{jobs_dir}/) and `syncspec plan`, which must say "No changes."; commit the files.'
        )
        return 0
    click.echo(
        "next: set TRUTO_API_TOKEN (or a profile in syncspec.toml), then run "
        "`syncspec validate` and `syncspec plan`. For the workflow, create the GitHub "
        "environments truto-plan (secret TRUTO_PLAN_TOKEN) and truto-production (secret "
        "TRUTO_APPLY_TOKEN, required reviewers, branch main): see the README, CI recipes."
    )
    return 0
