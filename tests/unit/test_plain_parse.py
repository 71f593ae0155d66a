"""The position-less fast path (``loader.plain_data``, yaml-rs) against the usual loader.

Whenever the fast path returns data, the usual loader (ruamel's C composer + the builder) must
load the same text without a problem and build the same data, type for type. Checked on every
example and hostile input, on seeded mutants of them, and on generated documents; then
``validate`` must report byte-identical problems with the fast path on and off.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bench.corpora import CORPORA
from syncspec.jobfile.problems import Problem
from syncspec.jobfile.validate import ValidationReport, validate_paths
from syncspec.jobfile.yaml import loader

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(
    p
    for folder in (ROOT / "tests" / "examples", ROOT / "jobs")
    for p in folder.rglob("*.y*ml")
    if "node_tests" not in p.parts or p.parent.name == "jobs"
)

# inputs the loader must refuse or treat with care (see test_loader.py), and constructs on
# which the two parsers are known to answer differently
HOSTILE = [
    "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b]\n",
    "label: a\nresources: &r [*r]\n",
    "label: a\nq: &q {a: 1}\nr: *q\n",
    "label: a\nx: !!binary aGVsbG8=\n",
    "label: a\nx: !secret zendesk\n",
    "label: a\nx: !!str 1\n",
    "label: a\nx: ! 1\n",
    "a: " + "[" * 100 + "]" * 100 + "\n",
    "a:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 120)),
    "a: " + "[" * 63 + "]" * 63 + "\n",
    "a: " + "[" * 64 + "]" * 64 + "\n",
    "- " * 70 + "x\n",
    "label: a\n\tb: 1\n",
    "label: a\r\nb: 1\r\n",
    "label: a\x85b: 1\n",
    "label: a\u2028b: 1\n",
    "label: a\nlabel: b\n",
    'label: a\n"label": b\n',
    "200: a\n'200': b\n",
    "1: a\n1.0: b\n",
    "true: a\n1: b\n",
    "label: a\n---\nlabel: b\n",
    "--- \nlabel: a\n",
    "%YAML 1.2\n---\nlabel: a\n",
    "label: a\n...\n",
    "base: &b {x: 1}\njob:\n  <<: *b\n  y: 2\n",
    "label: {{ args.x }}\n",
    "? [a]\n: 1\n",
    "? a\n: 1\n",
    "{a: 1}: 2\n",
    "label: a\nx: 2024-01-01\ny: 2024-01-01T10:00:00Z\nz: 12:30:00\nw: 1:20\n",
    "label: a\nx: 1e3\ny: .inf\nz: -.nan\nw: 0o17\nv: 0x1f\nu: 1_000\nt: 010\ns: +1\n",
    "label: a\nx: 1:20.5\ny: -1:30\nz: 190:20:30.15\n",
    "label: a\nx: yes\ny: No\nz: ON\nw: ~\nv: Null\nu: TRUE\n",
    "label: " + "k" * 1100 + "\n",
    "k" * 1100 + ": a\n",
    "",
    "# only a comment\n",
    "- a\n",
    "just text\n",
    "label: a\nx: '\\x41'\ny: \"\\x41\\u00e9\\N\\_\\L\\P\"\n",
    "label: a\nx: |2-\n   a\n  b\ny: >+\n  c\n\n",
    'label: a\nx: "multi\n  line\\\n  escaped"\n',
    "label: a\nx: plain\n  continued\n\n  para\n",
    "label: a\nx: `tick\n",
    "label: a\nx: @at\n",
    "label: a\nx: [a, b,]\n",
    "label: a\nx: {a, b: }\n",
    "label: a\nx: [a: 1, b]\n",
    "label: a\n  x: 1\n",
    "label: a\nx:\n- 1\n -2\n",
    "label: a\nx: 'unterminated\n",
    'label: a\nx: "\\q"\n',
    "\ufefflabel: a\n",
    "label: a\u00a0\nx: 1\n",
    "label: a\nx: \x01\n",
    '{"label": ["\\ud800\\udc00"], "x": "\\U0010ffff\\U00110000"}',
    "label: a\nx: \ud800\n",
]


def same(a: Any, b: Any) -> bool:
    """Equal with the same types all the way down (``1 == 1.0 == True`` in Python)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def check_text(text: str) -> bool:
    """Assert the fast path agrees with the usual loader on ``text``; whether it was used."""
    fast = loader.plain_data(text)
    if fast is None:
        return False
    usual = loader.parse_text(text, "job.yaml")
    assert usual.problems == [], (text, fast)
    assert same(fast, usual.data), (text, fast, usual.data)
    return True


def _texts(paths: list[Path]) -> list[str]:
    out = []
    for path in paths:
        try:
            out.append(path.read_bytes().decode("utf-8").removeprefix("\ufeff"))
        except UnicodeDecodeError:
            continue
    return out


SEEDS = [*_texts(EXAMPLES), *(make(i) for make in CORPORA.values() for i in range(2))]


def test_the_fast_path_is_there_and_used() -> None:
    # yaml-rs is a dependency wherever it has wheels; here (CI, Linux x86_64) it must be used
    assert loader._plain_parser()
    used = [text for text in SEEDS if loader.plain_data(text) is not None]
    assert len(used) >= len(SEEDS) // 2, f"the fast path took only {len(used)} of {len(SEEDS)}"


@pytest.mark.parametrize("text", [*SEEDS, *HOSTILE], ids=range(len(SEEDS) + len(HOSTILE)))
def test_same_data_as_the_loader(text: str) -> None:
    check_text(text)


_ALPHABET = [*":-?[]{},#&*!|>'\"%@`~\\ \n\t\r.0123456789eExyz", "<<", "---", "\u2028"]


def mutants(text: str, seed: int, count: int) -> Iterator[str]:
    """Seeded random edits of ``text``: delete, insert, duplicate, move or re-indent."""
    rng = random.Random(seed)
    for _ in range(count):
        out = text
        for _ in range(rng.randint(1, 3)):
            op = rng.randrange(5)
            at = rng.randrange(len(out) + 1)
            if op == 0 and out:
                out = out[:at] + out[at + 1 :]
            elif op == 1:
                out = out[:at] + rng.choice(_ALPHABET) + out[at:]
            else:
                lines = out.split("\n")
                i = rng.randrange(len(lines))
                if op == 2:
                    lines.insert(rng.randrange(len(lines) + 1), lines[i])
                elif op == 3:
                    lines.insert(rng.randrange(len(lines) + 1), lines.pop(i))
                else:
                    lines[i] = " " * rng.randrange(5) + lines[i].lstrip(" ")
                out = "\n".join(lines)
        yield out


@pytest.mark.parametrize("index", range(len(SEEDS) + len(HOSTILE)))
def test_same_data_on_mutants(index: int) -> None:
    text = [*SEEDS, *HOSTILE][index]
    for mutant in mutants(text, seed=index, count=40):
        check_text(mutant)


# generated documents: nested mappings and lists of scalars written plain, quoted or in flow
_SCALARS = st.one_of(
    st.sampled_from(
        [
            "1",
            "-1",
            "+1",
            "0",
            "010",
            "0o17",
            "0x1F",
            "1_000",
            "1e3",
            "1.5",
            ".5",
            "1.",
            "-.inf",
            ".NaN",
            "true",
            "True",
            "FALSE",
            "yes",
            "no",
            "on",
            "~",
            "null",
            "Null",
            "2024-01-01",
            "2024-01-01T10:00:00Z",
            "12:30",
            "=",
            "a b",
            "a: b",
            "a #b",
            "#x",
            "$x != 1",
            "a & b",
            "*",
            "-",
            "?",
            "[x]",
            "{x}",
            "'",
            '"',
            "\\",
            "@",
            "`",
            "%x",
            "{{args.x}}",
            "",
            " ",
            "é",
            "\u00a0",
            "a\nb",
        ]
    ),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=8),
)
_KEYS = st.one_of(st.sampled_from(["label", "a", "1", "true", "null", "k-1", "a b"]), _SCALARS)


def _scalar(value: str, style: str) -> str:
    if style == "single":
        return "'" + value.replace("'", "''").replace("\n", "\n\n") + "'"
    if style == "double":
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return '"' + escaped.replace("\t", "\\t").replace("\r", "\\r") + '"'
    return value  # plain: whatever it reads as (or does not load)


@st.composite
def documents(draw: st.DrawFn) -> str:
    def node(depth: int, indent: int) -> str:
        kind = draw(st.sampled_from(["scalar", "scalar", "map", "list", "flow"]))
        if depth > 3 or kind == "scalar":
            style = draw(st.sampled_from(["plain", "single", "double"]))
            return " " + _scalar(draw(_SCALARS), style) + "\n"
        if kind == "flow":
            items = draw(st.lists(_SCALARS, max_size=3))
            style = draw(st.sampled_from(["plain", "double"]))
            return " [" + ", ".join(_scalar(i, style) for i in items) + "]\n"
        pad = " " * indent
        if kind == "list":
            items = draw(st.lists(st.just(""), min_size=1, max_size=3))
            return "\n" + "".join(f"{pad}-{node(depth + 1, indent + 2)}" for _ in items)
        keys = draw(st.lists(_KEYS, min_size=1, max_size=4))
        style = draw(st.sampled_from(["plain", "single", "double"]))
        return "\n" + "".join(
            f"{pad}{_scalar(k, style)}:{node(depth + 1, indent + 2)}" for k in keys
        )

    body = node(0, 0)
    return body.removeprefix("\n") if body.startswith("\n") else "x:" + body


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
@example("label: a\nx: 1e3\n")
def test_same_data_on_generated_documents(text: str) -> None:
    check_text(text)


# --- whole validate runs: byte-identical problems with the fast path on and off ---


def _validate(paths: list[Path], root: Path, fast: bool, monkeypatch: Any) -> ValidationReport:
    with monkeypatch.context() as m:
        if not fast:
            m.setattr(loader, "_plain_loads", False)
        return validate_paths(paths, root)


def _rendered(problems: list[Problem]) -> list[str]:
    return [repr(p) for p in problems]


def test_validate_output_is_the_same_on_every_example(monkeypatch: Any) -> None:
    groups = [[ROOT / "tests" / "examples" / "valid"], [ROOT / "jobs"]]
    groups += [[d] for d in sorted((ROOT / "tests" / "examples" / "invalid").iterdir())]
    for paths in groups:
        with_fast = _validate(paths, ROOT, True, monkeypatch)
        without = _validate(paths, ROOT, False, monkeypatch)
        assert _rendered(with_fast.problems) == _rendered(without.problems), paths
        assert with_fast.files_checked == without.files_checked


def test_validate_output_is_the_same_on_hostile_and_mutated_files(
    tmp_path: Path, monkeypatch: Any
) -> None:
    texts = [*HOSTILE, *(m for i, t in enumerate(SEEDS[:40]) for m in mutants(t, i, 5))]
    for i, text in enumerate(texts):
        (tmp_path / f"job-{i:04d}.yaml").write_bytes(text.encode("utf-8", "surrogatepass"))
    with_fast = _validate([tmp_path], tmp_path, True, monkeypatch)
    without = _validate([tmp_path], tmp_path, False, monkeypatch)
    assert with_fast.files_checked == len(texts)
    assert _rendered(with_fast.problems) == _rendered(without.problems)


def test_a_float_without_a_dot_prints_nothing_of_ruamels(capfd: Any) -> None:
    parsed = loader.parse_text("label: a\nx: 1e3\n", "job.yaml")
    assert parsed.data == {"label": "a", "x": 1000.0}
    captured = capfd.readouterr()
    assert (captured.out, captured.err) == ("", "")


def test_a_float_without_a_dot_in_a_merged_document_prints_nothing(capfd: Any) -> None:
    parsed = loader.parse_text("base: &b {x: 1e3}\njob:\n  <<: *b\n", "job.yaml")
    assert parsed.data == {"base": {"x": 1000.0}, "job": {"x": 1000.0}}
    assert capfd.readouterr().err == ""


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=6), _JSON, min_size=1), st.booleans())
def test_same_data_on_json_documents(document: dict[str, Any], ascii_only: bool) -> None:
    import json

    check_text(json.dumps(document, ensure_ascii=ascii_only))  # JSON is YAML
