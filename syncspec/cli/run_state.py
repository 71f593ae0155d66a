"""``syncspec run-state list|get|set|delete --state-key K [KEY]``: incremental-sync state.

``--state-key`` is the namespace (the job's ``state_key`` template rendered for a run, often
the integrated account id); KEY is the entry (e.g. ``last_processed_id``).
"""

from __future__ import annotations

import sys
from typing import IO, TYPE_CHECKING, Any

import click

from syncspec.cli import format_option, global_options
from syncspec.errors import Aborted, ConfigError, ExitCode

# Project imports stay inside the commands: `--help` imports every command module (20 syncspec
# modules, 0.10 s CPU; with them at the top 47 modules, 0.29 s: bench/BENCHMARKS.md, "Imports").

if TYPE_CHECKING:
    from syncspec.api.client import TrutoClient

FORMATS = ("text", "json")


def _client(ctx: click.Context) -> TrutoClient:
    from syncspec.api.client import TrutoClient

    return TrutoClient.from_settings(global_options(ctx).settings())


def _stdin_is_interactive() -> bool:
    return sys.stdin.isatty()


def _state_key_option(f: Any) -> Any:
    return click.option(
        "--state-key",
        "state_key",
        required=True,
        metavar="K",
        help="The state namespace (the job's state_key rendered for a run).",
    )(f)


_format_option = format_option(*FORMATS)


def _decode_option(f: Any) -> Any:
    return click.option(
        "--decode",
        is_flag=True,
        help="Show base64 values decoded, and JSON values pretty-printed.",
    )(f)


@click.group("run-state")
def command() -> None:
    """Inspect or reset the run state (cursors) of incremental syncs."""


@command.command("list")
@_state_key_option
@_decode_option
@_format_option
@click.pass_context
def list_command(ctx: click.Context, state_key: str, decode: bool, output_format: str) -> int:
    """List the entries stored under --state-key."""
    from syncspec.engine.run_state import decode_value, list_entries, with_decoded
    from syncspec.render import runs as render

    with _client(ctx) as client:
        entries = list_entries(client, state_key)
    if output_format == "json":
        click.echo(render.to_json([with_decoded(e) for e in entries] if decode else entries))
    elif decode:
        decoded = [decode_value(str(e.get("value", ""))) for e in entries]
        click.echo(render.state_entries_decoded(entries, decoded))
    else:
        click.echo(render.state_entries_table(entries))
    return ExitCode.OK


@command.command("get")
@click.argument("key")
@_state_key_option
@_decode_option
@_format_option
@click.pass_context
def get(ctx: click.Context, key: str, state_key: str, decode: bool, output_format: str) -> int:
    """Print the value of KEY (as stored, or decoded with --decode)."""
    from syncspec.engine.run_state import decode_value, get_entry, with_decoded
    from syncspec.render import runs as render

    with _client(ctx) as client:
        entry = get_entry(client, state_key, key)
    if output_format == "json":
        click.echo(render.to_json(with_decoded(entry) if decode else entry))
    else:
        value = str(entry.get("value", ""))
        click.echo(decode_value(value).text if decode else value)
    return ExitCode.OK


@command.command("set")
@click.argument("key")
@_state_key_option
@click.option("--value", "value", metavar="V", help="The value, stored as given.")
@click.option(
    "--value-file",
    "value_file",
    type=click.File("rb"),
    metavar="FILE",
    help="Read the value from FILE ('-' for stdin), byte for byte.",
)
@click.option(
    "--json",
    "json_text",
    metavar="JSON",
    help="A JSON value, stored as compact JSON text.",
)
@click.option(
    "--base64",
    "as_base64",
    is_flag=True,
    help="Store the base64 encoding of the value (Truto's example format).",
)
@_format_option
@click.pass_context
def set_command(
    ctx: click.Context,
    *,
    key: str,
    state_key: str,
    value: str | None,
    value_file: IO[bytes] | None,
    json_text: str | None,
    as_base64: bool,
    output_format: str,
) -> int:
    """Set KEY: update it when it exists (PATCH), create it when it does not (POST).

    \b
    Examples:
      syncspec run-state set last_cursor --state-key ACCOUNT_ID --value 2024-01-01T00:00:00Z
      syncspec run-state set cursor --state-key ACCOUNT_ID --json '{"page": 3}' --base64
    """
    from syncspec.engine.run_state import encode_value, set_entry
    from syncspec.render import runs as render

    given = [
        name
        for name, v in (("--value", value), ("--value-file", value_file), ("--json", json_text))
        if v is not None
    ]
    if len(given) != 1:
        raise ConfigError(
            "give exactly one of --value, --value-file or --json"
            + (f" (got {', '.join(given)})" if given else "")
        )
    stored = encode_value(
        value=value,
        value_bytes=value_file.read() if value_file is not None else None,
        json_text=json_text,
        as_base64=as_base64,
    )
    with _client(ctx) as client:
        result = set_entry(client, state_key, key, stored)
    if output_format == "json":
        click.echo(render.to_json({"action": result.action, "entry": result.entry}))
    else:
        click.echo(render.state_set(result.action, state_key, result.entry))
    return ExitCode.OK


@command.command("delete")
@click.argument("key")
@_state_key_option
@click.option("--yes", "-y", "yes", is_flag=True, help="Do not ask for confirmation.")
@_format_option
@click.pass_context
def delete(ctx: click.Context, key: str, state_key: str, yes: bool, output_format: str) -> int:
    """Delete KEY. Deleting a cursor makes the next run do a full sync."""
    from syncspec.engine.run_state import delete_entry
    from syncspec.render import runs as render

    if not yes:
        if not _stdin_is_interactive():
            raise ConfigError(
                f"refusing to delete {key!r} from state {state_key!r} without confirmation: "
                "pass --yes (no terminal to ask on)"
            )
        if not click.confirm(
            f"Delete {key!r} from state {state_key!r}? The next run will not resume from it",
            default=False,
            err=True,
        ):
            raise Aborted("not deleted")
    with _client(ctx) as client:
        entry = delete_entry(client, state_key, key)
    if output_format == "json":
        click.echo(render.to_json(entry))
    else:
        click.echo(render.state_deleted(state_key, key))
    return ExitCode.OK
