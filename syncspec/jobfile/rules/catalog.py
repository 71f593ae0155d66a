"""Every rule syncspec can report, for docs and tests: one id, one severity, one summary."""

from __future__ import annotations

from syncspec.jobfile.problems import Rule


def all_rules() -> tuple[Rule, ...]:
    """Every rule (YAML SS0xx, structure SS1xx, semantic SS2xx-SS5xx, project SS6xx), by id.

    Raises ``ValueError`` if two modules declare the same id differently (a bug).
    """
    from syncspec.jobfile.rules import modeline, project
    from syncspec.jobfile.rules import registry as semantics
    from syncspec.jobfile.shape import structure
    from syncspec.jobfile.yaml import loader

    by_id: dict[str, Rule] = {}
    for rule in (
        *loader.RULES,
        *modeline.RULES,
        *structure.RULES,
        *semantics.RULES,
        *project.RULES,
    ):
        known = by_id.get(rule.id)
        if known is not None and known != rule:
            raise ValueError(f"rule {rule.id} is declared twice: {known} and {rule}")
        by_id[rule.id] = rule
    return tuple(by_id[key] for key in sorted(by_id))


def rule(rule_id: str) -> Rule | None:
    """The catalogue entry of ``rule_id``, if it exists."""
    return next((r for r in all_rules() if r.id == rule_id), None)
