"""The ``depends_on`` graph of a job's resources (legacy items or V4 nodes), by item index."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def cycles(parents: Mapping[int, Sequence[int]]) -> list[list[int]]:
    """Each distinct cycle once, as the list of indexes along it (self-loops included).

    ``parents[i]`` are the indexes item ``i`` depends on. Iterative DFS, so deep chains cannot
    hit the recursion limit.
    """
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(parents, white)
    found: list[list[int]] = []
    seen: set[frozenset[int]] = set()
    for start in sorted(parents):
        if colour[start] != white:
            continue
        stack: list[tuple[int, int]] = [(start, 0)]  # (node, next parent position)
        colour[start] = grey
        while stack:
            node, pos = stack[-1]
            ups = parents.get(node, ())
            if pos == len(ups):
                colour[node] = black
                stack.pop()
                continue
            stack[-1] = (node, pos + 1)
            parent = ups[pos]
            state = colour.get(parent, black)
            if state == grey:
                path = [n for n, _ in stack]
                loop = path[path.index(parent) :]
                key = frozenset(loop)
                if key not in seen:
                    seen.add(key)
                    found.append(loop)
            elif state == white:
                colour[parent] = grey
                stack.append((parent, 0))
    return found


def ancestors(parents: Mapping[int, Sequence[int]]) -> dict[int, frozenset[int]]:
    """Every index each item (transitively) depends on; an item in a cycle is its own ancestor."""
    out: dict[int, frozenset[int]] = {}
    for node in parents:
        seen: set[int] = set()
        todo = list(parents.get(node, ()))
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            todo.extend(parents.get(current, ()))
        out[node] = frozenset(seen)
    return out
