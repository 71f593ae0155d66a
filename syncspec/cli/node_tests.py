"""``syncspec test``: run node-level cases of the jobs offline (JSONata and placeholders)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from syncspec.cli import global_options
from syncspec.errors import ExitCode

# Project imports stay inside the commands: `--help` imports every command module (20 syncspec
# modules, 0.10 s CPU; with them at the top 47 modules, 0.29 s: bench/BENCHMARKS.md, "Imports").


@click.command("test")
@click.argument(
    "paths", nargs=-1, type=click.Path(exists=True, path_type=Path), metavar="[PATHS]..."
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "junit"]),
    default="text",
    show_default=True,
    help="Output format (junit: JUnit XML on stdout, for CI test reports).",
)
@click.option(
    "--junit-xml",
    "junit_xml",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a JUnit XML report to this file.",
)
@click.option(
    "--engine",
    type=click.Choice(["offline", "node"]),
    default="offline",
    show_default=True,
    help="offline: syncspec's ports of truto-jsonata; node: the real @truto/truto-jsonata under "
    "Node.js (installed in node_modules of the config repo: npm install @truto/truto-jsonata).",
)
@click.pass_context
def command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    output_format: str,
    junit_xml: Path | None,
    engine: str,
) -> int:
    """Run node tests of the jobs offline (case files under tests_dir, or PATHS).

    Each case names a job (by label) and a node, gives the input document, and states what the
    node produces (expect) and/or whether it runs (expect_run). Offline: no token, no network.
    Exit 0 when every case passes, 1 when any fails, 3 when a case file is malformed.
    """
    from syncspec.engine.project import scan_job_files
    from syncspec.jobfile.validate import ValidationReport
    from syncspec.nodetest.runner import load_suite, run_cases
    from syncspec.render.node_tests import render_junit, render_text
    from syncspec.render.problems import render_text as render_problems

    settings = global_options(ctx).settings()
    tests_dir = settings.tests_dir or settings.root / "tests"
    if not paths and not tests_dir.is_dir():
        # a typo in tests_dir, or a folder not checked out, must not pass CI green
        from syncspec.errors import ConfigError

        raise ConfigError(
            f"no case files: the tests folder {tests_dir} does not exist (create it, set "
            "tests_dir in syncspec.toml, or pass case files); nothing was run"
        )
    targets = list(paths) or [tests_dir]
    suite = load_suite(targets, Path.cwd())
    if suite.problems:
        report = ValidationReport(problems=suite.problems, files_checked=suite.files)
        click.echo(render_problems(report), nl=False, err=output_format == "junit")
        click.echo("error: malformed case file(s): no case was run", err=True)
        return int(ExitCode.CONFIG)
    jobs, unreadable, _skipped = scan_job_files(settings)
    _note_unresolved(jobs, settings)
    from syncspec.nodetest import TRUTO_JSONATA_VERSION
    from syncspec.nodetest.expressions import use_node_engine

    header = f"engine: @truto/truto-jsonata {TRUTO_JSONATA_VERSION} behaviour (offline ports)"
    node_engine = None
    if engine == "node":
        from syncspec.errors import ConfigError
        from syncspec.nodetest.node_engine import NodeEngine, NodeUnavailable

        try:
            node_engine = NodeEngine(settings.root)
        except NodeUnavailable as exc:
            raise ConfigError(f"--engine node: {exc}") from None
        header = f"engine: @truto/truto-jsonata {node_engine.version} under Node.js"
        use_node_engine(node_engine)
    try:
        results = run_cases(suite.case_files, jobs, unreadable)
    finally:
        if node_engine is not None:
            use_node_engine(None)
            node_engine.close()
    text = render_junit(results) if output_format == "junit" else render_text(results)
    if output_format != "junit":
        click.echo(header)
    click.echo(text, nl=False)
    if junit_xml is not None:
        try:
            junit_xml.write_text(render_junit(results), encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot write {junit_xml}: {exc.strerror}") from None
    return int(ExitCode.OK if results.failed == 0 else ExitCode.ERROR)


def _note_unresolved(jobs: list[Any], settings: Any) -> None:
    """Say which `!var`s the cases see as tags: the active profile has no value for them."""
    from syncspec.jobfile.vars import find_refs

    for job in jobs:
        names = sorted({ref.name for _, ref in find_refs(job.data)})
        if names:
            shown = ", ".join(f"`!var {n}`" for n in names)
            click.echo(
                f"note: {job.display}: {shown} has no value in profile {settings.profile.name!r} "
                "(choose a profile that has it with --profile); cases that read it see the tag",
                err=True,
            )
