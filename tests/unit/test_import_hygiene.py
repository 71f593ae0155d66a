"""What the plan path imports: pydantic only when a saved plan is loaded (issue 12)."""

from __future__ import annotations

import subprocess
import sys

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
