"""``Node``: one operation of an fx ``Graph`` (as ``torch.fx.node``).

A node is one of six opcodes: ``placeholder`` (an input), ``get_attr`` (a parameter, buffer or
attribute of the root module), ``call_function``, ``call_method``, ``call_module`` and
``output``. Its ``args``/``kwargs`` hold other nodes; assigning them keeps each input's
``users`` up to date, which is what rewrites (``replace_all_uses_with``, dead-code
elimination, pattern replacement) rely on.
"""

from __future__ import annotations

import builtins
import operator
import types
from typing import Any, Callable

__all__ = ["Node", "map_arg", "map_aggregate", "Argument", "Target"]

Target = Any  # a callable (call_function) or a string (everything else)
Argument = Any  # nested tuples/lists/dicts/slices of Nodes and constants

_OPCODES = ("placeholder", "call_method", "call_module", "call_function", "get_attr", "output",
            "root")

# Ops whose call has an effect beyond its result: dead-code elimination keeps them.
_side_effectful_functions: set = {operator.setitem, builtins.print}


def map_aggregate(a: Argument, fn: Callable[[Argument], Argument]) -> Argument:
    """Apply ``fn`` to every leaf of a nested tuple/list/dict/slice structure."""
    if isinstance(a, tuple):
        t = tuple(map_aggregate(elem, fn) for elem in a)
        # A namedtuple is rebuilt as its own type (a plain tuple has no _fields).
        return t if not hasattr(a, "_fields") else type(a)(*t)
    if isinstance(a, list):
        return [map_aggregate(elem, fn) for elem in a]
    if isinstance(a, dict):
        return type(a)((k, map_aggregate(v, fn)) for k, v in a.items())
    if isinstance(a, slice):
        return slice(map_aggregate(a.start, fn), map_aggregate(a.stop, fn),
                     map_aggregate(a.step, fn))
    return fn(a)


def map_arg(a: Argument, fn: Callable[[Node], Argument]) -> Argument:
    """Apply ``fn`` to every ``Node`` inside ``a`` (other leaves are kept)."""
    if not callable(fn):
        raise AssertionError("torch.fx.map_arg(a, fn): fn must be a callable")
    return map_aggregate(a, lambda x: fn(x) if isinstance(x, Node) else x)


def _type_repr(obj) -> str:
    if isinstance(obj, type):
        if obj.__module__ == "builtins":
            return obj.__qualname__
        from ._names import qualified_name

        return qualified_name(obj)
    if obj is ...:
        return "..."
    if isinstance(obj, types.FunctionType):
        return obj.__name__
    return repr(obj)


class Node:
    """One operation in a ``Graph``; see the module docstring for the opcodes.

    Example::

        >>> g = ember.fx.Graph()
        >>> x = g.placeholder("x")
        >>> y = g.call_function(ember.relu, (x,))
        >>> list(x.users)
        [relu]
    """

    def __init__(self, graph, name: str, op: str, target: Target, args: tuple, kwargs: dict,
                 return_type: Any = None) -> None:
        if op not in _OPCODES:
            raise AssertionError(f"Unknown opcode {op}")
        if op == "call_function" and not callable(target):
            raise ValueError(f"Node [graph = {graph}, name = '{name}'] target {target} has type "
                             f"{type(target)} but a Callable is expected")
        if op in ("placeholder", "call_method", "call_module", "get_attr", "output") and \
                not isinstance(target, str):
            raise ValueError(f"Node [graph = {graph}, name = '{name}'] target {target} has type "
                             f"{type(target)} but a str is expected")
        self.graph = graph
        self.name = name
        self.op = op
        self.target = target
        self._input_nodes: dict[Node, None] = {}
        self._args: tuple = ()
        self._kwargs: dict = {}
        self.__update_args_kwargs(args, kwargs)
        self.users: dict[Node, None] = {}
        self.type = return_type
        self._prev = self
        self._next = self
        self._erased = False
        self._repr_fn = None
        self.meta: dict[str, Any] = {}

    # -- the doubly linked list the graph keeps its nodes in ----------------------------------
    @property
    def next(self) -> Node:
        return self._next

    @property
    def prev(self) -> Node:
        return self._prev

    def prepend(self, x: Node) -> None:
        """Insert ``x`` before this node (moving it if it is already in the graph)."""
        if self.graph is not x.graph:
            raise AssertionError("Attempting to move a Node into a different Graph")
        if self is x:
            return
        x._remove_from_list()
        p = self._prev
        p._next, x._prev = x, p
        x._next, self._prev = self, x

    def append(self, x: Node) -> None:
        """Insert ``x`` after this node."""
        self._next.prepend(x)

    def _remove_from_list(self) -> None:
        p, n = self._prev, self._next
        p._next, n._prev = n, p

    def __lt__(self, other: Node) -> bool:  # graph order, for sorting nodes
        return self.graph._order(self) < self.graph._order(other)

    # -- inputs ---------------------------------------------------------------------------------
    @property
    def args(self) -> tuple:
        return self._args

    @args.setter
    def args(self, a) -> None:
        self.__update_args_kwargs(a, self._kwargs)

    @property
    def kwargs(self) -> dict:
        return self._kwargs

    @kwargs.setter
    def kwargs(self, k) -> None:
        self.__update_args_kwargs(self._args, k)

    @property
    def all_input_nodes(self) -> list[Node]:
        return list(self._input_nodes)

    def update_arg(self, idx: int, arg: Argument) -> None:
        args = list(self.args)
        args[idx] = arg
        self.args = tuple(args)

    def insert_arg(self, idx: int, arg: Argument) -> None:
        args = list(self.args)
        args.insert(idx, arg)
        self.args = tuple(args)

    def update_kwarg(self, key: str, arg: Argument) -> None:
        self.kwargs = {**self.kwargs, key: arg}

    def __update_args_kwargs(self, new_args, new_kwargs) -> None:
        for old in self._input_nodes:
            old.users.pop(self, None)
        self._input_nodes = {}
        seen = self._input_nodes

        def collect(n):
            seen.setdefault(n)
            return n

        self._args = tuple(map_arg(tuple(new_args), collect))
        self._kwargs = dict(map_arg(dict(new_kwargs), collect))
        for n in seen:
            n.users.setdefault(self)

    @property
    def stack_trace(self):
        return self.meta.get("stack_trace")

    @stack_trace.setter
    def stack_trace(self, trace) -> None:
        self.meta["stack_trace"] = trace

    # -- rewriting ------------------------------------------------------------------------------
    def replace_all_uses_with(self, replace_with: Node, delete_user_cb=lambda user: True, *,
                              propagate_meta: bool = False) -> list[Node]:
        """Make every user of this node use ``replace_with`` instead; returns those users."""
        if propagate_meta:
            if len(replace_with.meta) != 0:
                raise AssertionError("Called node.replace_all_uses_with(replace_with, "
                                     "propagate_meta=True), but replace_with already has .meta "
                                     "keys")
            replace_with.meta.update(self.meta)
        to_process = [u for u in self.users if delete_user_cb(u)]
        for user in to_process:
            user.replace_input_with(self, replace_with)
        return to_process

    def replace_input_with(self, old_input: Node, new_input: Node) -> None:
        """Replace every occurrence of ``old_input`` among this node's inputs."""
        def swap(n):
            return new_input if n is old_input else n

        self.__update_args_kwargs(map_arg(self._args, swap), map_arg(self._kwargs, swap))

    def is_impure(self, impure_random: bool = True) -> bool:
        """True when removing this node could change what the program does."""
        if self.op in ("placeholder", "output"):
            return True
        if self.op == "call_function":
            return self.target in _side_effectful_functions
        if self.op == "call_method":
            return isinstance(self.target, str) and self.target.endswith("_") and \
                not self.target.endswith("__")
        if self.op == "call_module":
            root = self.graph.owning_module
            if root is None:
                return False
            mod = root.get_submodule(self.target)
            return getattr(mod, "_is_impure", False)
        return False

    # -- printing -------------------------------------------------------------------------------
    def __repr__(self) -> str:
        if self._repr_fn:
            return self._repr_fn(self)
        return self.name

    def _pretty_print_target(self, target) -> str:
        if isinstance(target, str):
            return target
        from ._names import pretty_target

        return pretty_target(target)

    def format_node(self, placeholder_names: list | None = None,
                    maybe_return_typename: list | None = None) -> str | None:
        """The node as one line of ``print(graph)``."""
        if self.op == "placeholder":
            if not isinstance(self.target, str):
                raise AssertionError("placeholder target must be a str")
            arg_str = self.target
            if placeholder_names is not None:
                placeholder_names.append(arg_str + (f": {_type_repr(self.type)}"
                                                    if self.type else ""))
                return None
            maybe_type = "" if self.type is None else f"{_type_repr(self.type)} "
            default = f"(default={self.args[0]})" if self.args else ""
            return (f"%{self.name} : {maybe_type}[num_users={len(self.users)}] = "
                    f"{self.op}[target={self.target}]{default}")
        if self.op == "get_attr":
            maybe_type = "" if self.type is None else f"{_type_repr(self.type)} "
            return (f"%{self.name} : {maybe_type}[num_users={len(self.users)}] = "
                    f"{self.op}[target={self._pretty_print_target(self.target)}]")
        if self.op == "output":
            if self.type and maybe_return_typename is not None:
                maybe_return_typename[0] = f" -> {_type_repr(self.type)}"
            return f"return {self.args[0]}"
        maybe_type = "" if self.type is None else f"{_type_repr(self.type)} "
        return (f"%{self.name} : {maybe_type}[num_users={len(self.users)}] = "
                f"{self.op}[target={self._pretty_print_target(self.target)}]("
                f"args = {_format_arg(self.args)}, kwargs = {_format_arg(self.kwargs)})")


def _format_arg(arg, max_list_len: float = float("inf")) -> str:
    """An argument as ``print(graph)`` shows it: nodes as ``%name``."""
    if hasattr(arg, "_custom_fx_repr_fn"):
        return arg._custom_fx_repr_fn()
    if isinstance(arg, list):
        items = ", ".join(_format_arg(a) for idx, a in enumerate(arg) if idx < max_list_len)
        maybe_len = "" if len(arg) < max_list_len + 1 else f", ...[total_len={len(arg)}]"
        return f"[{items}{maybe_len}]"
    if isinstance(arg, tuple):
        items = ", ".join(_format_arg(a) for idx, a in enumerate(arg) if idx < max_list_len)
        maybe_len = "" if len(arg) < max_list_len + 1 else f", ...[total_len={len(arg)}]"
        maybe_comma = "," if len(arg) == 1 else ""
        return f"({items}{maybe_comma}{maybe_len})"
    if isinstance(arg, dict):
        items = ", ".join(f"{k}: {_format_arg(v)}" for k, v in arg.items())
        return f"{{{items}}}"
    if isinstance(arg, Node):
        return "%" + str(arg)
    return str(arg)
