"""``syncspec demo``: plan, apply and re-plan against a throwaway local emulator."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from pathlib import Path

import click

from syncspec.cli import _run, cli, global_options
from syncspec.errors import ConfigError, SyncspecError

# Project imports stay inside the commands: `--help` imports every command module (20 syncspec
# modules, 0.10 s CPU; with them at the top 47 modules, 0.29 s: bench/BENCHMARKS.md, "Imports").

DEMO_TOKEN_ENV = "SYNCSPEC_DEMO_TOKEN"


@click.command("demo")
@click.option(
    "--jobs-dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Job files to use (default: the configured jobs dir).",
)
@click.pass_context
def command(ctx: click.Context, jobs_dir: Path | None) -> int:
    """See syncspec work end to end, with no Truto account and no token.

    Starts the embedded Truto emulator on a free port, seeds it with live jobs that differ
    from your job files (one edited in the "dashboard", one missing, one unmanaged), then runs
    `syncspec plan`, `syncspec apply --auto-approve` and `syncspec plan` again, and stops the
    emulator. Your files are copied to a temporary directory first and never modified.
    Exit 0 when the final plan shows no changes.
    """
    from syncspec.cli.emulator import require_emulator_extra

    require_emulator_extra("demo")
    from syncspec.cli.plan import echo_problems
    from syncspec.demo import demo_story
    from syncspec.emulator.server import start_emulator
    from syncspec.emulator.state import EmulatorConfig
    from syncspec.engine.project import has_errors, load_local

    settings = global_options(ctx).settings()
    source = jobs_dir or settings.jobs_dir
    if not source.is_dir():
        raise ConfigError(
            f"{source}: no jobs directory here; run the demo from a config repo "
            "(e.g. this repository's root) or create one with `syncspec init`"
        )
    with tempfile.TemporaryDirectory(prefix="syncspec-demo-") as tmp:
        workspace = Path(tmp)
        shutil.copytree(source, workspace / "jobs")
        local, problems = load_local(settings, [workspace / "jobs"])
        if has_errors(problems):
            echo_problems(problems, len(local))
            raise SyncspecError("the job files have problems; run `syncspec validate` and fix them")
        story = demo_story(local)
        if story.scheduled is not None:
            with story.scheduled.path.open("a", encoding="utf-8") as fh:
                fh.write(story.schedule_text())
        token = secrets.token_urlsafe(24)
        seed = {"sync_jobs": story.live_jobs, "integrated_accounts": story.accounts}
        config = EmulatorConfig(tokens={token: "demo"}, seed=seed)
        with start_emulator(config) as emulator:
            (workspace / "syncspec.toml").write_text(
                'jobs_dir = "jobs"\ndefault_profile = "demo"\n\n[profiles.demo]\n'
                f'api_url = "{emulator.url}"\ntoken_env = "{DEMO_TOKEN_ENV}"\n',
                encoding="utf-8",
            )
            click.echo(f"Truto emulator listening on {emulator.url} (stopped at the end).")
            for line in story.describe():
                click.echo(line)
            previous = os.environ.get(DEMO_TOKEN_ENV)
            os.environ[DEMO_TOKEN_ENV] = token
            try:
                steps = [
                    ["plan"],
                    ["apply", "--auto-approve"],
                    ["plan", "--detailed-exitcode"],
                ]
                codes = []
                for argv in steps:
                    click.echo(f"\n$ syncspec {' '.join(argv)}")
                    codes.append(
                        _run(
                            cli,
                            ["--config", str(workspace / "syncspec.toml"), *argv],
                            "syncspec",
                            None,
                            False,
                        )
                    )
            finally:
                if previous is None:
                    os.environ.pop(DEMO_TOKEN_ENV, None)
                else:
                    os.environ[DEMO_TOKEN_ENV] = previous
    if codes[0] != 0 or codes[1] != 0:
        raise SyncspecError("the demo's plan or apply failed (see above)")
    if codes[2] != 0:
        raise SyncspecError("the second plan still shows changes: this is a syncspec bug")
    click.echo("\nDone: the second plan shows no changes. Next: `syncspec --help`, and the README.")
    return 0
