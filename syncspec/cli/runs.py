"""``syncspec runs start|watch|get|list|stop``: sync job runs.

Output: text goes to stdout. With ``--format json`` stdout carries exactly one JSON document
(the run, or the list of runs) and any progress goes to stderr, so the output can be piped.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from syncspec.cli import format_option, global_options, use_color
from syncspec.engine.runs import (
    DEFAULT_INTERVAL,
    DEFAULT_MAX_INTERVAL,
    ERROR_HANDLING,
    RUN_STATUSES,
    RunOptions,
    exit_code_for,
    get_run,
    list_runs,
    pinned_ids_from_files,
    start_run,
    stat_rows,
    stop_run,
    watch_run,
)
from syncspec.errors import ExitCode

# Project imports stay inside the commands: `--help` imports every command module (20 syncspec
# modules, 0.10 s CPU; with them at the top 47 modules, 0.29 s: bench/BENCHMARKS.md, "Imports").

if TYPE_CHECKING:
    from syncspec.api.client import TrutoClient
    from syncspec.config import Settings

FORMATS = ("text", "json")


def _settings(ctx: click.Context) -> Settings:
    settings: Settings = global_options(ctx).settings()
    return settings


def _client(settings: Settings) -> TrutoClient:
    from syncspec.api.client import TrutoClient

    return TrutoClient.from_settings(settings)


def _pinned_ids(settings: Settings) -> dict[str, str]:

    return pinned_ids_from_files(settings.jobs_dir, settings.root)


_format_option = format_option(*FORMATS)


def _watch_options(f: Any) -> Any:
    f = click.option(
        "--stop-on-interrupt",
        is_flag=True,
        help="On Ctrl-C, stop the run too (default: only stop watching; the run goes on).",
    )(f)
    f = click.option(
        "--max-interval",
        type=float,
        default=DEFAULT_MAX_INTERVAL,
        show_default=True,
        metavar="SECONDS",
        help="Longest wait between polls while nothing changes.",
    )(f)
    f = click.option(
        "--interval",
        type=float,
        default=DEFAULT_INTERVAL,
        show_default=True,
        metavar="SECONDS",
        help="Wait between polls while the run is changing (doubles while it is not).",
    )(f)
    return f


@click.group("runs")
def command() -> None:
    """Start, watch, list, inspect and stop sync job runs."""


@command.command("start")
@click.argument("label")
@click.option(
    "--account",
    "account",
    required=True,
    metavar="ID",
    help="Integrated account id to run the job for (also args.integrated_account_id, when the "
    "job declares that argument and --arg does not give it).",
)
@click.option(
    "--arg",
    "arg_pairs",
    multiple=True,
    metavar="NAME=VALUE",
    help="A run argument (repeatable). VALUE is parsed as JSON when it parses, else a string.",
)
@click.option(
    "--args-file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="A JSON object of run arguments; --arg values override it.",
)
@click.option(
    "--error-handling", type=click.Choice(ERROR_HANDLING), help="How the run treats errors."
)
@click.option(
    "--ignore-previous-run", is_flag=True, help="Do a full sync, ignoring the previous run."
)
@click.option("--webhook", "webhook_id", metavar="ID", help="Webhook to send records to (legacy).")
@click.option(
    "--daemon-group",
    "daemon_group_key",
    metavar="KEY",
    help="Daemon group to send records to (legacy; not with --webhook).",
)
@click.option("--watch", is_flag=True, help="Follow the run until it finishes.")
@_watch_options
@_format_option
@click.pass_context
def start(
    ctx: click.Context,
    *,
    label: str,
    account: str,
    arg_pairs: tuple[str, ...],
    args_file: Path | None,
    error_handling: str | None,
    ignore_previous_run: bool,
    webhook_id: str | None,
    daemon_group_key: str | None,
    watch: bool,
    interval: float,
    max_interval: float,
    stop_on_interrupt: bool,
    output_format: str,
) -> int:
    """Start a run of the job LABEL (a label, or a job id), args checked first.

    LABEL is resolved to the live job: through the pinned `id:` of the local job file with that
    label, else the live job with that label, else a job with that id. Args are checked
    against the job's args_schema before anything is written; nothing is started if they fail.
    """
    from syncspec.render import runs as render

    options = RunOptions(
        integrated_account_id=account,
        error_handling=error_handling,
        ignore_previous_run=ignore_previous_run,
        webhook_id=webhook_id,
        daemon_group_key=daemon_group_key,
    )
    # Refuse bad options before reading settings or touching the network.
    options.check()
    settings = _settings(ctx)
    with _client(settings) as client:
        started = start_run(
            client,
            label,
            options,
            arg_pairs=arg_pairs,
            args_file=args_file,
            pinned_ids=_pinned_ids(settings),
        )
        for warning in started.warnings:
            click.echo(f"warning: {warning}", err=True)
        if output_format == "json" and not watch:
            click.echo(render.to_json(started.run))
            return ExitCode.OK
        if output_format == "text":
            click.echo(started.run_id)
        click.echo(render.run_started_note(started.run, started.job), err=True)
        if not watch:
            return ExitCode.OK
        return _follow(
            client,
            started.run_id,
            interval=interval,
            max_interval=max_interval,
            stop_on_interrupt=stop_on_interrupt,
            output_format=output_format,
        )


@command.command("watch")
@click.argument("run_id", metavar="ID")
@_watch_options
@_format_option
@click.pass_context
def watch_command(
    ctx: click.Context,
    *,
    run_id: str,
    interval: float,
    max_interval: float,
    stop_on_interrupt: bool,
    output_format: str,
) -> int:
    """Follow run ID until it finishes: exit 0 if it completed, 1 if it failed or was stopped.

    A live table on a terminal; a line per change elsewhere (CI logs). Ctrl-C stops watching
    (exit 130) and leaves the run going unless --stop-on-interrupt.
    """
    with _client(_settings(ctx)) as client:
        return _follow(
            client,
            run_id,
            interval=interval,
            max_interval=max_interval,
            stop_on_interrupt=stop_on_interrupt,
            output_format=output_format,
        )


def _follow(
    client: TrutoClient,
    run_id: str,
    *,
    interval: float,
    max_interval: float,
    stop_on_interrupt: bool,
    output_format: str,
) -> int:
    from syncspec.render import runs as render

    stream = sys.stdout if output_format == "text" else sys.stderr
    display = render.watch_display(stream, no_color=not use_color(stream))
    last = None
    try:
        for snap in watch_run(client, run_id, interval=interval, max_interval=max_interval):
            display.update(snap)
            last = snap
    except KeyboardInterrupt:
        display.close()
        if stop_on_interrupt:
            stop_run(client, run_id)
        click.echo(render.watch_interrupted(run_id, stopped=stop_on_interrupt), err=True)
        return ExitCode.INTERRUPTED
    except BaseException:
        display.close()
        raise
    display.close()
    assert last is not None  # watch_run yields at least once or raises
    if output_format == "json":
        click.echo(render.to_json(last.run))
    else:
        click.echo(render.watch_finished(last))
    return exit_code_for(last.status)


@command.command("get")
@click.argument("run_id", metavar="ID")
@_format_option
@click.pass_context
def get(ctx: click.Context, run_id: str, output_format: str) -> int:
    """Show run ID: status, times, args and resource stats."""
    from syncspec.render import runs as render

    with _client(_settings(ctx)) as client:
        run = get_run(client, run_id)
    if output_format == "json":
        click.echo(render.to_json(run))
    else:
        click.echo(render.run_detail(run, stat_rows(run.get("resource_stats"))))
    return ExitCode.OK


@command.command("list")
@click.option("--job", "job", metavar="LABEL", help="Only runs of this job (label or id).")
@click.option("--account", "account", metavar="ID", help="Only runs for this integrated account.")
@click.option("--status", type=click.Choice(RUN_STATUSES), help="Only runs with this status.")
@click.option(
    "--limit", type=click.IntRange(min=1), metavar="N", help="At most N runs (newest first)."
)
@_format_option
@click.pass_context
def list_command(
    ctx: click.Context,
    *,
    job: str | None,
    account: str | None,
    status: str | None,
    limit: int | None,
    output_format: str,
) -> int:
    """List runs, optionally of one job, account or status."""
    from syncspec.render import runs as render

    settings = _settings(ctx)
    with _client(settings) as client:
        runs = list_runs(
            client,
            job=job,
            account=account,
            status=status,
            limit=limit,
            pinned_ids=_pinned_ids(settings) if job is not None else None,
        )
    if output_format == "json":
        click.echo(render.to_json(runs))
    else:
        click.echo(render.runs_table(runs))
    return ExitCode.OK


@command.command("stop")
@click.argument("run_id", metavar="ID")
@_format_option
@click.pass_context
def stop(ctx: click.Context, run_id: str, output_format: str) -> int:
    """Stop run ID (DELETE /sync-job-run/ID)."""
    from syncspec.render import runs as render

    with _client(_settings(ctx)) as client:
        result = stop_run(client, run_id)
    if output_format == "json":
        click.echo(render.to_json(result))
    else:
        click.echo(render.run_stopped(run_id))
    return ExitCode.OK
