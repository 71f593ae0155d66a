"""What the plan and validate paths import: pydantic only when a saved plan is loaded (issue 12),
nothing that the files at hand do not need on the validate path (issue 26)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CHECK = """
import sys
import syncspec.engine.plan, syncspec.engine.project, syncspec.engine.model
assert "pydantic" not in sys.modules, "plan imports pydantic"
from syncspec.engine.model import Plan
Plan.model_validate({"syncspec_version": "0", "created_at": "c", "api_url": "u", "profile": "p"})
assert "pydantic" in sys.modules
"""


def test_plan_modules_do_not_import_pydantic() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


# What `syncspec validate` of one clean legacy file must not import (issue 26): the plan/apply
# stack, the JSONata parser (no expression in the file), logging, did-you-mean, TOML (no config
# file), tracebacks (json is: the job schema is JSON data).
VALIDATE = """
import sys
from syncspec.cli import main
try:
    main(["validate", sys.argv[1]])
except SystemExit as exc:
    assert not exc.code, exc.code
loaded = sorted(m for m in sys.argv[2].split(",") if m in sys.modules)
assert not loaded, f"validate imports {loaded}"
"""
NOT_ON_THE_VALIDATE_PATH = (
    "httpx,pydantic,rich,jsonata,logging,difflib,tomllib,traceback,jsonschema,yaml,"
    "syncspec.engine,syncspec.api,ssl,email,"
    # pydantic-core's compiled module only: its package builds core_schema's typed dicts
    # (half of start-up); the cron grammar and hashlib only for a job with schedules; the
    # locating of findings only for a file that has some
    "pydantic_core,pydantic_core.core_schema,typing_extensions,decimal,hashlib,"
    "syncspec.jobfile.rules.cron,syncspec.jobfile.yaml.locate,syncspec.jobfile.yaml.scalarpos"
)


def test_validate_imports_only_what_the_files_need(tmp_path: Path) -> None:
    job = tmp_path / "job.yaml"
    job.write_text(
        "label: a\nintegration_name: zendesk\ndefault_runtime_version: 2\n"
        "resources:\n  - resource: ticketing/tickets\n    method: list\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-c", VALIDATE, str(job), NOT_ON_THE_VALIDATE_PATH],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr


# pydantic-core's compiled module, loaded alone by validate, is the one a later
# `import pydantic_core` uses (a compiled module initialises once per process), and the
# validators built either way answer alike.
SHARED = """
import sys
from syncspec.jobfile.shape import corevalidate
errors = corevalidate.validation_errors("legacy", {"label": 1, "resources": "x"})
assert "pydantic_core" not in sys.modules
compiled = sys.modules["pydantic_core._pydantic_core"]
import pydantic_core
assert pydantic_core.SchemaValidator is compiled.SchemaValidator
assert pydantic_core.ValidationError is compiled.ValidationError
from pydantic_core import SchemaValidator
again = SchemaValidator(corevalidate.core_schema("legacy"))
try:
    again.validate_python({"label": 1, "resources": "x"})
except pydantic_core.ValidationError as exc:
    assert list(exc.errors(include_url=False)) == errors, (exc.errors(), errors)
else:
    raise AssertionError("not an error")
import pydantic
from syncspec.jobfile.shape.models import core_schemas
assert core_schemas()["legacy"] == corevalidate.core_schema("legacy")
"""

AFTER_THE_PACKAGE = """
import pydantic_core
from syncspec.jobfile.shape import corevalidate
assert corevalidate.compiled() is pydantic_core._pydantic_core
assert corevalidate.validation_errors("legacy", {"label": 1})
"""

# Another layout of the package (no compiled file beside __init__): the plain import.
OTHER_LAYOUT = """
import sys
from syncspec.jobfile.shape import corevalidate
def elsewhere():
    raise ImportError("laid out otherwise")
corevalidate._load_alone = elsewhere
assert corevalidate.validation_errors("legacy", {"label": 1})
assert "pydantic_core" in sys.modules
"""


@pytest.mark.parametrize(
    "script", [SHARED, AFTER_THE_PACKAGE, OTHER_LAYOUT], ids=["first", "after", "fallback"]
)
def test_pydantic_cores_compiled_module_is_loaded_once(script: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
