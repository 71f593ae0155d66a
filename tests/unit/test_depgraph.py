"""depgraph.Ancestry answers exactly what the quadratic ``ancestors`` sets answered (issue 22)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from syncspec.jobfile.rules.depgraph import Ancestry, UpstreamNames, ancestors, cycles


@st.composite
def graphs(draw: st.DrawFn) -> dict[int, list[int]]:
    n = draw(st.integers(1, 12))
    many = draw(st.booleans())  # several parents (legacy items sharing a resource name)
    parents: dict[int, list[int]] = {}
    for i in range(n):
        ups = draw(st.lists(st.integers(0, n - 1), max_size=3 if many else 1))
        parents[i] = ups
    return parents


@given(graphs())
def test_ancestry_matches_the_sets_outside_cycles(parents: dict[int, list[int]]) -> None:
    full = ancestors(parents)
    graph = Ancestry(parents)
    in_cycle = {n for loop in cycles(parents) for n in loop}
    # tangled = in a cycle or downstream of one
    assert graph.tangled == {n for n in parents if n in in_cycle or full[n] & in_cycle}
    for node in parents:
        for other in parents:
            if node in graph.tangled or other in graph.tangled:
                assert not graph.is_ancestor(other, node)
            else:
                assert graph.is_ancestor(other, node) == (other in full[node])
    marked = [n for n in parents if n % 3 == 0]
    below = graph.below(marked)
    assert below == {n for n in parents if full[n] & set(marked)}


def test_upstream_names_by_name() -> None:
    parents = {0: [], 1: [0], 2: [1], 3: []}
    graph = Ancestry(parents)
    by_name = {"a": [0], "b": [1], "c": [2], "d": [3]}
    up = UpstreamNames(graph, by_name, (2,))
    assert up.intersection(["a", "b", "c", "d", "zz"]) == {"a", "b"}
    assert up.with_name("c").intersection(["c", "d"]) == {"c"}


def test_a_long_chain_is_answered_without_sets_per_node() -> None:
    n = 50_000
    graph = Ancestry({i: [i - 1] if i else [] for i in range(n)})
    assert graph.is_ancestor(0, n - 1)
    assert not graph.is_ancestor(n - 1, 0)
    assert len(graph.below([n - 2])) == 1
