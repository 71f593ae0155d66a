"""``syncspec init [DIR]``: scaffold a config repository."""

from __future__ import annotations

from pathlib import Path

import click

# Project imports stay inside the commands: `--help` imports every command module (20 syncspec
# modules, 0.10 s CPU; with them at the top 47 modules, 0.29 s: bench/BENCHMARKS.md, "Imports").


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
@click.option(
    "--install-from",
    metavar="SPEC",
    help="Install syncspec from a wheel (URL, #sha256= optional) or "
    "git+https://HOST/OWNER/REPO@<full commit> instead of the package index.",
)
@click.option(
    "--find-links",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="SYNCSPEC_FIND_LINKS",
    help="Read the hashes from this directory of wheels/sdists instead of the index (offline; "
    "env SYNCSPEC_FIND_LINKS).",
)
@click.option(
    "--index-url",
    metavar="URL",
    help="The PEP 691 package index the hashes are read from (default: PyPI).",
)
@click.option(
    "--with-emulator",
    is_flag=True,
    help="Also pin the emulator extra (starlette, uvicorn): `syncspec demo`/`emulator` in CI.",
)
@click.option(
    "--profiles",
    metavar="FIRST,SECOND",
    help="Two environments (e.g. staging,production): a syncspec.toml with both profiles and "
    "a workflow that applies FIRST on merge and SECOND after its environment's approval.",
)
def command(  # noqa: PLR0917 - click passes each option as an argument
    directory: Path,
    adopt: bool,
    force: bool,
    jobs_dir: str,
    hook_repo: str | None,
    hook_rev: str | None,
    install_from: str | None,
    find_links: Path | None,
    index_url: str | None,
    with_emulator: bool,
    profiles: str | None,
) -> int:
    """Scaffold a syncspec config repo: syncspec.toml, jobs/, pre-commit, a GitHub workflow.

    requirements-syncspec.txt pins syncspec and every dependency with their sha256, read from
    the package index (or --find-links DIR); the workflow installs it with --require-hashes.

    In an existing repository it writes only what is missing: lines are added to an existing
    .gitignore and the hook to an existing .pre-commit-config.yaml; other files are kept.

    \b
    Example:
      syncspec init my-truto-jobs && cd my-truto-jobs && syncspec validate
    """
    from syncspec.scaffold import init_repo

    names = tuple(p.strip() for p in profiles.split(",")) if profiles is not None else ()
    result = init_repo(
        directory,
        force=force,
        jobs_dir=jobs_dir,
        hook_repo=hook_repo,
        hook_rev=hook_rev,
        install_from=install_from,
        find_links=find_links,
        index_url=index_url,
        with_emulator=with_emulator,
        profiles=names,
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
    if names:
        first, second = names
        click.echo(
            f"next: put each environment's values in syncspec.toml ([profiles.*.vars]), run "
            f"`syncspec validate`, then `syncspec --profile {first} plan`. For the workflow, "
            f"create the GitHub environments truto-{first}, truto-{second}-plan and "
            f"truto-{second} (required reviewers), each with its token secret: see the "
            "comment at the top of .github/workflows/syncspec.yml."
        )
        return 0
    click.echo(
        "next: set TRUTO_API_TOKEN (or a profile in syncspec.toml), then run "
        "`syncspec validate` and `syncspec plan`. For the workflow, create the GitHub "
        "environments truto-plan (secret TRUTO_PLAN_TOKEN) and truto-production (secret "
        "TRUTO_APPLY_TOKEN, required reviewers, branch main): see the README, CI recipes."
    )
    return 0
