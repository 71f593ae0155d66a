"""What the plan and validate paths import: pydantic only when a saved plan is loaded (issue 12),
nothing that the files at hand do not need on the validate path (issue 26)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
    "syncspec.engine,syncspec.api,ssl,email"
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
