"""A small pytree: flatten nested tuples, lists and dicts to a list of leaves and back."""

from __future__ import annotations


class TreeSpec:
    """The structure of a flattened tree; leaves are ``*``."""

    __slots__ = ("children", "kind", "meta")

    def __init__(self, kind, meta, children):
        self.kind, self.meta, self.children = kind, meta, children

    @property
    def num_leaves(self):
        if self.kind == "leaf":
            return 1
        return sum(c.num_leaves for c in self.children)

    def __eq__(self, other):
        return (isinstance(other, TreeSpec) and self.kind == other.kind
                and self.meta == other.meta and self.children == other.children)

    def __repr__(self, indent=0):
        # PyTorch's layout: children after the first on new lines, indented by depth
        if self.kind == "leaf":
            return "*"
        meta = {"tuple": "None", "list": "None"}.get(self.kind)
        if self.kind == "dict":
            meta = repr(list(self.meta))
        elif self.kind == "namedtuple":
            meta = repr(self.meta)
        kind = "namedtuple" if self.kind == "namedtuple" else self.kind
        sep = ",\n" + " " * (indent + 2)
        kids = sep.join(c.__repr__(indent + 2) for c in self.children)
        return f"TreeSpec({kind}, {meta}, [{kids}])"


LEAF = TreeSpec("leaf", None, ())


def tree_flatten(tree):
    leaves = []
    return leaves, _flatten(tree, leaves)


def _flatten(tree, leaves):
    if isinstance(tree, tuple):
        if hasattr(tree, "_fields"):
            kind, meta = "namedtuple", type(tree)
        else:
            kind, meta = "tuple", None
        return TreeSpec(kind, meta, [_flatten(x, leaves) for x in tree])
    if isinstance(tree, list):
        return TreeSpec("list", None, [_flatten(x, leaves) for x in tree])
    if isinstance(tree, dict):
        keys = list(tree.keys())
        return TreeSpec("dict", keys, [_flatten(tree[k], leaves) for k in keys])
    leaves.append(tree)
    return LEAF


def tree_unflatten(leaves, spec):
    it = iter(leaves)
    return _unflatten(it, spec)


def _unflatten(it, spec):
    if spec.kind == "leaf":
        return next(it)
    kids = [_unflatten(it, c) for c in spec.children]
    if spec.kind == "tuple":
        return tuple(kids)
    if spec.kind == "namedtuple":
        return spec.meta(*kids)
    if spec.kind == "list":
        return kids
    return dict(zip(spec.meta, kids))


def tree_map(fn, tree):
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([fn(x) for x in leaves], spec)


def broadcast_prefix(prefix, tree):
    """The leaves of ``prefix`` repeated over the subtrees of ``tree`` it covers (None if the
    structures do not match)."""
    out = []
    if _bcast(prefix, tree, out):
        return out
    return None


def _bcast(prefix, tree, out):
    if not isinstance(prefix, (tuple, list, dict)):
        n = len(tree_flatten(tree)[0])
        out.extend([prefix] * n)
        return True
    if isinstance(prefix, dict):
        if not isinstance(tree, dict) or set(prefix) != set(tree):
            return False
        return all(_bcast(prefix[k], tree[k], out) for k in tree)
    if not isinstance(tree, (tuple, list)) or isinstance(tree, tuple) != isinstance(prefix, tuple) \
            or len(prefix) != len(tree):
        return False
    return all(_bcast(p, t, out) for p, t in zip(prefix, tree))
