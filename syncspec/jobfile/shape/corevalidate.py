"""Validating job documents with pydantic-core alone (no pydantic import, no class creation).

The schemas come from ``job_core_schema.json``, generated from ``syncspec.jobfile.shape.models``
by ``python -m syncspec.jobfile.shape.corevalidate`` and kept identical by a test. Errors are
pydantic's own (``type``, ``loc``, ``msg``, ``ctx``), as
``models.X.model_validate`` would report them.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Literal

# models (pydantic) load only to regenerate the core schema: validate runs on pydantic-core
# alone (bench/BENCHMARKS.md, "Imports").

SCHEMA_FILE = Path(__file__).with_name("job_core_schema.json")
Shape = Literal["legacy", "v4"]


@cache
def _schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return schemas


def core_schema(shape: Shape) -> dict[str, Any]:
    """The plain pydantic-core schema of a job of ``shape`` (do not modify it)."""
    schema: dict[str, Any] = _schemas()[shape]
    return schema


@cache
def _validator(shape: Shape) -> Any:
    from pydantic_core import SchemaValidator

    return SchemaValidator(core_schema(shape))


def warm_up() -> None:
    """Build both validators now (before forking workers that would each build them)."""
    _validator("legacy")
    _validator("v4")


def validation_errors(shape: Shape, data: object) -> list[Any]:
    """pydantic's error dicts for ``data`` validated as a job of ``shape`` ([] when valid)."""
    from pydantic_core import ValidationError

    try:
        _validator(shape).validate_python(data)
    except ValidationError as exc:
        return list(exc.errors(include_url=False))
    return []


def schema_text() -> str:
    """What ``job_core_schema.json`` must contain (needs pydantic: models are built)."""
    from syncspec.jobfile.shape.models import core_schemas

    # key order is kept (it is the models' field order, which orders pydantic's errors)
    return json.dumps(core_schemas(), indent=1) + "\n"


if __name__ == "__main__":
    SCHEMA_FILE.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")
