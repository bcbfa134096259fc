"""``GraphModule``: an ``nn.Module`` whose ``forward`` is generated from a ``Graph``.

Each instance gets its own subclass (as in PyTorch) so that ``recompile`` can install the
generated ``forward`` on the class without touching ``GraphModule`` itself. The parameters and
submodules the graph names are copied (by reference) from the root, so training the
GraphModule trains the same tensors and their ``.grad`` fills as the original's would.
"""

from __future__ import annotations

import copy
import itertools
import linecache
from typing import Any

from ember import nn

from .graph import Graph

__all__ = ["GraphModule"]

_next_id = itertools.count()


def _exec_with_source(src: str, globals_: dict, key: str) -> None:
    # linecache lets tracebacks and inspect.getsource show the generated lines.
    linecache.cache[key] = (len(src), None, src.splitlines(True), key)
    exec(compile(src, key, "exec"), globals_)


def _forward_from_src(src: str, globals_: dict):
    globals_copy = dict(globals_)
    key = f"<eval_with_key>.{next(_next_id)}"
    _exec_with_source(src, globals_copy, key)
    fn = globals_copy["forward"]
    del globals_copy["forward"]
    return fn


def _copy_attr(from_module: nn.Module, to_module: nn.Module, target: str) -> None:
    """Copy ``from_module.<target>`` (a dotted path) onto ``to_module``, creating empty
    intermediate modules where the path goes through a module not copied whole."""
    *prefix, field = target.split(".")
    for item in prefix:
        f = getattr(from_module, item)
        t = getattr(to_module, item, None)
        if f is t:
            return  # already copied as part of a whole module
        if t is None:
            t = nn.Module()
            setattr(to_module, item, t)
        from_module, to_module = f, t
    orig = getattr(from_module, field)
    from ember import Tensor

    # A plain tensor attribute (not a Parameter) becomes a buffer, as PyTorch does.
    if isinstance(orig, Tensor) and not isinstance(orig, nn.Parameter) and \
            field not in getattr(from_module, "_buffers", {}) and isinstance(to_module, nn.Module):
        to_module.register_buffer(field, orig)
    elif field in getattr(from_module, "_buffers", {}) and isinstance(to_module, nn.Module):
        to_module.register_buffer(field, orig,
                                  persistent=field not in from_module._non_persistent_buffers_set)
    else:
        setattr(to_module, field, orig)


def _assign_attr(from_obj: Any, to_module: nn.Module, target: str) -> None:
    *prefix, field = target.split(".")
    for item in prefix:
        t = getattr(to_module, item, None)
        if t is None:
            t = nn.Module()
            setattr(to_module, item, t)
        to_module = t
    from ember import Tensor

    if isinstance(from_obj, Tensor) and not isinstance(from_obj, nn.Parameter):
        to_module.register_buffer(field, from_obj)
    else:
        setattr(to_module, field, from_obj)


class GraphModule(nn.Module):
    """Run a ``Graph`` as a module: ``GraphModule(root, graph, class_name)``.

    ``root`` is the module the graph was traced from (its submodules, parameters and buffers
    named by ``call_module``/``get_attr`` nodes are copied), or a dict from those names to the
    objects. ``code`` is the generated ``forward``; call ``recompile()`` after editing ``graph``.

    Example::

        >>> gm = ember.fx.symbolic_trace(model)
        >>> print(gm.code)
        >>> gm.graph.eliminate_dead_code(); gm.recompile()
    """

    def __new__(cls, *args, **kwargs):
        # One subclass per instance, so that forward can live on the class.
        for t in cls.__mro__:
            c = t.__qualname__.split(".")[-1]
            if c != "GraphModuleImpl":
                cls = t
                break

        class GraphModuleImpl(cls):  # noqa: D401 - a fresh class per instance
            pass

        return super().__new__(GraphModuleImpl)

    def __init__(self, root, graph: Graph, class_name: str = "GraphModule") -> None:
        super().__init__()
        self.__class__.__name__ = class_name
        if isinstance(root, nn.Module):
            if hasattr(root, "training"):
                self.training = root.training
            for node in graph.nodes:
                if node.op in ("get_attr", "call_module"):
                    if not isinstance(node.target, str):
                        raise AssertionError(f"Expected str target, got {type(node.target)}")
                    _copy_attr(root, self, node.target)
        elif isinstance(root, dict):
            targets_to_copy = []
            for node in graph.nodes:
                if node.op in ("get_attr", "call_module"):
                    if node.target not in root:
                        raise RuntimeError(f"Node {node} referenced target {node.target} but "
                                           "that target was not provided in ``root``!")
                    targets_to_copy.append(node.target)
            # Shorter paths first so a module is installed before its attributes.
            for target in sorted(targets_to_copy, key=lambda t: t.count(".")):
                _assign_attr(root[target], self, target)
        else:
            raise RuntimeError("Unsupported type " + str(root) + " passed for root!")
        self.graph = graph
        self._tracer_cls = graph._tracer_cls
        self.meta = getattr(root, "meta", {}) if isinstance(root, nn.Module) else {}

    @property
    def graph(self) -> Graph:
        return self._graph

    @graph.setter
    def graph(self, g: Graph) -> None:
        if not isinstance(g, Graph):
            raise AssertionError(f"Expected a Graph instance, but got {type(g)}")
        self.__dict__["_graph"] = g
        g.owning_module = self
        self.recompile()

    @property
    def code(self) -> str:
        """The generated ``forward`` (PyTorch's text, ``torch`` meaning ember)."""
        if not hasattr(self, "_code"):
            raise RuntimeError("Code has not been generated! Please report a bug to PyTorch")
        return self._code

    def recompile(self):
        """Regenerate ``forward`` from ``self.graph`` (call after every edit)."""
        python_code = self._graph.python_code(root_module="self")
        self.__dict__["_code"] = python_code.src
        cls = type(self)
        cls.forward = _forward_from_src(self._code, python_code.globals)
        return python_code

    # -- module surgery -------------------------------------------------------------------------
    def add_submodule(self, target: str, m: nn.Module) -> bool:
        *prefix, field = target.split(".")
        mod = self
        for item in prefix:
            submod = getattr(mod, item, None)
            if submod is None:
                submod = nn.Module()
                mod.add_module(item, submod)
            if not isinstance(submod, nn.Module):
                return False
            mod = submod
        mod.add_module(field, m)
        return True

    def delete_submodule(self, target: str) -> bool:
        *path, name = target.split(".")
        mod = self
        for item in path:
            if not hasattr(mod, item):
                return False
            mod = getattr(mod, item)
            if not isinstance(mod, nn.Module):
                return False
        if not hasattr(mod, name):
            return False
        if not isinstance(getattr(mod, name), nn.Module):
            return False
        delattr(mod, name)
        return True

    def delete_all_unused_submodules(self) -> None:
        used: list[str] = []
        for node in self.graph.nodes:
            if node.op in ("call_module", "get_attr"):
                fullpath = node.target.split(".")
                used.extend(".".join(fullpath[:i]) for i in range(1, len(fullpath) + 1))
                if node.op == "call_module":
                    try:
                        submod = self.get_submodule(node.target)
                        used.extend(f"{node.target}.{n}" for n, _ in submod.named_modules()
                                    if n != "")
                    except AttributeError:
                        pass
        for name, _ in list(self.named_modules()):
            if name and name not in used:
                self.delete_submodule(name)

    # -- printing / copying ---------------------------------------------------------------------
    def print_readable(self, print_output: bool = True, include_stride: bool = False,
                       include_device: bool = False, colored: bool = False, **kwargs) -> str:
        """The module as a class with its generated ``forward`` (and nested GraphModules)."""
        out = self._readable(self.__class__.__name__)
        if print_output:
            print(out)
        return out

    def _readable(self, name: str) -> str:
        lines = self._code.lstrip("\n").split("\n")
        body = []
        for line in lines:
            if line.startswith("def forward"):
                body.append("    " + line)
                body.append("        # No stacktrace found for following nodes")
            elif line.strip() == "":
                continue
            else:
                body.append("    " + line)
        sub = []
        for sub_name, m in self.named_children():
            if isinstance(m, GraphModule):
                sub.append("\n".join("    " + ln for ln in m._readable(sub_name).split("\n")))
        parts = [f"class {name}(torch.nn.Module):"] + sub + body
        return "\n".join(parts) + "\n"

    def __str__(self) -> str:
        orig_str = super().__str__()
        print_readable_reminder = ("# To see more debug info, please use "
                                   "`graph_module.print_readable()`")
        return "\n".join([orig_str, self._code, print_readable_reminder])

    def __copy__(self):
        res = GraphModule(self, self.graph)
        res.meta = getattr(self, "meta", {})
        return res

    def __deepcopy__(self, memo):
        res = type(self).__new__(type(self))
        memo[id(self)] = res
        fake_mod = nn.Module()
        fake_mod.__dict__ = copy.deepcopy(
            {k: v for k, v in self.__dict__.items() if k not in ("_graph", "_code")}, memo)
        GraphModule.__init__(res, fake_mod, copy.deepcopy(self.graph, memo),
                             self.__class__.__name__)
        for k, v in fake_mod.__dict__.items():
            if k not in res.__dict__:
                res.__dict__[k] = v
        return res

    def __reduce__(self):
        # Pickle the module's state and the graph as plain records; ember's public functions
        # travel by their public path (some are closures that pickle cannot name).
        d = {k: v for k, v in self.__dict__.items() if k not in ("_graph", "_code")}
        return (_rebuild_graph_module, (d, self.__class__.__name__, _graph_state(self.graph)))


def _encode_target(t):
    from ._names import public_path

    path = None if isinstance(t, str) else public_path(t)
    return ("ember", path) if path else ("obj", t)


def _decode_target(enc):
    kind, v = enc
    if kind == "obj":
        return v
    import ember

    obj = ember
    for atom in v.split(".")[1:]:
        obj = getattr(obj, atom)
    return obj


def _graph_state(graph: Graph) -> list:
    from .node import map_arg

    return [(n.name, n.op, _encode_target(n.target),
             map_arg(n.args, lambda a: _NodeRef(a.name)),
             map_arg(n.kwargs, lambda a: _NodeRef(a.name)), n.type) for n in graph.nodes]


class _NodeRef:
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __reduce__(self):
        return (_NodeRef, (self.name,))


def _rebuild_graph_module(body: dict, class_name: str, state: list) -> GraphModule:
    from .node import map_aggregate

    graph = Graph()
    env: dict = {}
    for name, op, target, args, kwargs, typ in state:
        def load(a):
            return env[a.name] if isinstance(a, _NodeRef) else a

        node = graph.create_node(op, _decode_target(target), map_aggregate(args, load),
                                 map_aggregate(kwargs, load), name, typ)
        env[name] = node
    root = nn.Module()
    root.__dict__.update(body)
    return GraphModule(root, graph, class_name)
