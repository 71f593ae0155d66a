"""Semantic lint rules (args_schema, legacy resources, V4 nodes, placeholders).

Placeholder module: the lint-rules work fills this in. Contract: ``check_job(data)`` takes the
parsed document (plain data, possibly structurally invalid: be defensive) and returns findings
addressed by key paths; ``RULES`` lists every rule id this module can report.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from syncspec.spec.problems import Finding, Rule

RULES: tuple[Rule, ...] = ()


def check_job(data: Mapping[str, Any]) -> list[Finding]:
    return []
