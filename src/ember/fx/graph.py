"""``Graph``: the program as a list of ``Node``s (as ``torch.fx.Graph``).

Nodes live in a doubly linked list in execution order, so inserting and erasing anywhere is
O(1); ``inserting_before``/``inserting_after`` move the point where new nodes go. The graph
prints as PyTorch's does (``print(graph)``, ``print_tabular``) and turns into Python source
(``python_code``) for ``GraphModule``.
"""

from __future__ import annotations

import copy
import inspect
import warnings
from typing import Any, Callable

from ._codegen import PythonCode, _Namespace, python_code
from ._names import public_path, snake_case
from .node import Argument, Node, Target, map_arg

__all__ = ["Graph", "PythonCode"]


class _InsertPoint:
    def __init__(self, graph: Graph, new_insert: Callable[[Node], None]) -> None:
        self.graph = graph
        self.orig_insert, graph._insert = graph._insert, new_insert

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc) -> None:
        self.graph._insert = self.orig_insert


class _node_list:
    """A live view of the graph's nodes, in order (``reversed`` walks it backwards)."""

    def __init__(self, graph: Graph, direction: str = "_next") -> None:
        self.graph = graph
        self.direction = direction

    def __len__(self) -> int:
        return self.graph._len

    def __iter__(self):
        root = self.graph._root
        cur = getattr(root, self.direction)
        while cur is not root:
            nxt = getattr(cur, self.direction)  # read first: the body may erase cur
            if not cur._erased:
                yield cur
            cur = nxt

    def __reversed__(self):
        return _node_list(self.graph, "_prev" if self.direction == "_next" else "_next")


def _tabulate(rows: list[list], headers: list[str]) -> str:
    """``tabulate``'s "simple" table, which PyTorch's ``print_tabular`` prints."""
    cells = [[str(c) for c in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in cells]
    return "\n".join(lines)


class Graph:
    """A program as nodes; build one with ``placeholder``/``call_function``/.../``output``.

    Example::

        >>> g = ember.fx.Graph()
        >>> x = g.placeholder("x")
        >>> g.output(g.call_function(ember.relu, (x,)))
        >>> print(g.python_code("self").src)  # def forward(self, x): relu = torch.relu(x) ...
    """

    def __init__(self, owning_module=None, tracer_cls=None, tracer_extras=None) -> None:
        self._root = Node(self, "", "root", "", (), {})
        self._used_names: dict[str, int] = {}
        self._insert = self._root.prepend
        self._len = 0
        self._graph_namespace = _Namespace()
        self._owning_module = owning_module
        self._tracer_cls = tracer_cls
        self._tracer_extras = tracer_extras

    @property
    def owning_module(self):
        return self._owning_module

    @owning_module.setter
    def owning_module(self, mod) -> None:
        self._owning_module = mod

    @property
    def nodes(self) -> _node_list:
        return _node_list(self)

    def _order(self, node: Node) -> int:
        for i, n in enumerate(self.nodes):
            if n is node:
                return i
        raise RuntimeError(f"Node {node} is not in the graph")

    def find_nodes(self, *, op: str, target: Target | None = None, sort: bool = True):
        """The nodes with opcode ``op`` (and ``target``, if given), in graph order."""
        return [n for n in self.nodes if n.op == op and (target is None or n.target == target)]

    # -- building --------------------------------------------------------------------------------
    def create_node(self, op: str, target: Target, args: tuple | None = None,
                    kwargs: dict | None = None, name: str | None = None,
                    type_expr: Any | None = None) -> Node:
        """Make a node and insert it at the current insert point."""
        args = () if args is None else args
        kwargs = {} if kwargs is None else kwargs
        if not isinstance(args, tuple):
            raise AssertionError("args must be a tuple")
        if not isinstance(kwargs, dict):
            raise AssertionError("kwargs must be a dict")
        candidate = name if name is not None else self._target_to_str(target)
        name = self._graph_namespace.create_name(candidate, None)
        n = Node(self, name, op, target, args, kwargs, type_expr)
        self._graph_namespace.associate_name_with_obj(name, n)
        self._insert(n)
        self._len += 1
        return n

    def placeholder(self, name: str, type_expr: Any | None = None,
                    default_value: Any = inspect.Signature.empty) -> Node:
        args = () if default_value is inspect.Signature.empty else (default_value,)
        return self.create_node("placeholder", name, args=args, type_expr=type_expr)

    def get_attr(self, qualified_name: str, type_expr: Any | None = None) -> Node:
        root = self.owning_module
        if root is not None and not _has_attr_path(root, qualified_name):
            warnings.warn("Attempted to insert a get_attr Node with no underlying reference in "
                          "the owning GraphModule! Call GraphModule.add_submodule to add the "
                          "necessary submodule, GraphModule.add_parameter to add the necessary "
                          "Parameter, or nn.Module.register_buffer to add the necessary buffer",
                          stacklevel=2)
        return self.create_node("get_attr", qualified_name, type_expr=type_expr)

    def call_module(self, module_name: str, args: tuple | None = None,
                    kwargs: dict | None = None, type_expr: Any | None = None) -> Node:
        root = self.owning_module
        if root is not None and not _has_attr_path(root, module_name):
            warnings.warn("Attempted to insert a call_module Node with no underlying module in "
                          "the owning GraphModule! Call GraphModule.add_submodule to add the "
                          "necessary submodule", stacklevel=2)
        return self.create_node("call_module", module_name, args, kwargs, type_expr=type_expr)

    def call_method(self, method_name: str, args: tuple | None = None,
                    kwargs: dict | None = None, type_expr: Any | None = None) -> Node:
        return self.create_node("call_method", method_name, args, kwargs, type_expr=type_expr)

    def call_function(self, the_function: Callable, args: tuple | None = None,
                      kwargs: dict | None = None, type_expr: Any | None = None,
                      name: str | None = None) -> Node:
        return self.create_node("call_function", the_function, args, kwargs, name=name,
                                type_expr=type_expr)

    def output(self, result: Argument, type_expr: Any | None = None) -> Node:
        return self.create_node("output", "output", (result,), type_expr=type_expr)

    def node_copy(self, node: Node, arg_transform: Callable[[Node], Argument] = lambda x: x
                  ) -> Node:
        """Copy ``node`` (from any graph) into this one, mapping its inputs by ``arg_transform``."""
        args = map_arg(node.args, arg_transform)
        kwargs = map_arg(node.kwargs, arg_transform)
        result = self.create_node(node.op, node.target, args, kwargs, node.name, node.type)
        result.meta = copy.copy(node.meta)
        return result

    def graph_copy(self, g: Graph, val_map: dict, return_output_node: bool = False):
        """Copy all of ``g`` into this graph; ``val_map`` maps ``g``'s nodes to their copies
        (prefill it to bind placeholders). Returns the copied output value."""
        for node in g.nodes:
            if node in val_map:
                continue
            if node.op == "output":
                rv = map_arg(node.args[0], lambda n: val_map[n])
                return rv if not return_output_node else (rv, node)
            val_map[node] = self.node_copy(node, lambda n: val_map[n])
        return None

    def __deepcopy__(self, memo=None) -> Graph:
        memo = memo if memo else {}
        g = Graph(tracer_cls=self._tracer_cls)
        output_vals = g.graph_copy(self, val_map=memo, return_output_node=True)
        if output_vals is not None:
            out_val, old_output = output_vals
            new_output = g.output(out_val, type_expr=getattr(old_output, "type", None))
            new_output.meta = copy.copy(old_output.meta)
        return g

    # -- editing ---------------------------------------------------------------------------------
    def inserting_before(self, n: Node | None = None) -> _InsertPoint:
        """Insert new nodes before ``n`` (the start of the graph if None) inside ``with``."""
        if n is None:
            return self.inserting_after(self._root)
        if n.graph is not self:
            raise AssertionError("Node to insert before is not in graph.")
        return _InsertPoint(self, n.prepend)

    def inserting_after(self, n: Node | None = None) -> _InsertPoint:
        """Insert new nodes after ``n`` (the end of the graph if None) inside ``with``."""
        if n is None:
            return self.inserting_before(self._root)
        if n.graph is not self:
            raise AssertionError("Node to insert after is not in graph.")
        return _InsertPoint(self, n.append)

    def erase_node(self, to_erase: Node) -> None:
        """Remove a node that nothing uses any more."""
        if len(to_erase.users) > 0:
            raise RuntimeError(f"Tried to erase Node {to_erase} but it still had "
                               f"{len(to_erase.users)} users in the graph: {to_erase.users}!")
        if to_erase.graph is not self:
            raise RuntimeError(f"Attempting to remove {to_erase} from wrong graph!")
        if to_erase._erased:
            warnings.warn(f"erase_node({to_erase}) on an already erased node", stacklevel=2)
            return
        to_erase._remove_from_list()
        to_erase._erased = True
        self._len -= 1
        to_erase.args = ()
        to_erase.kwargs = {}

    def eliminate_dead_code(self, is_impure_node: Callable[[Node], bool] | None = None
                            ) -> bool:
        """Erase nodes whose value nobody uses and that have no side effect; True if any."""
        self.lint()
        changed = False
        for node in reversed(self.nodes):
            impure = is_impure_node(node) if is_impure_node is not None else node.is_impure()
            if not impure and len(node.users) == 0:
                self.erase_node(node)
                changed = True
        return changed

    def lint(self) -> None:
        """Check the graph is well formed: inputs defined before use, names unique, targets
        of the right type and (with an owning module) present on it."""
        def check_arg(arg: Node, n: Node | None = None) -> None:
            context_str = f" of Node '{n}' " if n else " "
            if arg.graph is not self:
                raise RuntimeError(
                    f"Argument '{arg}'{context_str}does not belong to this Graph, but was used "
                    "as an argument! If you are copying nodes from another graph, make sure to "
                    f"use ``arg_transform`` on node_copy() to remap values\n{self}")
            if arg not in seen_values:
                raise RuntimeError(
                    f"Argument '{arg}'{context_str}was used before it has been defined! Please "
                    f"check that Nodes in the graph are topologically ordered\n{self}")

        seen_names: set[str] = set()
        seen_values: set[Node] = set()
        for node in self.nodes:
            if node.op not in ("placeholder", "call_method", "call_module", "call_function",
                               "get_attr", "output"):
                raise RuntimeError(f"Node {node} had unknown opcode {node.op}!")
            if node.graph is not self:
                raise RuntimeError(f"Node '{node}' does not belong to this Graph!")
            map_arg(node.args, lambda arg: check_arg(arg, node))
            map_arg(node.kwargs, lambda arg: check_arg(arg, node))
            seen_values.add(node)
            if node.name in seen_names:
                raise RuntimeError(f"Node redefined name {node.name}!")
            seen_names.add(node.name)
        root = self.owning_module
        if root is None:
            return
        for node in self.nodes:
            if node.op in ("get_attr", "call_module"):
                if not isinstance(node.target, str):
                    raise ValueError(f"Node {node} target {node.target} has type "
                                     f"{type(node.target).__name__} but a str is expected")
                target_atoms = node.target.split(".")
                m_itr = root
                for i, atom in enumerate(target_atoms):
                    new_m_itr = getattr(m_itr, atom, None)
                    seen_qualname = ".".join(target_atoms[:i])
                    if new_m_itr is None:
                        raise RuntimeError(f"Node {node} target {node.target} references "
                                           f"nonexistent attribute {atom} of {seen_qualname}")
                    m_itr = new_m_itr
                from ember import nn

                if node.op == "call_module" and not isinstance(m_itr, nn.Module):
                    raise RuntimeError(f"Node {node} target {node.target} {atom} of "
                                       f"{seen_qualname} does not reference an nn.Module")

    # -- printing --------------------------------------------------------------------------------
    def _target_to_str(self, target: Target) -> str:
        if callable(target):
            path = public_path(target)
            op = path.rsplit(".", 1)[1] if path else target.__name__
        else:
            op = target
            if op.startswith("__") and op.endswith("__"):
                op = op[2:-2]
        return snake_case(op)

    def __str__(self) -> str:
        ret = [""]
        node_strs = [node.format_node(maybe_return_typename=ret) for node in self.nodes]
        s = f"graph(){ret[0]}:"
        for node_str in node_strs:
            if node_str:
                s += "\n    " + node_str
        return s

    def print_tabular(self) -> None:
        """Print the nodes as a table (PyTorch needs the ``tabulate`` package; ember does not)."""
        rows = [[n.op, n.name, n.target, n.args, n.kwargs] for n in self.nodes]
        print(_tabulate(rows, ["opcode", "name", "target", "args", "kwargs"]))

    def python_code(self, root_module: str, *, verbose: bool = False) -> PythonCode:
        """``forward``'s source and globals; ``root_module`` is the name of ``self``."""
        return python_code(self, root_module)


def _has_attr_path(root, qualified_name: str) -> bool:
    """Whether ``root`` has the dotted attribute path ``qualified_name`` (``'layer.0.weight'``)."""
    obj = root
    for atom in qualified_name.split("."):
        if not hasattr(obj, atom):
            return False
        obj = getattr(obj, atom)
    return True
