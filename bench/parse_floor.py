"""The parse floor: load every job file under DIR (or the files given) with PyYAML's CSafeLoader.

    python bench/parse_floor.py DIR|FILE...

No rules, no positions, one process: the least any YAML checker must do. Exit 1 if a file
does not load.
"""

from __future__ import annotations

import os
import sys

import yaml


def main(args: list[str]) -> int:
    paths: list[str] = []
    for arg in args:
        if os.path.isdir(arg):
            for dirpath, _, names in os.walk(arg):
                paths.extend(os.path.join(dirpath, n) for n in names if n.endswith(".yaml"))
        else:
            paths.append(arg)
    for path in sorted(paths):
        with open(path, encoding="utf-8") as fh:
            if not isinstance(yaml.load(fh, Loader=yaml.CSafeLoader), dict):
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
