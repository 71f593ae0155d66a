"""``syncspec schema``: write (or check) the JSON Schema of job files."""

from __future__ import annotations

from pathlib import Path

import click

# Project imports stay inside the commands: `--help` imports every command module (20 syncspec
# modules, 0.10 s CPU; with them at the top 47 modules, 0.29 s: bench/BENCHMARKS.md, "Imports").

DEFAULT_OUT = Path("schemas/sync-job.schema.json")


@click.command("schema")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    help="Where to write the schema ('-' for stdout).",
)
@click.option("--check", is_flag=True, help="Do not write; exit 1 if the file is not up to date.")
def command(out: Path, check: bool) -> int:
    """Write the JSON Schema of job files, generated from syncspec's models.

    Editors using yaml-language-server autocomplete job files from it (add
    `# yaml-language-server: $schema=../schemas/sync-job.schema.json` to a job file). Values
    written `!var NAME` (one per profile, from syncspec.toml) need the tag declared for the
    editor: `"yaml.customTags": ["!var scalar"]` (init writes .vscode/settings.json); the schema's
    `$comment` says so too.
    """
    from syncspec.jobfile.shape.schema import schema_text

    text = schema_text()
    if str(out) == "-":
        click.echo(text, nl=False)
        return 0
    if check:
        try:
            current = out.read_text(encoding="utf-8")
        except OSError:
            current = None
        if current != text:
            click.echo(f"{out} is out of date: run `syncspec schema --out {out}`", err=True)
            return 1
        click.echo(f"{out} is up to date")
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists() and out.read_text(encoding="utf-8") == text:
        click.echo(f"{out} is up to date")
        return 0
    out.write_text(text, encoding="utf-8")
    click.echo(f"wrote {out}")
    return 0
