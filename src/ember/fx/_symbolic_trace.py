"""``Tracer`` and ``symbolic_trace``: run a module on Proxies and record what it does.

No ember code is patched while tracing. The tracer enters a dispatch mode
(``ember.autograd.dispatch.DispatchMode``) for the duration of ``trace``:

* ``__ember_module_call__`` sees every ``module(...)`` call and decides, with
  ``is_leaf_module``, whether to record one ``call_module`` node or run the module's code;
* ``__ember_op__`` sees every ember public op (functions, ``F.*``, Tensor methods/operators):
  one that involves a Proxy, or a Parameter of the root (PyTorch proxies parameters), or a
  function registered with ``wrap``, is recorded; anything else runs for real.

Proxies' own dunders and ``__getattr__`` record operators and method calls on them.
"""

from __future__ import annotations

import builtins
import functools
import inspect
import sys
from typing import Any, Callable

from ember import nn
from ember.autograd import dispatch as _dispatch

from .graph import Graph
from .graph_module import GraphModule
from .node import map_aggregate
from .proxy import Proxy, TracerBase, _wrapped_fns, record_public_call

__all__ = ["Tracer", "symbolic_trace", "wrap", "PH", "ConcreteArgPlaceholder"]


class PHBase:
    """A concrete_args value that stays an input (a placeholder)."""

    def __repr__(self) -> str:
        return "PH"


PH = PHBase()


class ConcreteArgPlaceholder(PHBase):
    pass


def _contains(obj, pred) -> bool:
    found = []
    map_aggregate(obj, lambda a: found.append(True) if pred(a) else None)
    return bool(found)


class _TraceMode(_dispatch.DispatchMode):
    """The tracer's view of module calls and public ops during ``Tracer.trace``."""

    def __init__(self, tracer: Tracer) -> None:
        self.tracer = tracer

    def __ember_module_call__(self, module, forward, args, kwargs):
        return self.tracer.call_module(module, forward, args, kwargs)

    def __ember_op__(self, func, args, kwargs):
        tracer = self.tracer
        params = tracer._param_ids

        def symbolic(a):
            return isinstance(a, Proxy) or (isinstance(a, nn.Parameter) and id(a) in params)

        if func in _wrapped_fns:
            if _contains((args, kwargs), symbolic):
                proxy = tracer.create_proxy("call_function", func, args, kwargs,
                                            name=tracer.graph._target_to_str(func))
                proxy.node.meta["is_wrapped"] = True
                return proxy
            return func.__ember_impl__(*args, **kwargs)
        if _contains((args, kwargs), symbolic):
            return record_public_call(tracer, func, args, kwargs)
        return func(*args, **kwargs)


class Tracer(TracerBase):
    """Turn a module or function into a ``Graph`` by running it on Proxies.

    Subclass and override ``is_leaf_module``, ``call_module``, ``create_node``,
    ``create_proxy``, ``create_arg``, ``to_bool``... as with PyTorch's Tracer.

    Example::

        >>> class NoLeaves(ember.fx.Tracer):
        ...     def is_leaf_module(self, m, qualname):
        ...         return False          # trace through every module
        >>> graph = NoLeaves().trace(model)
    """

    def __init__(self, autowrap_modules: tuple = (), autowrap_functions: tuple = (),
                 param_shapes_constant: bool = False) -> None:
        super().__init__()
        # PyTorch also records math.* calls on Proxies by patching the math module while it
        # traces; ember patches nothing, so autowrap_modules is accepted and unused.
        self._autowrap_function_ids = {id(f) for f in autowrap_functions}
        self.param_shapes_constant = param_shapes_constant
        self.submodule_paths: dict | None = None
        self.root = None
        self.tensor_attrs: dict[int, str] = {}
        self._param_ids: dict[int, str] = {}
        self.module_stack: dict = {}
        self.scope = None

    # -- what becomes a node ----------------------------------------------------------------
    def is_leaf_module(self, m: nn.Module, module_qualified_name: str) -> bool:
        """ember's own modules are recorded whole (except Sequential); yours are traced."""
        mod = type(m).__module__
        return (mod.startswith("ember.nn") and not isinstance(m, nn.Sequential))

    def path_of_module(self, mod: nn.Module) -> str:
        if self.submodule_paths:
            path = self.submodule_paths.get(id(mod))
            if path is None:
                raise NameError("module is not installed as a submodule")
            return path
        for n, p in self.root.named_modules():
            if mod is p:
                return n
        raise NameError("module is not installed as a submodule")

    def call_module(self, m: nn.Module, forward: Callable, args: tuple, kwargs: dict) -> Any:
        """Record ``m(*args)`` as one node if it is a leaf, else trace its forward."""
        module_qualified_name = self.path_of_module(m)
        saved = dict(self.module_stack)
        self.module_stack[module_qualified_name] = (module_qualified_name, type(m))
        try:
            if not self.is_leaf_module(m, module_qualified_name):
                return forward(*args, **kwargs)
            return self.create_proxy("call_module", module_qualified_name, args, kwargs)
        finally:
            self.module_stack = saved

    def getattr(self, attr: str, attr_val: Any, parameter_proxy_cache: dict) -> Any:
        """PyTorch's hook for module attribute reads; ember reads attributes unpatched, so a
        parameter becomes a ``get_attr`` node where it is first used (``create_arg``)."""
        return attr_val

    def create_arg(self, a: Any):
        """Parameters and tensors of the root become ``get_attr`` nodes; other tensors become
        constants stored on the root as ``_tensor_constant<N>``."""
        from ember import Tensor

        if isinstance(a, nn.Parameter):
            path = self._param_ids.get(id(a))
            if path is None:
                raise NameError("parameter is not a member of this module")
            return self.create_node("get_attr", path, (), {})
        if isinstance(a, Tensor):
            path = self.tensor_attrs.get(id(a))
            if path is None:
                i = 0
                while True:
                    path = f"_tensor_constant{i}"
                    if not hasattr(self.root, path):
                        break
                    i += 1
                setattr(self.root, path, a)
                self.tensor_attrs[id(a)] = path
            return self.create_node("get_attr", path, (), {})
        if isinstance(a, nn.Module):
            return self.create_node("get_attr", self.path_of_module(a), (), {})
        return super().create_arg(a)

    # -- the trace ------------------------------------------------------------------------------
    def trace(self, root, concrete_args: dict | None = None) -> Graph:
        """Trace ``root`` (a module or a function) and return its graph."""
        if isinstance(root, nn.Module):
            self.root = root
            fn = type(root).forward
        else:
            self.root = nn.Module()
            fn = root
        tracer_cls = getattr(self, "__class__", None)
        self.graph = Graph(tracer_cls=tracer_cls)
        self.tensor_attrs = {}
        self._param_ids = {}
        for name, p in self.root.named_parameters():
            self._param_ids[id(p)] = name
        self._collect_tensor_attrs(self.root, [])
        self.submodule_paths = {id(m): n for n, m in self.root.named_modules()}
        self.module_stack = {}
        fn_globals = getattr(fn, "__globals__", {})
        fn, args = self.create_args_for_root(fn, isinstance(root, nn.Module), concrete_args)
        with _TraceMode(self):
            result = fn(*args)
        self.create_node("output", "output", (self.create_arg(result),), {},
                         type_expr=getattr(fn, "__annotations__", {}).get("return", None))
        del fn_globals
        self.submodule_paths = None
        return self.graph

    def _collect_tensor_attrs(self, m: nn.Module, prefix: list[str]) -> None:
        from ember import Tensor

        for k, v in m.__dict__.items():
            if isinstance(v, Tensor):
                self.tensor_attrs.setdefault(id(v), ".".join(prefix + [k]))
        for k, v in m._buffers.items():
            if v is not None:
                self.tensor_attrs.setdefault(id(v), ".".join(prefix + [k]))
        for k, v in m._parameters.items():
            if v is not None:
                self.tensor_attrs.setdefault(id(v), ".".join(prefix + [k]))
        for k, v in m._modules.items():
            if v is not None:
                self._collect_tensor_attrs(v, prefix + [k])

    def create_args_for_root(self, root_fn: Callable, is_module: bool,
                             concrete_args: dict | None = None):
        """Placeholders for ``root_fn``'s parameters (after ``self`` for a module)."""
        fn_for_analysis = inspect.unwrap(root_fn)
        co = fn_for_analysis.__code__
        total_args = co.co_argcount + co.co_kwonlyargcount
        names_iter = iter(co.co_varnames)
        args: list[Any] = []
        skip_arg_idx = 0
        if is_module:
            if total_args == 0:
                raise RuntimeError("``self`` argument cannot be part of *args expansion!")
            skip_arg_idx = 1
            next(names_iter)
            args.append(self.root)
        sig = inspect.signature(fn_for_analysis)
        concrete_args = concrete_args or {}
        if not isinstance(concrete_args, dict):
            arg_names = [next(names_iter) for _ in range(skip_arg_idx, total_args)]
            concrete_args = dict(zip(arg_names, concrete_args))
            names_iter = iter(arg_names)
            total_args = skip_arg_idx + len(arg_names)
            skip_arg_idx_local = skip_arg_idx
        else:
            skip_arg_idx_local = skip_arg_idx

        def proxy_placeholder(name: str):
            if name in concrete_args:
                value = concrete_args[name]
                if isinstance(value, PHBase):
                    return self.create_proxy("placeholder", name, (), {})
                # A specialised input: keep it in the signature, compute with its value.
                self.create_proxy("placeholder", name, (value,), {})
                return value
            param = sig.parameters[name]
            default = () if param.default is inspect.Parameter.empty else (param.default,)
            return self.create_proxy("placeholder", name, default, {},
                                     type_expr=fn_for_analysis.__annotations__.get(name, None))

        arg_names = [next(names_iter) for _ in range(skip_arg_idx_local, total_args)]
        args.extend(proxy_placeholder(n) for n in arg_names[:co.co_argcount - skip_arg_idx])
        kwonly = arg_names[co.co_argcount - skip_arg_idx:]
        kw_values = {n: proxy_placeholder(n) for n in kwonly}
        if co.co_kwonlyargcount > 0 or co.co_flags & inspect.CO_VARARGS:
            if co.co_flags & inspect.CO_VARARGS:
                self.create_proxy("placeholder", "*" + next(names_iter), (), {})
            if co.co_flags & inspect.CO_VARKEYWORDS:
                self.create_proxy("placeholder", "**" + next(names_iter), (), {})

            @functools.wraps(root_fn)
            def flatten_fn(*a):
                return root_fn(*a, **kw_values)

            return flatten_fn, args
        if co.co_flags & inspect.CO_VARKEYWORDS:
            self.create_proxy("placeholder", "**" + next(names_iter), (), {})
        return root_fn, args


def symbolic_trace(root, concrete_args: dict | None = None) -> GraphModule:
    """Trace ``root`` (an ``nn.Module`` or a function) into a ``GraphModule``.

    ``concrete_args`` fixes some inputs to values (``{"flag": False}``) so Python control flow
    on them can be traced; ``PH`` keeps one as an input.

    Example::

        >>> gm = ember.fx.symbolic_trace(model)
        >>> print(gm.code)
        >>> ember.testing.assert_close(gm(x), model(x))
    """
    tracer = Tracer()
    graph = tracer.trace(root, concrete_args)
    name = root.__class__.__name__ if isinstance(root, nn.Module) else root.__name__
    return GraphModule(tracer.root, graph, name)


def wrap(fn_or_name):
    """Record calls of a function as one ``call_function`` node while tracing.

    Call it at module scope, with the function or its name. PyTorch patches the name into
    the calling module's globals only while it traces; ember installs, once and here, the
    function's *public entry* under that name (the function itself, made an entry of the
    dispatch door as ember's own ops are), so the tracer sees the call without patching
    anything during a trace. Outside tracing it behaves exactly as the original.
    """
    if not callable(fn_or_name) and not isinstance(fn_or_name, str):
        raise RuntimeError("Unsupported type for global function! Must be either a callable or "
                           "string name")
    if callable(fn_or_name):
        if getattr(fn_or_name, "__name__", "<lambda>") == "<lambda>":
            raise AssertionError("Lambda functions are not supported")
        fn_name = fn_or_name.__name__
    else:
        fn_name = fn_or_name
    frame = sys._getframe(1)
    if frame.f_code.co_name != "<module>":
        raise NotImplementedError("wrap must be called at the top level of a module")
    f_globals = frame.f_globals
    current = f_globals.get(fn_name, getattr(builtins, fn_name, None))
    if current is None:
        raise NameError(f"name '{fn_name}' is not defined")
    if current in _wrapped_fns:
        return fn_or_name
    entry = _dispatch.public(current)
    _wrapped_fns.add(entry)
    f_globals[fn_name] = entry
    return fn_or_name
