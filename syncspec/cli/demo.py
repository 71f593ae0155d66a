"""``syncspec demo``: plan, apply and re-plan against a throwaway local emulator."""

from __future__ import annotations

import copy
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

    Starts the embedded Truto emulator on a free port with two environments, named after the
    first two profiles of syncspec.toml (else staging and production) and given their `!var`
    values. The first starts with live jobs that differ from your job files (one edited in the
    "dashboard", one missing, one unmanaged): `syncspec plan`, `apply --auto-approve` and `plan`
    again show it converge; then the same files are promoted to the second environment and
    `syncspec diff` shows how the two differ (by the profiles' values only). Your files are
    copied to a temporary directory first and never modified. Exit 0 when the final plans show
    no changes and the diff finds nothing unexplained.
    """
    from syncspec.cli.emulator import require_emulator_extra

    require_emulator_extra("demo")
    from syncspec.cli.plan import echo_problems
    from syncspec.config import load_settings
    from syncspec.demo import UNMANAGED_JOB, demo_environments, demo_story, demo_toml
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
    environments = demo_environments(settings.profiles)
    first, second = (name for name, _ in environments)
    tokens = {name: secrets.token_urlsafe(24) for name, _ in environments}
    token_envs = {name: f"{DEMO_TOKEN_ENV}_{i}" for i, (name, _) in enumerate(environments)}
    with tempfile.TemporaryDirectory(prefix="syncspec-demo-") as tmp:
        workspace = Path(tmp)
        shutil.copytree(source, workspace / "jobs")
        config = workspace / "syncspec.toml"
        # the URL is not known before the emulator starts: the first load needs none
        config.write_text(demo_toml("http://127.0.0.1:9", environments, token_envs), "utf-8")
        local_settings = load_settings(cwd=workspace, profile=first, config_path=config, environ={})
        local, problems = load_local(local_settings, [workspace / "jobs"])
        if has_errors(problems):
            echo_problems(problems, len(local))
            raise SyncspecError("the job files have problems; run `syncspec validate` and fix them")
        story = demo_story(local)
        if story.scheduled is not None:
            with story.scheduled.path.open("a", encoding="utf-8") as fh:
                fh.write(story.schedule_text())
        seed = {"sync_jobs": story.live_jobs, "integrated_accounts": story.accounts}
        emulator_config = EmulatorConfig(
            tokens={tokens[first]: first, tokens[second]: second}, seed=seed
        )
        with start_emulator(emulator_config) as emulator:
            # the "dashboard experiment" exists in both environments: never touched by syncspec;
            # the connected accounts too (the schedule's triggers need them in each)
            emulator.control.seed_jobs([dict(UNMANAGED_JOB)], environment=second)
            emulator.control.seed_accounts(copy.deepcopy(story.accounts), environment=second)
            config.write_text(demo_toml(emulator.url, environments, token_envs), "utf-8")
            click.echo(
                f"Truto emulator listening on {emulator.url} with two environments, "
                f"{first} and {second} (stopped at the end)."
            )
            for line in story.describe(first):
                click.echo(line)
            for line in _values_lines(environments):
                click.echo(line)
            steps = [
                ["--profile", first, "plan"],
                ["--profile", first, "apply", "--auto-approve"],
                ["--profile", first, "plan", "--detailed-exitcode"],
                ["--profile", second, "apply", "--auto-approve"],
                ["--profile", second, "plan", "--detailed-exitcode"],
                ["diff", "--profile", first, "--profile", second],
            ]
            saved = {env: os.environ.get(env) for env in token_envs.values()}
            os.environ.update({token_envs[name]: tokens[name] for name in tokens})
            try:
                codes = []
                for argv in steps:
                    click.echo(f"\n$ syncspec {' '.join(argv)}")
                    codes.append(
                        _run(cli, ["--config", str(config), *argv], "syncspec", None, False)
                    )
            finally:
                for env, value in saved.items():
                    if value is None:
                        os.environ.pop(env, None)
                    else:
                        os.environ[env] = value
    if any(code != 0 for code in (codes[0], codes[1], codes[3])):
        raise SyncspecError("the demo's plan or apply failed (see above)")
    if codes[2] != 0 or codes[4] != 0:
        raise SyncspecError("a plan after apply still shows changes: this is a syncspec bug")
    if codes[5] != 0:
        raise SyncspecError("the environments differ beyond the profiles' values (see above)")
    click.echo(
        f"\nDone: {first} and {second} hold the same jobs, differing only by their profiles' "
        "values. Next: `syncspec --help`, and the README."
    )
    return 0


def _values_lines(environments: list[tuple[str, dict[str, object]]]) -> list[str]:
    import json

    names = sorted({key for _, values in environments for key in values})
    if not names:
        return []
    lines = ["Values that differ per environment (`!var NAME` in the job files):"]
    for key in names:
        shown = ", ".join(
            f"{env} {json.dumps(values.get(key), ensure_ascii=False)}"
            for env, values in environments
        )
        lines.append(f"  - {key}: {shown}")
    return lines
