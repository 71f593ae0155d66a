"""``syncspec graph``: draw a job's resource graph (offline; no token, no network)."""

from __future__ import annotations

from pathlib import Path

import click

from syncspec.cli import global_options
from syncspec.errors import ConfigError

# Project imports stay inside the commands: `--help` imports every command module (20 syncspec
# modules, 0.10 s CPU; with them at the top 47 modules, 0.29 s: bench/BENCHMARKS.md, "Imports").


@click.command("graph")
@click.argument("job", metavar="LABEL|FILE")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "dot"]),
    default="mermaid",
    show_default=True,
    help="mermaid (paste into GitHub markdown or mermaid.live) or dot (Graphviz).",
)
@click.pass_context
def command(ctx: click.Context, job: str, fmt: str) -> int:
    """Print the graph of one job: its nodes by type, `depends_on` edges (solid) and, for V4
    destinations, `resources_to_persist` edges (dashed).

    LABEL|FILE is a job file, or the label of a job file under the configured jobs directory.

    \b
    Examples:
      syncspec graph jobs/jira-issues-datastore.yaml
      syncspec graph zendesk-tickets --format dot | dot -Tsvg > graph.svg
    """
    from syncspec.engine.graph import job_graph
    from syncspec.render.graph import render_dot, render_mermaid

    data = _job_data(ctx, job)
    graph = job_graph(data)
    click.echo(render_dot(graph) if fmt == "dot" else render_mermaid(graph), nl=False)
    return 0


def _job_data(ctx: click.Context, job: str) -> dict[str, object]:

    path = Path(job)
    if path.is_file():
        from syncspec.jobfile.yaml import loader

        parsed = loader.read_path(path, job)
        if parsed.data is None:
            first = parsed.problems[0]
            raise ConfigError(
                f"{first.file}:{first.line}:{first.col}: {first.rule} {first.message}"
            )
        return parsed.data
    from syncspec.engine.project import scan_job_files

    settings = global_options(ctx).settings()
    jobs, _, _ = scan_job_files(settings)
    matches = [j for j in jobs if j.label == job]
    if not matches:
        from syncspec.jobfile.rules.kit import did_you_mean

        hint = did_you_mean(job, sorted({j.label for j in jobs}))
        raise ConfigError(
            f"{job}: neither a file nor the label of a job file under {settings.jobs_dir}"
            + (f" ({hint})" if hint else "")
        )
    if len(matches) > 1:
        files = ", ".join(j.display for j in matches)
        raise ConfigError(f"label {job!r} is in several job files ({files}): pass the file")
    return matches[0].data
