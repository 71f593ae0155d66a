"""The rule registry: every rule family, listed once, and the per-job semantic checks.

Families: SS0xx YAML (``jobfile.yaml.loader``), SS1xx structure (``jobfile.shape.structure``),
SS2xx legacy resources (``rules.legacy``), SS3xx V4 nodes (``rules.v4``), SS4xx placeholders
(``rules.placeholders``), SS5xx args_schema (``rules.args_schema``), SS6xx project
(``rules.project``), SS7xx JSONata (``rules.jsonata``), SS8xx schedules (``rules.schedules``).
A new family is added to ``FAMILIES`` (and, if it checks one job's data, to ``check_job``);
docs and tests read ``all_rules()``.

``check_job(data)`` takes the parsed document (plain data, possibly structurally invalid: every
rule skips what it cannot interpret, since the structure rules report it) and returns findings
addressed by key paths; ``RULES`` lists every rule id it can report.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from syncspec.jobfile.problems import Finding, Rule
from syncspec.jobfile.rules import args_schema, project
from syncspec.jobfile.rules import jsonata as rules_jsonata
from syncspec.jobfile.rules import legacy as rules_legacy
from syncspec.jobfile.rules import modeline as rules_modeline
from syncspec.jobfile.rules import placeholders as rules_placeholders
from syncspec.jobfile.rules import schedules as rules_schedules
from syncspec.jobfile.rules import v4 as rules_v4
from syncspec.jobfile.shape import structure
from syncspec.jobfile.shape.structure import Chosen, choose_shape
from syncspec.jobfile.yaml import loader

RULES: tuple[Rule, ...] = (
    *rules_legacy.RULES,
    *rules_v4.RULES,
    *rules_placeholders.RULES,
    *args_schema.RULES,
    *rules_jsonata.RULES,
    *rules_schedules.RULES,
)

# Top-level keys whose values are placeholder templates rendered per run (no resources in scope).
_JOB_TEMPLATES = ("mutex_key", "state_key")


def check_job(data: Mapping[str, Any], chosen: Chosen | None = None) -> list[Finding]:
    """Every semantic finding for one parsed job document (never raises); ``chosen``: its
    ``choose_shape``, when the caller has it already."""
    if not isinstance(data, Mapping):
        return []
    schema = data.get("args_schema")
    out = args_schema.check_args_schema(schema)
    has_schema = isinstance(schema, Mapping) and bool(schema)
    args = args_schema.declared_args(schema)
    resources = data.get("resources")
    v4_nodes: list[Any] | None = None
    if isinstance(resources, list):
        # Same shape choice as the structure rules; items of the other shape were reported there
        # (SS105) and are left out here.
        shape, _, skip = choose_shape(data) if chosen is None else chosen
        resources = [None if i in skip else r for i, r in enumerate(resources)]
        if shape == "v4":
            required = frozenset(args_schema.required_args(schema))
            out.extend(rules_v4.check(data, resources, args, required, has_schema))
            v4_nodes = resources
        else:
            out.extend(rules_legacy.check(resources, args, has_schema))
    out.extend(rules_jsonata.check(data, v4_nodes))
    out.extend(rules_schedules.check(data))
    for key in _JOB_TEMPLATES:
        if key in data:
            scope = rules_placeholders.Scope(
                args=args, has_args_schema=has_schema, where=key, resources_available=False
            )
            rules_placeholders.check_values([((key,), data[key])], scope, out)
    return out


# Every rule family, in rule-id order of their ranges.
FAMILIES: tuple[tuple[Rule, ...], ...] = (
    loader.RULES,
    rules_modeline.RULES,  # a file's editor modeline (SS017), checked by jobfile.validate
    structure.RULES,
    rules_legacy.RULES,
    rules_v4.RULES,
    rules_placeholders.RULES,
    args_schema.RULES,
    project.RULES,
    rules_jsonata.RULES,
    rules_schedules.RULES,
)


def all_rules() -> tuple[Rule, ...]:
    """Every rule syncspec can report, by id (for docs and tests).

    Raises ``ValueError`` if two families declare the same id differently (a bug).
    """
    by_id: dict[str, Rule] = {}
    for rule in (r for family in FAMILIES for r in family):
        known = by_id.get(rule.id)
        if known is not None and known != rule:
            raise ValueError(f"rule {rule.id} is declared twice: {known} and {rule}")
        by_id[rule.id] = rule
    return tuple(by_id[key] for key in sorted(by_id))
