"""How the root group reads its command line and completes its commands' help.

- ``hoist_group_options``: group options are accepted after the subcommand too.
- ``complete_help``: every command's ``--help`` ends with examples (``syncspec.cli.examples``)
  and its one-line help in ``syncspec --help`` is its whole first sentence, not cut with "...".
"""

from __future__ import annotations

import inspect

import click

from syncspec.cli.examples import examples_epilog


def complete_help(command: click.Command, path: str) -> None:
    """Add the examples of ``syncspec.cli.examples`` and an uncut short help, once per command.

    click cuts the one-line help of ``syncspec --help`` at ~45 characters with "..."; the
    whole first sentence is set instead (the help formatter wraps it).
    """
    if getattr(command, "_syncspec_help_done", False):
        return
    if command.short_help is None and command.help:
        command.short_help = _first_sentence(command.help)
    epilog = examples_epilog(path, command.help or "")
    if epilog is not None:
        command.epilog = f"{command.epilog}\n\n{epilog}" if command.epilog else epilog
    command._syncspec_help_done = True  # type: ignore[attr-defined]
    if isinstance(command, click.Group):  # its eagerly added subcommands
        for name, sub in command.commands.items():
            complete_help(sub, f"{path} {name}")


def _first_sentence(text: str) -> str:
    paragraph = inspect.cleandoc(text).split("\n\n", 1)[0]
    words = " ".join(paragraph.split())
    end = words.find(". ")
    return words if end < 0 else words[: end + 1]


def _option_arity(command: click.Command, ctx: click.Context) -> dict[str, int]:
    """Option string -> how many values follow it, for ``command``'s own options."""
    arity: dict[str, int] = {}
    for param in command.get_params(ctx):
        if isinstance(param, click.Option):
            values = 0 if param.is_flag or param.count else param.nargs
            for name in (*param.opts, *param.secondary_opts):
                arity[name] = values
    return arity


def hoist_group_options(group: click.Group, argv: list[str]) -> list[str]:
    """``argv`` with the group's own options moved before the subcommand (``plan --debug``).

    click reads group options only before the subcommand. Any option of ``group`` (``--debug``,
    ``--profile P``, ``--allow-host H``...) found later is moved to the front with its values,
    unless the subcommand has an option of that name itself. Values of the subcommands' own
    options and everything after ``--`` stay where they are; unknown commands are left for
    click to report.
    """
    # contexts as click would build them (help option names are inherited and cached)
    settings = group.context_settings
    ctx = click.Context(group, info_name="syncspec", resilient_parsing=True, **settings)
    group_arity = _option_arity(group, ctx)
    front: list[str] = []
    i = 0
    while i < len(argv) and argv[i].startswith("-") and argv[i] != "--":
        name, has_value = argv[i].split("=", 1)[0], "=" in argv[i]
        take = 0 if has_value else group_arity.get(name, 0)
        _check_values(argv, i, take)
        front.extend(argv[i : i + 1 + take])
        i += 1 + take
    hoisted: list[str] = []
    rest: list[str] = []
    current: click.Command = group
    awaiting_command = True
    while i < len(argv):
        token = argv[i]
        if token == "--":
            rest.extend(argv[i:])
            break
        if token.startswith("-") and token != "-":
            name, has_value = token.split("=", 1)[0], "=" in token
            own = _option_arity(current, ctx) if current is not group else {}
            if name in own or name not in group_arity:
                take = 0 if has_value else own.get(name, 0)
                rest.extend(argv[i : i + 1 + take])
            else:
                take = 0 if has_value else group_arity[name]
                _check_values(argv, i, take)
                hoisted.extend(argv[i : i + 1 + take])
            i += 1 + take
            continue
        if awaiting_command and isinstance(current, click.Group):
            sub = current.get_command(ctx, token)
            if sub is None:
                rest.extend(argv[i:])
                break
            current = sub
            ctx = click.Context(sub, parent=ctx, info_name=token, resilient_parsing=True)
            awaiting_command = isinstance(sub, click.Group)
        rest.append(token)
        i += 1
    return front + hoisted + rest


def _check_values(argv: list[str], at: int, take: int) -> None:
    """A group option given without its value (``syncspec plan --profile``) is a usage error
    naming the option, not a value taken from the next word ("Missing command")."""
    values = argv[at + 1 : at + 1 + take]
    if len(values) < take or any(v.startswith("-") and v != "-" for v in values):
        raise click.UsageError(f"Option '{argv[at]}' requires a value.")
