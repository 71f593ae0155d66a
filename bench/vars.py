"""Benchmark (issue 20): `syncspec validate` of 1,000 job files with `!var` tags vs without.

    python bench/vars.py [--runs 7] [--files 1000]

The V4 corpus of ``bench/corpora.py`` (30 nodes, 4 webhook destinations per file), written
twice: once as it is, and once with each destination's ``config.id`` written ``!var
webhook_<entity>`` (4 tags per file). Each directory gets its own ``syncspec.toml``; every
command is ``syncspec validate jobs`` run as a subprocess there (start-up included, as in
pre-commit and CI), interleaved run by run so that a shared machine's load hits all alike:

- ``no tags``: the literal corpus, with the same two profiles configured (values unused);
- ``tags, 1 profile``: the tagged corpus, resolved for one profile;
- ``tags, 2 profiles, same values``: resolved for both; equal resolved documents share one
  check (what validate does when the values agree);
- ``tags, 2 profiles, different values``: every file is checked once per profile (the values
  differ, so each environment's job is checked: the honest cost of checking two environments).

The resolved documents of the first three are identical to the literal corpus's, so the
difference is the tags' own cost. Medians of wall clock and CPU (user+sys incl. workers).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpora import ENTITIES, write_corpus  # noqa: E402
from bench.validate import _bin, measure  # noqa: E402

LITERAL = 'id: "{{args.webhook_id}}"'
SAME = "\n".join(f'webhook_{e} = "{{{{args.webhook_id}}}}"' for e in ENTITIES)
OTHER = "\n".join(f'webhook_{e} = "{{{{ args.webhook_id }}}}"' for e in ENTITIES)


def _toml(*profiles: tuple[str, str]) -> str:
    return "".join(f"[profiles.{name}.vars]\n{values}\n\n" for name, values in profiles)


def _tagged(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for entity in ENTITIES:
        block = f"  - name: send-{entity}\n"
        head, _, tail = text.partition(block)
        tail = tail.replace(LITERAL, f"id: !var webhook_{entity}", 1)
        text = head + block + tail
    assert LITERAL not in text
    path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()
    syncspec = _bin("syncspec")
    cases = {
        "no tags": (False, _toml(("staging", SAME), ("production", OTHER))),
        "tags, 1 profile": (True, _toml(("staging", SAME))),
        "tags, 2 profiles, same values": (True, _toml(("staging", SAME), ("production", SAME))),
        "tags, 2 profiles, different values": (
            True,
            _toml(("staging", SAME), ("production", OTHER)),
        ),
    }
    print(f"date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; {args.files:,} V4 files (4 tags each where tagged); "
        f"medians of {args.runs} runs, interleaved"
    )
    print()
    print("| case | syncspec validate wall | CPU | vs no tags (wall) |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="syncspec-bench-vars-") as tmp:
        commands = {}
        for name, (tagged, toml) in cases.items():
            project = Path(tmp) / name.replace(" ", "-").replace(",", "")
            files = write_corpus(project / "jobs", "v4", args.files)
            if tagged:
                for path in files:
                    _tagged(path)
            (project / "syncspec.toml").write_text(toml, encoding="utf-8")
            commands[name] = [syncspec, "--config", str(project / "syncspec.toml"), "validate"]
        results = measure(commands, args.runs)
    base = results["no tags"][0]
    for name, (wall, cpu) in results.items():
        print(f"| {name} | {wall * 1000:.0f} ms | {cpu * 1000:.0f} ms | {wall / base:.2f}x |")


if __name__ == "__main__":
    main()
