"""The ``depends_on`` graph of a job's resources (legacy items or V4 nodes), by item index."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence


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


class Ancestry:
    """Who (transitively) depends on whom, in time and memory linear in the graph's size.

    ``ancestors`` above materialises every item's set: quadratic on a chain (10,000 chained
    nodes needed gigabytes, issue 22). This answers the questions the rules ask instead:

    - ``is_ancestor(a, i)``: O(1) by DFS intervals when every item has at most one parent
      (what the job structure allows: ``depends_on`` names one node / one resource); a legacy
      job whose items share a resource name can have several, and then each item's ancestors
      are a bitset (an ``int``) built once in topological order.
    - ``below(marked)``: every item with a marked strict ancestor, by one forward walk.

    Items in a cycle, and everything downstream of one, are ``tangled``: a cycle is an error
    of its own (SS204/SS304), and checks that need a node's ancestry skip those items.
    """

    def __init__(self, parents: Mapping[int, Sequence[int]]) -> None:
        self._parents = {node: sorted(set(ups)) for node, ups in parents.items()}
        children: dict[int, list[int]] = {node: [] for node in self._parents}
        pending = dict.fromkeys(self._parents, 0)
        for node, ups in self._parents.items():
            for up in ups:
                if up in children:
                    children[up].append(node)
                    pending[node] += 1
        self._children = children
        order = [node for node, count in pending.items() if count == 0]
        for node in order:  # Kahn: grows while it is walked
            for child in children[node]:
                pending[child] -= 1
                if pending[child] == 0:
                    order.append(child)
        self.tangled = frozenset(node for node, count in pending.items() if count > 0)
        self._forest = all(len(ups) <= 1 for ups in self._parents.values())
        self._enter: dict[int, int] = {}
        self._leave: dict[int, int] = {}
        self._bits: dict[int, int] = {}
        if self._forest:
            self._number(order)
        else:
            for node in order:
                bits = 0
                for up in self._parents[node]:
                    bits |= self._bits.get(up, 0) | (1 << up)
                self._bits[node] = bits

    def _number(self, order: list[int]) -> None:
        clock = 0
        for root in order:
            if self._parents[root]:
                continue
            stack = [(root, False)]
            while stack:
                node, done = stack.pop()
                if done:
                    self._leave[node] = clock
                    continue
                self._enter[node] = clock
                clock += 1
                stack.append((node, True))
                stack.extend((child, False) for child in self._children[node])

    def is_ancestor(self, ancestor: int, node: int) -> bool:
        """``node`` depends on ``ancestor``, directly or through others (never for tangled)."""
        if node in self.tangled or ancestor in self.tangled or ancestor == node:
            return False
        if self._forest:
            if node not in self._enter or ancestor not in self._enter:
                return False
            return self._enter[ancestor] < self._enter[node] < self._leave[ancestor]
        return bool(self._bits.get(node, 0) >> ancestor & 1) if ancestor >= 0 else False

    def below(self, marked: Iterable[int]) -> frozenset[int]:
        """The items that (transitively) depend on at least one ``marked`` item."""
        seen: set[int] = set()
        todo = [child for node in marked for child in self._children.get(node, ())]
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            todo.extend(self._children.get(node, ()))
        return frozenset(seen)


class UpstreamNames:
    """``Scope.upstream`` asked by name: the names of the items ``sources`` depend on (plus
    ``extra`` items and ``own`` names), without building the set for every item."""

    def __init__(
        self,
        ancestry: Ancestry,
        by_name: Mapping[str, Sequence[int]],
        sources: Sequence[int],
        extra: frozenset[int] = frozenset(),
        own: frozenset[str] = frozenset(),
    ) -> None:
        self._ancestry, self._by_name = ancestry, by_name
        self._sources, self._extra, self._own = sources, extra, own

    def _reaches(self, item: int) -> bool:
        if item in self._extra:
            return True
        is_ancestor = self._ancestry.is_ancestor
        for source in self._sources:  # noqa: SIM110 - a loop, not any(genexpr): per placeholder
            if is_ancestor(item, source):
                return True
        return False

    def intersection(self, names: Iterable[str], /) -> frozenset[str]:
        found = []
        for name in names:
            if name in self._own:
                found.append(name)
                continue
            for item in self._by_name.get(name, ()):
                if self._reaches(item):
                    found.append(name)
                    break
        return frozenset(found)

    def with_name(self, name: str) -> UpstreamNames:
        return UpstreamNames(
            self._ancestry, self._by_name, self._sources, self._extra, self._own | {name}
        )
