"""Validating job documents with pydantic-core alone (no pydantic import, no class creation).

The schemas come from ``job_core_schema.json``, generated from ``syncspec.jobfile.shape.models``
by ``python -m syncspec.jobfile.shape.corevalidate`` and kept identical by a test. Errors are
pydantic's own (``type``, ``loc``, ``msg``, ``ctx``), as
``models.X.model_validate`` would report them.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from importlib import machinery, util
from pathlib import Path
from types import ModuleType
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


COMPILED = "pydantic_core._pydantic_core"


@cache
def compiled() -> ModuleType:
    """pydantic-core's compiled module (``SchemaValidator``, ``ValidationError``).

    Loaded on its own when the package is not imported yet: the package's ``__init__`` builds
    ``core_schema``'s hundreds of typed dicts, about half of validate's start-up on a small
    file (bench/BENCHMARKS.md, issue 26 "Round 2"), and validate needs none of it. The module
    is registered under its own name, so a later ``import pydantic_core`` reuses it (a compiled
    module may be initialised only once per process); the package then lacks the attribute
    ``_pydantic_core`` (the import system sets it only on a module it loads itself), while
    ``from pydantic_core import _pydantic_core`` and ``import pydantic_core._pydantic_core``
    work; pydantic reads it only those ways (a test builds models after this). Anything
    unexpected (another layout of the package) falls back to the plain import.
    """
    loaded = sys.modules.get(COMPILED)
    if loaded is not None:
        return loaded
    if "pydantic_core" not in sys.modules:
        try:
            return _load_alone()
        except (ImportError, OSError, AttributeError, StopIteration, TypeError):
            sys.modules.pop(COMPILED, None)
    from pydantic_core import _pydantic_core

    return _pydantic_core


def _load_alone() -> ModuleType:
    package = util.find_spec("pydantic_core")
    if package is None or not package.submodule_search_locations:
        raise ImportError("pydantic_core is not installed")
    folder = Path(next(iter(package.submodule_search_locations)))
    location = next(
        folder / (COMPILED.rpartition(".")[2] + suffix)
        for suffix in machinery.EXTENSION_SUFFIXES
        if (folder / (COMPILED.rpartition(".")[2] + suffix)).is_file()
    )
    spec = util.spec_from_file_location(COMPILED, location)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {location}")
    module = util.module_from_spec(spec)
    sys.modules[COMPILED] = module
    spec.loader.exec_module(module)
    return module


@cache
def _validator(shape: Shape) -> Any:
    return compiled().SchemaValidator(core_schema(shape))


def warm_up() -> None:
    """Build both validators now (before forking workers that would each build them)."""
    _validator("legacy")
    _validator("v4")


def validation_errors(shape: Shape, data: object) -> list[Any]:
    """pydantic's error dicts for ``data`` validated as a job of ``shape`` ([] when valid)."""
    try:
        _validator(shape).validate_python(data)
    except compiled().ValidationError as exc:
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
