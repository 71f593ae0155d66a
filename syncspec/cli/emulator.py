"""``syncspec emulator``: serve a local Truto Admin API on 127.0.0.1 until Ctrl-C."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from syncspec.errors import ConfigError, ExitCode

# Project imports stay inside the commands: `--help` imports every command module (20 syncspec
# modules, 0.10 s CPU; with them at the top 47 modules, 0.29 s: bench/BENCHMARKS.md, "Imports").

# The emulator's web stack is the optional "emulator" extra; the core install has no starlette.
EXTRA_MODULES = ("starlette", "uvicorn")


def require_emulator_extra(command: str) -> None:
    """Import the emulator's server module, or stop with exit 3 naming the extra to install."""
    try:
        import syncspec.emulator.server  # noqa: F401
    except ModuleNotFoundError as exc:
        top = (exc.name or "").partition(".")[0]
        if top not in EXTRA_MODULES:
            raise
        raise ConfigError(
            f"`syncspec {command}` needs the emulator extra ({top} is not installed): "
            "pip install 'truto-syncspec[emulator]'"
        ) from None


def _parse_tokens(values: tuple[str, ...]) -> dict[str, str]:
    tokens: dict[str, str] = {}
    for value in values or ("dev",):
        token, _, env = value.partition(":")
        if not token:
            raise ConfigError(f"--token {value!r}: expected TOKEN or TOKEN:ENVIRONMENT")
        tokens[token] = env or "dev"
    return tokens


@click.command(name="emulator")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8787,
    show_default=True,
    help="Port on 127.0.0.1; 0 picks a free one (printed on start).",
)
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite file to keep data in (default: in memory).",
)
@click.option(
    "--token",
    "tokens",
    multiple=True,
    metavar="TOKEN[:ENV]",
    help="Accepted token and its environment name (repeatable; default: dev:dev).",
)
@click.option(
    "--latency-ms",
    type=click.FloatRange(0),
    default=0.0,
    show_default=True,
    help="Delay added to every request.",
)
@click.option(
    "--fail-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Share of requests answered with a random 500/502/503.",
)
@click.option(
    "--rate-limit",
    metavar="N/SECONDS",
    help="Per-token limit answered with 429 + Retry-After, e.g. 500/10s.",
)
@click.option(
    "--run-duration",
    type=click.FloatRange(0),
    default=3.0,
    show_default=True,
    help="Seconds a run takes from created to completed.",
)
@click.option(
    "--seed",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="JSON file of jobs to preload: a list, or {environment: [jobs]}.",
)
@click.option("--random-seed", type=int, help="Seed for --fail-rate (reproducible faults).")
def command(
    *,
    port: int,
    db: Path | None,
    tokens: tuple[str, ...],
    latency_ms: float,
    fail_rate: float,
    rate_limit: str | None,
    run_duration: float,
    seed: Path | None,
    random_seed: int | None,
) -> int:
    """Serve a local Truto Admin API (sync jobs, runs, run state, cron triggers).

    Prints the URL on stdout, then serves until Ctrl-C. Point syncspec at it with
    TRUTO_API_URL=<url> and TRUTO_API_TOKEN=<token>.
    """
    require_emulator_extra("emulator")
    from syncspec.config import parse_rate_limit
    from syncspec.emulator.server import EmulatorConfig, EmulatorError, load_seed, start_emulator

    try:
        config = EmulatorConfig(
            tokens=_parse_tokens(tokens),
            latency_ms=latency_ms,
            fail_rate=fail_rate,
            rate_limit=parse_rate_limit(rate_limit) if rate_limit else None,
            run_duration_s=run_duration,
            seed=load_seed(seed) if seed else None,
            db_path=str(db) if db else None,
            random_seed=random_seed,
            port=port,
        )
        emulator = start_emulator(config)
    except EmulatorError as exc:
        raise ConfigError(str(exc)) from None
    click.echo(emulator.url)
    sys.stdout.flush()
    environments = ", ".join(sorted(set(config.tokens.values())))
    click.echo(f"syncspec emulator: environments {environments}; Ctrl-C to stop", err=True)
    try:
        emulator.wait()
    except KeyboardInterrupt:
        emulator.stop()
    return ExitCode.OK
