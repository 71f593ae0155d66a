"""``syncspec show PLAN_FILE``: a saved plan, rendered again (no token, no network)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from syncspec.cli import use_color
from syncspec.cli.plan import FORMATS, render_plan

# Project imports stay inside the commands: `--help` imports every command module (20 syncspec
# modules, 0.10 s CPU; with them at the top 47 modules, 0.29 s: bench/BENCHMARKS.md, "Imports").


@click.command("show")
@click.argument("plan_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text, json, markdown (a PR comment) or github (annotations).",
)
@click.option("--compact", is_flag=True, help="Summary only (text and markdown).")
def command(plan_file: Path, fmt: str, compact: bool) -> int:
    """Show a plan saved by `syncspec plan --out FILE`, offline, as plan would have shown it.

    `apply PLAN_FILE` applies exactly what this shows (when the live jobs did not change).
    """
    from syncspec.engine.plan import load_plan

    plan = load_plan(plan_file)
    click.echo(
        render_plan(plan, fmt, color=use_color(sys.stdout), compact=compact), nl=False, color=True
    )
    return 0
