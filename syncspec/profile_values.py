"""The values of a profile (issue 20): ``[profiles.NAME.vars]`` and ``vars/NAME.toml``.

What ``!var NAME`` in a job file stands for in one environment. Each value is checked to be plain
data within bounds (it lands in a job file, which the loader bounds the same way); a vars file
must be a file of the repository, not a link out of it. Errors are ``ConfigError`` (exit 3)
naming the file, the key and the rule (SS013 for a name, SS014 for a value).
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from syncspec.errors import ConfigError

if TYPE_CHECKING:  # tomllib loads only where there is a file to read (validate's start-up)
    import tomllib

VARS_DIR = "vars"  # vars/<profile>.toml: more values of a profile, beside [profiles.X.vars]
_VALUE_MAX_DEPTH = 32
_VALUE_MAX_NODES = 10_000
_VARS_FILE_MAX_BYTES = 1024 * 1024
_TOML_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def toml_error(path: Path, exc: tomllib.TOMLDecodeError) -> str:
    """``path:line:col: invalid TOML: why`` (the position from tomllib's message)."""
    text = str(exc)
    at = _TOML_AT.search(text)
    if at is None:
        return f"{path}: invalid TOML: {text}"
    return f"{path}:{at.group(1)}:{at.group(2)}: invalid TOML: {text[: at.start()]}"


def _read_vars_toml(path: Path) -> dict[str, Any]:
    """A vars file read as ``syncspec.toml`` is (issue 22): a regular UTF-8 file of bounded
    size and nesting; anything else is a ``ConfigError`` naming it."""
    import tomllib

    from syncspec.bounded import FileRefused, check_depth, read_regular_file

    try:
        text = read_regular_file(path, _VARS_FILE_MAX_BYTES).decode("utf-8")
        data = tomllib.loads(text)
    except FileRefused as exc:
        raise ConfigError(f"{path}: not read: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start + 1})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(toml_error(path, exc)) from None
    except (RecursionError, ValueError) as exc:
        raise ConfigError(
            f"{path}: invalid TOML: {str(exc)[:120] or 'nested too deeply'}"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    if check_depth(data, _VALUE_MAX_DEPTH) is not None:
        raise ConfigError(f"{path}: nested deeper than {_VALUE_MAX_DEPTH} levels")
    return data


def profile_vars(name: str, table: Any, where: str, root: Path) -> dict[str, Any]:
    """The values of ``[profiles.NAME.vars]`` and ``vars/NAME.toml`` (a name in both is an
    error), each checked to be plain data within bounds."""
    from syncspec.jobfile.yaml.varref import NAME_RE

    if table is None:
        table = {}
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: profiles.{name}.vars must be a table")
    values = dict(table)
    sources = {key: f"{where}: profiles.{name}.vars.{key}" for key in values}
    file_values, file_where = _vars_file(name, root)
    for key, value in file_values.items():
        if key in values:
            raise ConfigError(
                f"{file_where}: {key!r} is also set in [profiles.{name}.vars] of {where}; "
                "give each value one place"
            )
        values[key] = value
        sources[key] = f"{file_where}: {key}"
    for key, value in values.items():
        if not NAME_RE.match(key):
            raise ConfigError(
                f"{sources[key]}: SS013 a value's name is an identifier (letters, digits, _; "
                "not starting with a digit), as `!var NAME` writes it"
            )
        problem = plain_value_problem(value)
        if problem is not None:
            raise ConfigError(f"{sources[key]}: SS014 {problem}")
    return values


def _vars_file(name: str, root: Path) -> tuple[dict[str, Any], str]:
    """The values of ``vars/NAME.toml`` if it exists; it must be a file inside the project."""
    candidate = root / VARS_DIR / f"{name}.toml"
    if not os.path.lexists(candidate):
        return {}, ""
    real, real_root = os.path.realpath(candidate), os.path.realpath(root)
    if os.path.commonpath([real, real_root]) != real_root:
        raise ConfigError(
            f"{candidate}: SS014 leads outside the project ({real}); a vars file must be a "
            "file of the repository, not a link out of it"
        )
    if not os.path.isfile(real):
        raise ConfigError(f"{candidate}: SS014 not a regular file")
    if os.path.getsize(real) > _VARS_FILE_MAX_BYTES:
        raise ConfigError(f"{candidate}: SS014 larger than 1 MiB; a vars file holds a few ids")
    return _read_vars_toml(Path(real)), str(candidate)


def plain_value_problem(value: Any) -> str | None:
    """Why ``value`` cannot stand for a ``!var`` (None when it can): JSON's types only, nested
    at most ``_VALUE_MAX_DEPTH`` deep, at most ``_VALUE_MAX_NODES`` values in all."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    nodes = 0
    while stack:
        current, depth = stack.pop()
        nodes += 1
        if nodes > _VALUE_MAX_NODES:
            return f"the value holds more than {_VALUE_MAX_NODES:,} values"
        if depth > _VALUE_MAX_DEPTH:
            return f"the value is nested deeper than {_VALUE_MAX_DEPTH} levels"
        if isinstance(current, dict):
            stack.extend((v, depth + 1) for v in current.values())
        elif isinstance(current, list):
            stack.extend((v, depth + 1) for v in current)
        elif isinstance(current, float) and not math.isfinite(current):
            return f"{current} is not a JSON number"
        elif not isinstance(current, str | int | float | bool):
            kind = type(current).__name__
            return (
                f"a TOML {kind} is not plain data (text, number, boolean, table, array); "
                "quote it to make it text"
            )
    return None
