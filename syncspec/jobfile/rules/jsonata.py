"""JSONata rules (SS7xx): every field Truto evaluates as JSONata is parsed offline.

The fields (truto-skills ``usage-in-truto.md``, "Sync Job V4"): job-level ``args_validation``;
on any V4 node ``run_if``; ``transform``/``add_context`` ``config.expression``; ``update_state``
``config.value_expression``; a request's ``query``/``body`` given as a string; ``recurse.if`` unless
it is a ``{{placeholder}}``. Each is parsed with jsonata-python's parser, never evaluated. A syntax
error points at the offending character (``Finding.offset``). A call of a function that is neither
JSONata's nor one of ``@truto/truto-jsonata``'s (``jsonata_names``) nor bound in the expression
itself is reported only when it is close to a known name (a typo): Truto may bind others.

Speed: jsonata is imported on the first expression only, and each distinct expression text is
parsed once per process (``analyse`` is cached): a repository repeats the same ``run_if`` a lot.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from syncspec.jobfile.problems import Finding, PathItem, Rule, Severity
from syncspec.jobfile.rules.kit import closest
from syncspec.jobfile.rules.placeholder_syntax import is_placeholder_text
from syncspec.jobfile.rules.truto_functions import KNOWN_FUNCTIONS

SS701 = Rule("SS701", Severity.ERROR, "JSONata expression has a syntax error")
SS702 = Rule("SS702", Severity.WARNING, "JSONata calls an unknown function (misspelt?)")
SS703 = Rule(
    "SS703", Severity.WARNING, "lodash wrapper called with a JSONata function (Truto quirk)"
)
RULES: tuple[Rule, ...] = (SS701, SS702, SS703)

# Truto's lodash wrappers call a JSONata function synchronously and get a Promise back (its
# lambdas are asynchronous): every item gets the same truthy key. The JSONata-native forms:
LODASH_TRAP_FIXES = {
    "groupBy": 'a property name ($groupBy(items, "type")) or JSONata grouping: items{type: [$]}',
    "keyBy": 'a property name ($keyBy(items, "id")) or JSONata grouping: items{$string(id): $}',
    "orderBy": 'property names ($orderBy(items, ["name"], ["asc"])) or '
    "$sort(items, function($a, $b) { $a.name > $b.name })",
    "find": "$filter(items, function($v) { ... })[0] (or items[condition][0])",
    "lofilter": "$filter(items, function($v) { ... }) (or items[condition])",
}

Path = tuple[PathItem, ...]

# Errors that mean "the expression stopped too early": point just after its last character.
_AT_END = frozenset({"S0203", "S0207"})
# Unterminated string / quoted name: point at the quote that is never closed.
_UNTERMINATED = {"S0101": "\"'", "S0105": "`"}


@dataclass(frozen=True)
class Analysis:
    """What the rules need to know about one expression (small, so it can be cached)."""

    error: tuple[str, str, int] | None = None  # code, message, character offset
    calls: tuple[tuple[str, int], ...] = ()  # (function name, offset of its "$")
    # lodash wrappers given a JSONata function as their iteratee: (name, offset of its "$")
    lodash_traps: tuple[tuple[str, int], ...] = ()
    bound: frozenset[str] = frozenset()  # $variables the expression binds itself
    object_keys: frozenset[str] | None = None  # string keys of a top-level object constructor


def warm_up() -> None:
    """Import the parser now (before forking workers that would each import it)."""
    _parser()


@lru_cache(maxsize=1)
def _parser() -> Any:
    from jsonata.parser import Parser  # type: ignore[import-untyped]  # ~90 ms, lazily

    return Parser()


@lru_cache(maxsize=8192)
def analyse(expression: str) -> Analysis:
    """Parse ``expression`` (never evaluate it): its syntax error, or its calls and bindings."""
    from jsonata.jexception import JException  # type: ignore[import-untyped]

    try:
        ast = _parser().parse(expression)
    except JException as exc:
        return Analysis(error=(str(exc.error), str(exc), _error_offset(expression, exc)))
    except Exception:  # a parser bug, or recursion on absurd nesting: not the user's error
        return Analysis()
    return _summarise(ast)


def context_keys(expression: str) -> frozenset[str] | None:
    """The keys an ``add_context`` expression sets, when statically known: the string keys of
    an object constructor at its top level (or the last expression of a top-level block)."""
    return analyse(expression).object_keys


def _error_offset(expression: str, exc: Any) -> int:
    """Character index of the offending token (jsonata reports the index just after it)."""
    location = exc.location if isinstance(exc.location, int) else 0
    code = str(exc.error)
    if code in _AT_END:
        return len(expression.rstrip())
    if code in _UNTERMINATED:
        return _unclosed_quote(expression, _UNTERMINATED[code], location)
    # S0202 "Expected X, got Y" names the offending token in `expected`, the others in `current`.
    token = exc.expected if code == "S0202" else exc.current
    text = str(token) if token is not None else ""
    if text:
        start = expression.rfind(text, 0, location)
        if start != -1:
            quote = expression[start - 1 : start]
            if quote and quote in "\"'`" and expression[start + len(text) :].startswith(quote):
                start -= 1  # a string token: point at its opening quote
            return start
    return max(0, min(location - 1, len(expression)))


def _unclosed_quote(expression: str, quotes: str, location: int) -> int:
    """The opening quote of the string that runs to the end (scanning as the tokenizer does)."""
    opened: int | None = None
    quote = ""
    i = 0
    while i < len(expression):
        ch = expression[i]
        if opened is None:
            if ch in "\"'`":
                opened, quote = i, ch
            elif expression.startswith("/*", i):
                end = expression.find("*/", i + 2)
                i = len(expression) if end == -1 else end + 2
                continue
        elif ch == "\\" and quote != "`":
            i += 1
        elif ch == quote:
            opened = None
        i += 1
    if opened is not None and expression[opened] in quotes:
        return opened
    return max(0, min(location - 1, len(expression)))


def _children(node: Any) -> Iterator[Any]:
    for key, value in vars(node).items():
        if key == "_outer_instance" or value is None:
            continue
        if isinstance(value, list | tuple):
            for item in value:
                if isinstance(item, list | tuple):
                    yield from item
                else:
                    yield item
        else:
            yield value


def _summarise(ast: Any) -> Analysis:
    symbol = type(_parser()).Symbol  # every AST node's base class
    calls: list[tuple[str, int]] = []
    traps: list[tuple[str, int]] = []
    bound: set[str] = set()
    seen: set[int] = set()
    stack = [ast]
    while stack:
        node = stack.pop()
        if not isinstance(node, symbol) or id(node) in seen:
            continue
        seen.add(id(node))
        kind = node.type
        if kind in ("function", "partial"):
            proc = node.procedure
            if isinstance(proc, symbol) and proc.type == "variable" and proc.value:
                name = str(proc.value)
                calls.append((name, max(0, int(proc.position) - len(name) - 1)))
                arguments: Any = node.arguments or ()
                if name in LODASH_TRAP_FIXES and len(arguments) > 1:
                    iteratee = arguments[1]
                    if isinstance(iteratee, symbol) and (
                        iteratee.type == "lambda"
                        or (iteratee.type == "variable" and _is_function_name(iteratee.value))
                    ):
                        traps.append(calls[-1])
        elif kind == "bind" and isinstance(node.lhs, symbol) and node.lhs.type == "variable":
            bound.add(str(node.lhs.value))
        elif kind == "lambda":
            bound.update(str(a.value) for a in node.arguments or () if isinstance(a, symbol))
        for attr in ("focus", "index"):  # @$v and #$i bind variables on path steps
            value = getattr(node, attr, None)
            if isinstance(value, str):
                bound.add(value)
        stack.extend(_children(node))
    return Analysis(
        calls=tuple(sorted(calls, key=lambda c: c[1])),
        lodash_traps=tuple(sorted(traps, key=lambda c: c[1])),
        bound=frozenset(bound),
        object_keys=_object_keys(ast, symbol),
    )


def _is_function_name(value: Any) -> bool:
    from syncspec.jobfile.rules.truto_functions import KNOWN_FUNCTIONS

    return isinstance(value, str) and value in KNOWN_FUNCTIONS


def _object_keys(ast: Any, symbol: Any) -> frozenset[str] | None:
    node = ast
    while node.type == "block" and node.expressions:
        node = node.expressions[-1]
    if not (node.type == "unary" and node.value == "{"):
        return None
    keys = {
        str(pair[0].value)
        for pair in node.lhs_object or ()
        if isinstance(pair[0], symbol) and pair[0].type == "string"
    }
    return frozenset(keys)


# ---- which fields are JSONata ----------------------------------------------------------------


def jsonata_fields(
    data: Mapping[str, Any], nodes: list[Any] | None
) -> Iterator[tuple[Path, str, str]]:
    """(path, expression, where) for every JSONata field; ``nodes`` are V4 nodes (else None)."""
    validation = data.get("args_validation")
    if isinstance(validation, str):
        yield ("args_validation",), validation, "args_validation"
    for i, node in enumerate(nodes or ()):
        if not isinstance(node, Mapping):
            continue
        name = node.get("name")
        label = f'node "{name}"' if isinstance(name, str) else f"resources[{i}]"
        base: Path = ("resources", i)
        if isinstance(node.get("run_if"), str):
            yield (*base, "run_if"), node["run_if"], f"run_if of {label}"
        config = node.get("config")
        kind = node.get("type")
        if isinstance(config, Mapping):
            key = {"transform": "expression", "add_context": "expression"}.get(str(kind))
            if kind == "update_state":
                key = "value_expression"
            if kind == "destination":
                key = "expression"
            if key is not None and isinstance(config.get(key), str):
                yield (*base, "config", key), config[key], f"config.{key} of {label}"
        if kind != "request":
            continue
        for key in ("query", "body"):
            if isinstance(node.get(key), str):
                yield (*base, key), node[key], f"{key} of {label}"
        recurse = node.get("recurse")
        if isinstance(recurse, Mapping):
            condition = recurse.get("if")
            if isinstance(condition, str) and not is_placeholder_text(condition):
                yield (*base, "recurse", "if"), condition, f"recurse.if of {label}"


@lru_cache(maxsize=1024)
def _near_function(name: str) -> str | None:
    """The known function ``name`` is most probably a typo of (case-insensitively: $dtFromISO)."""

    lowered = {known.lower(): known for known in KNOWN_FUNCTIONS}
    near = closest(name.lower(), lowered, 0.8)
    return lowered[near] if near is not None else None


def check(data: Mapping[str, Any], nodes: list[Any] | None) -> list[Finding]:
    """SS701/SS702 for every JSONata field of one job."""

    out: list[Finding] = []
    for path, expression, where in jsonata_fields(data, nodes):
        if not expression.strip():
            continue  # an empty expression is a structure/SS306 matter, not a syntax error
        result = analyse(expression)
        if result.error is not None:
            code, message, offset = result.error
            hint = None
            if "{{" in expression:
                hint = (
                    "this field is a JSONata expression, not a {{placeholder}} template: "
                    "write the path itself (args.x, resources.`knowledge-base`.pages)"
                )
            out.append(
                Finding(
                    SS701.id,
                    SS701.severity,
                    f"{where}: JSONata syntax error {code}: {message}",
                    path,
                    hint,
                    offset=offset,
                )
            )
            continue
        for name, offset in result.lodash_traps:
            if name in result.bound:
                continue
            out.append(
                Finding(
                    SS703.id,
                    SS703.severity,
                    f"{where}: ${name} is given a JSONata function; on Truto it receives a "
                    "Promise from it (Truto's JSONata functions are asynchronous), so "
                    + {
                        "groupBy": 'every item lands in one group, "[object Promise]"',
                        "keyBy": 'every item gets the key "[object Promise]" (the last wins)',
                        "orderBy": "the items keep their order",
                        "find": "it returns the first item",
                        "lofilter": "it keeps every item",
                    }[name],
                    path,
                    f"use {LODASH_TRAP_FIXES[name]}",
                    offset=offset,
                )
            )
        for name, offset in result.calls:
            if name in KNOWN_FUNCTIONS or name in result.bound:
                continue
            near = _near_function(name)
            if near is None:
                continue
            out.append(
                Finding(
                    SS702.id,
                    SS702.severity,
                    f"{where} calls ${name}, which is neither a JSONata function nor one of "
                    "Truto's (@truto/truto-jsonata) nor bound in the expression",
                    path,
                    f'did you mean "${near}"?',
                    offset=offset,
                )
            )
    return out
