"""``Proxy``: the stand-in value that records what a traced program does with it.

A Proxy wraps a ``Node``. Operators and tensor methods on it are its own dunders and
``__getattr__`` (they record ``call_function operator.add``, ``call_method view``...); ember's
public functions (``ember.relu``, ``F.linear``) reach it through ``__torch_function__``, which
every public op consults (the dispatch door), so nothing in ember is patched while tracing.
Using a Proxy where Python needs a concrete value (``if``, ``for``, ``len``) raises
``TraceError``, as PyTorch does.
"""

from __future__ import annotations

import dis
import inspect
import operator
import sys
from typing import Any, Callable

from ._codegen import magic_methods, reflectable_magic_methods
from .graph import Graph
from .node import Argument, Node, Target, map_aggregate

__all__ = ["TracerBase", "GraphAppendingTracer", "TraceError", "Proxy", "Attribute"]


class TraceError(ValueError):
    """A traced program used a symbolic value where a concrete one is needed."""


# Functions registered with ember.fx.wrap (their public entries): recorded as one node while
# a Tracer traces, run through (inlined) when called on Proxies otherwise, as in PyTorch.
_wrapped_fns: set = set()


# Tensor internals an ember op reads from its inputs (never part of PyTorch's API).
_TENSOR_INTERNALS = frozenset({"_data", "_grad_fn", "_requires_grad", "_vc"})


class TracerBase:
    """What a Proxy needs from a tracer: a graph and ``create_proxy``."""

    graph: Graph
    record_stack_traces = False
    check_mutable_operations = False
    trace_asserts = False
    proxy_buckets: dict = {}

    def create_node(self, kind: str, target: Target, args: tuple, kwargs: dict,
                    name: str | None = None, type_expr: Any | None = None) -> Node:
        """Insert one node into ``self.graph`` (override to annotate nodes)."""
        node = self.graph.create_node(kind, target, args, kwargs, name, type_expr)
        scope = getattr(self, "module_stack", None)
        if scope:
            node.meta["nn_module_stack"] = dict(scope)
        return node

    def proxy(self, node: Node) -> Proxy:
        return Proxy(node, self)

    def create_proxy(self, kind: str, target: Target, args: tuple, kwargs: dict,
                     name: str | None = None, type_expr: Any | None = None,
                     proxy_factory_fn: Callable[[Node], Proxy] | None = None) -> Proxy:
        """Record ``target(*args, **kwargs)`` as a node and return its Proxy."""
        args_ = self.create_arg(args)
        kwargs_ = self.create_arg(kwargs)
        if not isinstance(args_, tuple):
            raise AssertionError(f"Expected args_ to be tuple, got {type(args_)}")
        if not isinstance(kwargs_, dict):
            raise AssertionError(f"Expected kwargs_ to be dict, got {type(kwargs_)}")
        node = self.create_node(kind, target, args_, kwargs_, name, type_expr)
        return self.proxy(node) if proxy_factory_fn is None else proxy_factory_fn(node)

    def create_arg(self, a: Any) -> Argument:
        """Turn a value used in the traced program into a graph argument."""
        if isinstance(a, Proxy):
            return a.node
        if isinstance(a, Node):
            return a
        if isinstance(a, tuple):
            t = tuple(self.create_arg(e) for e in a)
            return type(a)(*t) if hasattr(a, "_fields") else t
        if isinstance(a, list):
            return [self.create_arg(e) for e in a]
        if isinstance(a, dict):
            r = {}
            for k, v in a.items():
                k = self.create_arg(k)
                if map_aggregate(k, lambda x: isinstance(x, Node)) is True or \
                        isinstance(k, Node):
                    raise RuntimeError("Keys for dictionaries used as an argument cannot "
                                       f"contain a Node. Got key: {k}")
                r[k] = self.create_arg(v)
            return r
        if isinstance(a, slice):
            return slice(self.create_arg(a.start), self.create_arg(a.stop),
                         self.create_arg(a.step))
        if isinstance(a, range):
            return range(self.create_arg(a.start), self.create_arg(a.stop),
                         self.create_arg(a.step))
        if a is None or a is ... or isinstance(a, (str, int, float, bool, complex)):
            return a
        import ember

        if isinstance(a, (ember.dtype, ember.device, ember.Size)) or callable(a):
            return a
        import enum

        if isinstance(a, enum.Enum):
            return a
        raise NotImplementedError(f"argument of type: {type(a)}")

    def to_bool(self, obj: Proxy) -> bool:
        """Called when a Proxy is used as a condition; override to decide."""
        raise TraceError("symbolically traced variables cannot be used as inputs to control "
                         "flow")

    def iter(self, obj: Proxy):
        """Called when a Proxy is iterated; override to decide."""
        raise TraceError(
            "Proxy object cannot be iterated. This can be attempted when the Proxy is used in "
            "a loop or as a *args or **kwargs function argument. See the torch.fx docs on "
            "pytorch.org for a more detailed explanation of what types of control flow can be "
            "traced, and check out the Proxy docstring for help troubleshooting Proxy "
            "iteration errors")

    def keys(self, obj: Proxy) -> Proxy:
        """Called for ``**proxy``: records ``keys()``."""
        return Attribute(obj, "keys")()


class GraphAppendingTracer(TracerBase):
    """The tracer of a Proxy made directly from a Node: new nodes go into that node's graph."""

    def __init__(self, graph: Graph) -> None:
        super().__init__()
        self.graph = graph
        self.scope = None
        self.module_stack = {}


def _is_tensor_method(func) -> bool:
    from ember import Tensor

    name = getattr(func, "__name__", None)
    if name is None:
        return False
    member = inspect.getattr_static(Tensor, name, None)
    if member is func or getattr(Tensor, name, None) is func:
        return True
    return getattr(func, "__qualname__", "") == f"Tensor.{name}"


def _operator_for_dunder(name: str):
    """``__add__`` -> (operator.add, False); ``__radd__`` -> (operator.add, True)."""
    if not (name.startswith("__") and name.endswith("__")):
        return None, False
    core = name[2:-2]
    if core in magic_methods or core + "_" in magic_methods:
        core = core if core in magic_methods else core + "_"
        return getattr(operator, core), False
    if core.startswith("r") and (core[1:] in reflectable_magic_methods or
                                 core[1:] + "_" in reflectable_magic_methods):
        core = core[1:] if core[1:] in reflectable_magic_methods else core[1:] + "_"
        return getattr(operator, core), True
    return None, False


def record_public_call(tracer: TracerBase, func, args: tuple, kwargs: dict) -> Proxy:
    """Record a call of an ember public entry as PyTorch's tracer would: Tensor methods as
    ``call_method``, operators as ``operator.*``, everything else as ``call_function``."""
    name = getattr(func, "__name__", "")
    from ._names import public_path

    path = public_path(func)
    if path is not None and path.startswith("torch.nn.functional."):
        from ._functional_calls import normalize

        args, kwargs = normalize(path.rsplit(".", 1)[1], func, args, kwargs)
    if path is not None and not path.startswith("torch.Tensor."):
        pass  # a function of the torch namespace (even if Tensor has a method of that name)
    elif _is_tensor_method(func):
        op, reflected = _operator_for_dunder(name)
        if op is not None:
            args = (args[1], args[0]) + tuple(args[2:]) if reflected else args
            return tracer.create_proxy("call_function", op, args, kwargs)
        return tracer.create_proxy("call_method", name, args, kwargs)
    return tracer.create_proxy("call_function", func, args, kwargs,
                               name=tracer.graph._target_to_str(func))


class Proxy:
    """A symbolic value: operations on it are recorded into its tracer's graph.

    ``Proxy(node)`` (no tracer) appends to ``node.graph``, which is how a graph is built or
    extended by running ordinary code on Proxies (see PyTorch's fx examples).

    Example::

        >>> g = ember.fx.Graph()
        >>> x = ember.fx.Proxy(g.placeholder("x"))
        >>> g.output((ember.relu(x) + 1).node)
    """

    def __init__(self, node: Node, tracer: TracerBase | None = None) -> None:
        if tracer is None:
            tracer = GraphAppendingTracer(node.graph)
        self.tracer = tracer
        self.node = node

    def __repr__(self) -> str:
        return f"Proxy({self.node.name})"

    def __getattr__(self, k: str) -> Attribute:
        if k.startswith("__") and k.endswith("__"):
            raise AttributeError(k)  # protocol lookups (copy, pickle) must not record nodes
        if k in _TENSOR_INTERNALS:
            # Only ember's own op code reads these: an op that does not consult
            # __torch_function__ was handed a Proxy. Say so instead of failing further in.
            raise TraceError(f"an ember op was called on a Proxy but does not dispatch to "
                             f"Proxy.__torch_function__ (it read Tensor.{k}); it cannot be "
                             "traced in this build")
        return Attribute(self, k)

    def __getstate__(self) -> dict:
        return self.__dict__

    def __setstate__(self, d: dict) -> None:
        self.__dict__ = d

    def __deepcopy__(self, memo) -> Proxy:
        import copy

        new_dict = {}
        for k, v in self.__dict__.items():
            new_dict[k] = v if k in ("node", "tracer") else copy.deepcopy(v, memo)
        new_proxy = Proxy.__new__(Proxy)
        new_proxy.__dict__ = new_dict
        return new_proxy

    def __call__(self, *args, **kwargs) -> Proxy:
        return self.tracer.create_proxy("call_method", "__call__", (self,) + args, kwargs)

    def __iter__(self):
        frame = inspect.currentframe().f_back
        # `a, b = proxy` unpacks a known number of values: PyTorch reads the count from the
        # caller's bytecode, and so does ember.
        insts = list(dis.get_instructions(frame.f_code))
        if sys.version_info >= (3, 11):
            from bisect import bisect_left

            idx = bisect_left(insts, frame.f_lasti, key=lambda x: x.offset)
        else:
            idx = frame.f_lasti // 2
        inst = insts[idx] if idx < len(insts) else None
        if inst is not None and inst.opname == "UNPACK_SEQUENCE":
            return (self[i] for i in range(inst.argval))
        return self.tracer.iter(self)

    def __bool__(self) -> bool:
        return self.tracer.to_bool(self)

    def keys(self):
        return self.tracer.keys(self)

    def __len__(self) -> int:
        raise RuntimeError("'len' is not supported in symbolic tracing by default. If you want "
                           "this call to be recorded, please call torch.fx.wrap('len') at "
                           "module scope")

    def __abs__(self) -> Proxy:
        return self.tracer.create_proxy("call_function", abs, (self,), {})

    @classmethod
    def __torch_function__(cls, orig_method, types, args=None, kwargs=None):
        args = args if args else ()
        kwargs = kwargs if kwargs else {}
        if orig_method in _wrapped_fns:
            # Outside a Tracer's trace a wrapped function is ordinary code: run its body on
            # the Proxies (PyTorch's patch of it exists only during Tracer.trace).
            return orig_method.__ember_impl__(*args, **kwargs)
        tracers: dict = {}

        def find_tracer(a):
            if isinstance(a, cls):
                tracers[a.tracer] = None
            return a

        map_aggregate(args, find_tracer)
        map_aggregate(kwargs, find_tracer)
        if len(tracers) > 1:
            raise RuntimeError(f"Found multiple different tracers {list(tracers.keys())} while "
                               f"trying to trace operations {orig_method}")
        tracer = next(iter(tracers))
        return record_public_call(tracer, orig_method, args, kwargs)


class Attribute(Proxy):
    """``proxy.attr``: a method call when called, else a lazily recorded ``getattr``."""

    def __init__(self, root: Proxy, attr: str) -> None:
        self.root = root
        self.attr = attr
        self.tracer = root.tracer
        self._node = None

    @property
    def node(self) -> Node:
        # Made on first use, so `x.view(...)` records a call_method and no getattr node.
        if self._node is None:
            self._node = self.tracer.create_proxy("call_function", getattr,
                                                  (self.root, self.attr), {}).node
        return self._node

    def __call__(self, *args, **kwargs) -> Proxy:
        return self.tracer.create_proxy("call_method", self.attr, (self.root,) + args, kwargs)


def _define_magic(method: str) -> None:
    def impl(*args, **kwargs):
        tracer = args[0].tracer
        target = getattr(operator, method)
        return tracer.create_proxy("call_function", target, args, kwargs)

    impl.__name__ = method
    setattr(Proxy, f"__{method.strip('_')}__", impl)


def _define_reflectable(orig_method_name: str) -> None:
    method_name = f"__r{orig_method_name.strip('_')}__"

    def impl(self, rhs):
        target = getattr(operator, orig_method_name)
        return self.tracer.create_proxy("call_function", target, (rhs, self), {})

    impl.__name__ = method_name
    impl.__qualname__ = method_name
    setattr(Proxy, method_name, impl)


for _m in magic_methods:
    _define_magic(_m)
for _m in reflectable_magic_methods:
    _define_reflectable(_m)
