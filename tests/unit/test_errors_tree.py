"""``errors.py`` draws the whole exception tree: every exception class of syncspec is in the
drawing under its real base, and every class in the drawing is raised (or built) somewhere."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import syncspec
from syncspec import errors

PACKAGE = Path(syncspec.__file__).parent
ENTRY = re.compile(r"^    (?P<indent>(?:[│ ]   )*)(?:[├└]── )?(?P<name>[A-Za-z_]\w*)\b", re.M)


def _defined() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages([str(PACKAGE)], "syncspec."):
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseException)
                and obj.__module__ == module.__name__
            ):
                found[name] = obj
    return found


def _drawn() -> dict[str, str | None]:
    """Each class in the docstring's drawings -> the class drawn as its parent."""
    parents: dict[str, str | None] = {}
    stack: list[str] = []
    for match in ENTRY.finditer(errors.__doc__ or ""):
        depth = len(match["indent"]) // 4 + (1 if "──" in match[0] else 0)
        name = match["name"]
        del stack[depth:]
        parents[name] = stack[-1] if stack else None
        stack.append(name)
    return parents


def test_every_exception_class_is_drawn_under_its_base() -> None:
    drawn = _drawn()
    defined = _defined()
    assert sorted(set(defined) - set(drawn)) == [], "classes missing from errors.py's drawing"
    for name, cls in defined.items():
        base = cls.__bases__[0].__name__
        expected = None if base in ("Exception", "KeyboardInterrupt", "ValueError") else base
        assert drawn[name] in (expected, base), f"{name} is drawn under {drawn[name]}"


def test_every_drawn_class_exists_and_is_raised_somewhere() -> None:
    defined = _defined()
    source = "\n".join(
        line
        for path in PACKAGE.rglob("*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith(("class ", "except", "from ", "import "))
    )
    for name in _drawn():
        if name in ("Exception", "KeyboardInterrupt", "ValueError"):
            continue
        assert name in defined, f"{name} is drawn but not defined"
        subclassed = any(c.__bases__[0].__name__ == name for c in defined.values())
        built = re.search(rf"(?<![\w.]){name}(?:\(| if )|error\({name}\b|raise {name}\b", source)
        assert built or subclassed, f"{name} is never raised"
