"""``replace_pattern``: find every copy of a small graph in a GraphModule and swap it out.

A match follows data dependencies backwards from the pattern's returned values: each pattern
node must meet a node with the same opcode and target whose arguments match in turn (pattern
placeholders match anything, literals must be equal), and a matched internal value may not
be used outside the match. Matches that overlap an earlier one are dropped. Each match is
replaced by a copy of the replacement graph, inserted before the first user of the match.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable, NamedTuple

from .graph import Graph, _has_attr_path
from .graph_module import GraphModule
from .node import Node

__all__ = ["Match", "ReplacedPatterns", "replace_pattern", "replace_pattern_with_filters"]


class Match(NamedTuple):
    anchor: Node  # the node the match was found from
    nodes_map: dict[Node, Node]  # pattern node -> graph node


class ReplacedPatterns(NamedTuple):
    anchor: Node
    nodes_map: dict[Node, Node]
    replacements: list[Node]


class InternalMatch:
    def __init__(self, anchors, nodes_map=None, placeholder_nodes=None, returning_nodes=None):
        self.anchors = anchors
        self.nodes_map = nodes_map if nodes_map is not None else {}
        self.placeholder_nodes = placeholder_nodes or []
        self.returning_nodes = returning_nodes or []


def _flat_nodes(a) -> list[Node]:
    if isinstance(a, Node):
        return [a]
    if isinstance(a, (list, tuple)):
        return [n for x in a for n in _flat_nodes(x)]
    if isinstance(a, dict):
        return [n for x in a.values() for n in _flat_nodes(x)]
    return []


class _Matcher:
    def __init__(self, pattern: Graph) -> None:
        self.pattern = pattern
        out = [n for n in pattern.nodes if n.op == "output"]
        if len(out) != 1:
            raise AssertionError("Pattern graph must have exactly one output node")
        self.returning = _flat_nodes(out[0].args[0])
        self.placeholders = [n for n in pattern.nodes if n.op == "placeholder"]
        # Anchors: the returned nodes, deduplicated, in order.
        self.anchors = list(dict.fromkeys(self.returning))

    @staticmethod
    def _equal(pn: Node, gn: Node) -> bool:
        if pn.op == "placeholder":
            return True
        return pn.op == gn.op and pn.target == gn.target

    def _match_args(self, pa, ga, nodes_map) -> bool:
        if isinstance(pa, Node):
            return isinstance(ga, Node) and self._match_nodes(pa, ga, nodes_map)
        if isinstance(pa, (list, tuple)):
            return (isinstance(ga, (list, tuple)) and len(pa) == len(ga) and
                    all(self._match_args(p, g, nodes_map) for p, g in zip(pa, ga)))
        if isinstance(pa, dict):
            return (isinstance(ga, dict) and pa.keys() == ga.keys() and
                    all(self._match_args(pa[k], ga[k], nodes_map) for k in pa))
        if isinstance(ga, Node):
            return False
        return type(pa) is type(ga) and pa == ga

    def _match_nodes(self, pn: Node, gn: Node, nodes_map: dict) -> bool:
        if pn in nodes_map:
            return nodes_map[pn] is gn
        if pn.op != "placeholder" and any(v is gn for k, v in nodes_map.items()
                                          if k.op != "placeholder"):
            return False
        if not self._equal(pn, gn):
            return False
        saved = dict(nodes_map)
        nodes_map[pn] = gn
        if pn.op == "placeholder":
            return True
        ok = self._match_args(pn.args, gn.args, nodes_map) and \
            self._match_args(pn.kwargs, gn.kwargs, nodes_map)
        if not ok:
            nodes_map.clear()
            nodes_map.update(saved)
        return ok

    def _contained(self, nodes_map: dict) -> bool:
        lookup = {gn: pn for pn, gn in nodes_map.items() if pn.op != "placeholder"}
        for gn, pn in lookup.items():
            if pn in self.returning:
                continue
            if any(user not in lookup for user in gn.users):
                return False
        return True

    def match(self, graph: Graph) -> list[InternalMatch]:
        candidates = {a: [n for n in graph.nodes if self._equal(a, n) and n.op != "output"]
                      for a in self.anchors}
        matches = []
        for combo in itertools.product(*(candidates[a] for a in self.anchors)):
            nodes_map: dict[Node, Node] = {}
            if all(self._match_nodes(pa, gn, nodes_map) for pa, gn in zip(self.anchors, combo)):
                # Every pattern node must be reached from the returned values.
                inner = [n for n in self.pattern.nodes if n.op not in ("output",)]
                if all(n in nodes_map for n in inner) and self._contained(nodes_map):
                    m = InternalMatch(list(combo), nodes_map)
                    m.placeholder_nodes = [nodes_map[p] for p in self.placeholders]
                    m.returning_nodes = [nodes_map[p] for p in self.returning]
                    matches.append(m)
        # Drop matches that overlap an earlier one.
        taken: set[Node] = set()
        result = []
        for m in matches:
            own = {gn for pn, gn in m.nodes_map.items() if pn.op != "placeholder"}
            if own & taken:
                continue
            taken |= own
            result.append(m)
        return result


def _graph_of(obj) -> Graph:
    if isinstance(obj, GraphModule):
        return obj.graph
    if isinstance(obj, Graph):
        return obj
    from ._symbolic_trace import symbolic_trace

    return symbolic_trace(obj).graph


def replace_pattern(gm: GraphModule, pattern, replacement) -> list[Match]:
    """Replace every non-overlapping match of ``pattern`` in ``gm`` with ``replacement``
    (callables are traced; Graphs and GraphModules are used as they are). Returns the
    matches, each a ``Match(anchor, nodes_map)``.

    Example (PyTorch's doc example)::

        >>> def pattern(w1, w2):
        ...     return ember.cat([w1, w2]).sum()
        >>> def replacement(w1, w2):
        ...     return ember.stack([w1, w2])
        >>> ember.fx.replace_pattern(traced_module, pattern, replacement)
    """
    replaced = _replace_pattern(gm, pattern, replacement)
    return [Match(anchor=m.anchor, nodes_map=m.nodes_map) for m in replaced]


def replace_pattern_with_filters(gm: GraphModule, pattern, replacement=None,
                                 match_filters: list[Callable] | None = None,
                                 ignore_literals: bool = False, replacement_callback=None,
                                 node_name_match: str = "") -> list[ReplacedPatterns]:
    """``replace_pattern`` keeping only matches every ``match_filters(match, original_graph,
    pattern_graph)`` accepts; returns ``ReplacedPatterns`` with the inserted nodes."""
    return _replace_pattern(gm, pattern, replacement, match_filters, replacement_callback)


def _replace_pattern(gm, pattern, replacement, match_filters=None, replacement_callback=None):
    match_filters = match_filters or []
    original_graph = gm.graph
    pattern_graph = _graph_of(pattern)
    matches = _Matcher(pattern_graph).match(original_graph)
    matches = [m for m in matches
               if all(f(m, original_graph, pattern_graph) for f in match_filters)]
    common_replacement = _graph_of(replacement) if replacement is not None else None
    changed: dict[Node, Node] = {}
    out: list[ReplacedPatterns] = []
    for match in matches:
        rgraph = replacement_callback(match, original_graph, pattern_graph) \
            if replacement_callback is not None else common_replacement
        r_placeholders = [n for n in rgraph.nodes if n.op == "placeholder"]
        if len(match.placeholder_nodes) != len(r_placeholders):
            raise AssertionError(f"Placeholder count mismatch: {len(match.placeholder_nodes)} vs "
                                 f"{len(r_placeholders)}")
        val_map: dict[Node, Any] = {}
        for rn, gn in zip(r_placeholders, match.placeholder_nodes):
            val_map[rn] = changed.get(gn, gn)
        user_nodes: set[Node] = set()
        for n in match.returning_nodes:
            user_nodes.update(n.users)
        first_user = None
        for n in original_graph.nodes:
            if n in user_nodes:
                first_user = n
                break
        insert_point = first_user
        if insert_point is None:
            nxt = None
            for n in reversed(original_graph.nodes):
                if n in match.returning_nodes:
                    insert_point = nxt
                    break
                nxt = n
        if insert_point is None:
            raise AssertionError("The insert point can't be None")
        before = set(val_map.values())
        with original_graph.inserting_before(insert_point):
            copied = original_graph.graph_copy(rgraph, val_map)
        if isinstance(copied, Node):
            copied = (copied,)
        copied = tuple(copied) if isinstance(copied, (list, tuple)) else (copied,)
        replacements = [v for v in val_map.values() if v not in before]
        if len(match.returning_nodes) != len(copied):
            raise AssertionError(f"Returning nodes count mismatch: "
                                 f"{len(match.returning_nodes)} vs {len(copied)}")
        for gn, cn in zip(match.returning_nodes, copied):
            gn.replace_all_uses_with(cn)
            changed[gn] = cn
        for node in reversed(pattern_graph.nodes):
            if node.op not in ("placeholder", "output"):
                original_graph.erase_node(match.nodes_map[node])
        out.append(ReplacedPatterns(match.anchors[0], match.nodes_map, replacements))
    gm.recompile()
    from ember import nn

    if isinstance(replacement, nn.Module):
        # Submodules/attributes the replacement graph refers to must exist on gm.
        for node in gm.graph.nodes:
            if node.op in ("call_module", "get_attr") and not _has_attr_path(gm, node.target) and \
                    _has_attr_path(replacement, node.target):
                from .graph_module import _copy_attr

                _copy_attr(replacement, gm, node.target)
    return out
