"""The layer rules of DESIGN.md "Layout": no import circle, and the import-linter contracts hold.

``lint-imports`` also runs in ``.ci/run``; these tests make sure the contracts are not vacuous (a
planted violation breaks them) and check what import-linter has no contract for: circles.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _cycles(package: str) -> list[list[str]]:
    """Every strongly connected component of more than one module (imports in functions count)."""
    graph = grimp.build_graph(package)
    modules = sorted(graph.modules)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in modules:
        if start in index:
            continue
        # iterative Tarjan: (module, iterator over its imports)
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for nxt in successors:
                if nxt not in graph.modules:
                    continue
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph.find_modules_directly_imported_by(nxt)))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_syncspec_has_no_import_circle() -> None:
    assert _cycles("syncspec") == []


def test_the_cycle_finder_finds_a_circle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = tmp_path / "circular"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from circular import b\n")
    (pkg / "b.py").write_text("from circular import a\n")
    (pkg / "c.py").write_text("from circular import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert _cycles("circular") == [["circular.a", "circular.b"]]


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    if not LINT_IMPORTS.exists():  # pragma: no cover - import-linter is a test dependency
        pytest.fail(f"{LINT_IMPORTS} is missing: install the test dependencies")
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        check=False,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_contracts_hold() -> None:
    proc = _lint_imports(ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout


@pytest.mark.parametrize(
    ("module", "planted", "contract"),
    [
        ("jobfile/problems.py", "import click", "Only cli/ imports click"),
        ("engine/diff.py", "import httpx", "Only api/ imports httpx and httpcore"),
        ("jobfile/validate.py", "from syncspec.engine import model", "Layers"),
        ("render/plan_text.py", "from syncspec.api import client", "render/ never imports api/"),
        ("engine/plan.py", "from syncspec.api import http", "engine/ and jobfile/ never import"),
    ],
)
def test_a_planted_violation_breaks_a_contract(
    tmp_path: Path, module: str, planted: str, contract: str
) -> None:
    shutil.copytree(ROOT / "syncspec", tmp_path / "syncspec")
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    target = tmp_path / "syncspec" / module
    target.write_text(target.read_text() + f"\n{planted}  # planted by the test\n")
    proc = _lint_imports(tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert contract in proc.stdout
    assert "BROKEN" in proc.stdout


@pytest.mark.parametrize(("contract", "allowed"), [("click", "cli"), ("httpx", "api")])
def test_the_import_contracts_cover_every_top_level_module(contract: str, allowed: str) -> None:
    """A module added beside ``cli/`` or ``api/`` is covered by the contracts that list sources
    (import-linter has no "every module but" form)."""
    import configparser

    parser = configparser.ConfigParser()
    parser.read(ROOT / ".importlinter")
    listed = set(parser[f"importlinter:contract:{contract}"]["source_modules"].split())
    package = ROOT / "syncspec"
    top = {
        f"syncspec.{p.stem if p.suffix == '.py' else p.name}"
        for p in package.iterdir()
        if (p.suffix == ".py" and p.stem not in ("__init__", "__main__"))
        or (p.is_dir() and (p / "__init__.py").exists())
    }
    assert listed == top - {f"syncspec.{allowed}"}
