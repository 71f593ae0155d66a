"""Evaluating a job's JSONata offline: jsonata-python plus Truto's extension functions.

Compiled expressions are cached by their text (a repo's cases share a few dozen expressions),
each with the extensions bound once. ``evaluate`` never raises for a problem of the expression
or its data: it raises ``ExpressionFailed`` with a message meant for the user.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from syncspec.nodetest.js.dates import json_form, prepare_input
from syncspec.nodetest.js.errors import NotOffline
from syncspec.nodetest.js.values import UNDEFINED, as_js_number
from syncspec.nodetest.truto_functions import register


class ExpressionFailed(Exception):
    """The expression could not be evaluated; ``offset`` is a character index into it;
    ``budget`` is true when it went over a budget of the case (steps, values, regex)."""

    def __init__(self, message: str, offset: int | None = None, budget: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.budget = budget


# A bound on the work of one evaluation, in evaluation steps (not time, so that a case's outcome
# never depends on the machine's speed): JSONata optimizes tail calls, so a runaway recursion
# would otherwise loop forever. Real expressions take tens to thousands of steps.
MAX_STEPS = 250_000


class _Budget:
    def __init__(self) -> None:
        self.left = MAX_STEPS

    def step(self, *_: Any) -> None:
        self.left -= 1
        if self.left < 0:
            raise ExpressionFailed(
                f"the expression did not finish within {MAX_STEPS:,} evaluation steps "
                "(a runaway recursion?)",
                budget=True,
            )


_BUDGET = _Budget()


@dataclass
class _Compiled:
    expression: Any  # jsonata.Jsonata
    error: ExpressionFailed | None = None


_CACHE: dict[str, _Compiled] = {}


def _compile(text: str) -> _Compiled:
    cached = _CACHE.get(text)
    if cached is not None:
        return cached
    from jsonata import JException, Jsonata  # type: ignore[import-untyped]

    from syncspec.nodetest.budget import (
        bounded_pad,
        bounded_range,
        check_step_result,
        regex_engine,
    )

    try:
        expression = Jsonata(text, regex_engine)
    except JException as exc:
        compiled = _Compiled(None, _failed(exc))
    except RecursionError:
        compiled = _Compiled(None, ExpressionFailed("the expression is nested too deeply"))
    else:
        register(expression)
        # the input is JSON from YAML, plus the Date-like objects of ``prepare_input``, whose
        # methods jsonata-python's input check would refuse
        expression.set_validate_input(False)
        # keep JSONata's null apart from undefined in the result (JSON null vs nothing)
        expression.output_convert_nulls = False
        expression.environment.set_evaluate_entry_callback(_BUDGET.step)
        expression.environment.set_evaluate_exit_callback(check_step_result)
        # $pad with JSONata's own signature (so name.$pad(5) still pads the context)
        expression.register_function(
            "pad", Jsonata.JFunction(Jsonata.JLambda(bounded_pad), "<s-ns?:s>")
        )
        original_range = expression.evaluate_range_expression
        expression.evaluate_range_expression = lambda lhs, rhs: bounded_range(
            lhs, rhs, original_range
        )
        compiled = _Compiled(expression)
    _CACHE[text] = compiled
    return compiled


def _failed(exc: Any) -> ExpressionFailed:
    location = getattr(exc, "location", -1)
    code = getattr(exc, "error", "")
    offset = location if isinstance(location, int) and location >= 0 else None
    where = f" at character {offset}" if offset is not None else ""
    return ExpressionFailed(f"JSONata error {code}{where}: {exc}", offset)


# ``syncspec test --engine node``: the real package in a Node worker evaluates instead
_NODE: Any = None  # syncspec.nodetest.node_engine.NodeEngine


def use_node_engine(engine: Any) -> None:
    """Evaluate with ``engine`` (a running NodeEngine) from now on; None: the offline ports."""
    global _NODE  # noqa: PLW0603 (one engine per process, chosen by the CLI)
    _NODE = engine


def evaluate(text: str, document: Any) -> Any:
    """The JSON value of ``text`` on ``document`` (``UNDEFINED`` when it yields nothing)."""
    if _NODE is not None:
        from syncspec.nodetest.node_engine import NodeUnavailable

        try:
            answer = _NODE.evaluate(text, document)
        except NodeUnavailable as exc:  # stuck (killed after its timeout) or gone
            raise ExpressionFailed(f"--engine node: {exc}", budget=True) from None
        if not answer.ok:
            code = f" {answer.code}" if answer.code else ""
            raise ExpressionFailed(
                f"JSONata error{code} (truto-jsonata under Node): {answer.error}"
            )
        return answer.value
    compiled = _compile(text)
    if compiled.error is not None:
        raise compiled.error
    from jsonata import JException, Jsonata

    from syncspec.nodetest.budget import BudgetExceeded, count_values

    expression = compiled.expression
    # jsonata-python finds "the running expression" (for $now and for calling lambdas from
    # functions) in a thread-local set when an expression is *constructed*; cached ones must
    # claim it before they run.
    Jsonata.CURRENT.jsonata = expression
    _BUDGET.left = MAX_STEPS
    try:
        result = expression.evaluate(prepare_input(document))
        count_values(result)
    except BudgetExceeded as exc:
        raise ExpressionFailed(str(exc), budget=True) from None
    except NotOffline as exc:
        raise ExpressionFailed(str(exc)) from None
    except JException as exc:
        raise _failed(exc) from None
    except RecursionError:
        raise ExpressionFailed("the expression recursed too deeply") from None
    except ExpressionFailed:
        raise
    except Exception as exc:  # an extension function met data it cannot handle
        raise ExpressionFailed(f"evaluation failed: {type(exc).__name__}: {exc}") from None
    return to_json(result)


def to_json(value: Any) -> Any:
    """A JSONata result as JSON.stringify would see it (functions dropped, dates as text)."""
    from jsonata.utils import Utils  # type: ignore[import-untyped]

    if value is None:
        return UNDEFINED
    return _plain(value, json_form, Utils.NULL_VALUE)


_SCALARS = (str, int, bool)


def _plain(value: Any, json_form: Any, null: Any) -> Any:
    if type(value) in _SCALARS:  # most of a large result: no further checks
        return value
    if value is null:
        return None
    special = json_form(value)
    if special is not UNDEFINED:
        return special
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if _is_function(item):
                continue
            out[str(key)] = _plain(item, json_form, null)
        return out
    if isinstance(value, list | tuple):
        return [None if _is_function(v) else _plain(v, json_form, null) for v in value]
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None  # JSON.stringify writes null
        return as_js_number(value)
    if _is_function(value):
        return UNDEFINED
    return value


def _is_function(value: Any) -> bool:
    if type(value) in _SCALARS:
        return False
    from jsonata import Jsonata
    from jsonata.parser import Parser  # type: ignore[import-untyped]

    return isinstance(value, Jsonata.JFunctionCallable | Parser.Symbol) or callable(value)
