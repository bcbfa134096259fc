"""Python source for a ``Graph``: what ``GraphModule.code`` shows and what it runs.

The text follows PyTorch's ``gm.code`` line for line: one assignment per node, operators
written as operators (``add = x + y``), ember's public functions under their PyTorch names
(``torch.cat``; the generated code runs with ``torch`` bound to ``ember``), and
``;  a = b = None`` after a value's last use so intermediate tensors are freed early.
"""

from __future__ import annotations

import builtins
import keyword
import math
import re
from dataclasses import dataclass
from typing import Any

from ._names import qualified_name
from .node import Node

reflectable_magic_methods = {
    "add": "{} + {}", "sub": "{} - {}", "mul": "{} * {}", "floordiv": "{} // {}",
    "truediv": "{} / {}", "div": "{} / {}", "mod": "{} % {}", "pow": "{} ** {}",
    "lshift": "{} << {}", "rshift": "{} >> {}", "and_": "{} & {}", "or_": "{} | {}",
    "xor": "{} ^ {}", "getitem": "{}[{}]", "matmul": "{} @ {}",
}
magic_methods = {
    "eq": "{} == {}", "ne": "{} != {}", "lt": "{} < {}", "gt": "{} > {}", "le": "{} <= {}",
    "ge": "{} >= {}", "pos": "+{}", "neg": "-{}", "invert": "~{}", **reflectable_magic_methods,
}
inplace_methods = {
    "iadd": "{} += {}", "iand": "{} &= {}", "ifloordiv": "{} //= {}", "ilshift": "{} <<= {}",
    "imod": "{} %= {}", "imul": "{} *= {}", "imatmul": "{} @= {}", "ior": "{} |= {}",
    "ipow": "{} **= {}", "irshift": "{} >>= {}", "isub": "{} -= {}", "itruediv": "{} /= {}",
    "ixor": "{} ^= {}", "setitem": "{}[{}] = {}",
}

_illegal_char_regex = re.compile("[^0-9a-zA-Z_]+")
_name_regex = re.compile(r"^([a-zA-Z_][0-9a-zA-Z_]*?)(?:_(\d+))?$")


def _custom_builtins() -> dict[str, Any]:
    """Names every generated program can use; a node may not take one of them."""
    import ember

    return {"inf": math.inf, "nan": math.nan, "NoneType": type(None), "torch": ember,
            "device": ember.device}


_illegal_names: dict[str, Any] = {k: object() for k in keyword.kwlist}
_illegal_names.update(builtins.__dict__)
_illegal_names.update({"inf": math.inf, "nan": math.nan, "NoneType": type(None),
                       "torch": object(), "device": object()})


class _Namespace:
    """Unique, legal Python names for objects (nodes, globals), PyTorch's scheme: ``add``,
    ``add_1``...; a builtin or keyword gets a suffix (``max_1``, ``float_1``)."""

    def __init__(self) -> None:
        self._obj_to_name: dict[Any, str] = {}
        self._used_names: set[str] = set()
        self._base_count: dict[str, int] = {}

    def create_name(self, candidate: str, obj: Any | None) -> str:
        if obj is not None and obj in self._obj_to_name:
            return self._obj_to_name[obj]
        match = _name_regex.match(candidate)
        if match is None:
            candidate = _illegal_char_regex.sub("_", candidate)
            if not candidate:
                candidate = "_unnamed"
            if candidate[0].isdigit():
                candidate = f"_{candidate}"
            match = _name_regex.match(candidate)
        base, num = match.group(1, 2)
        if num is None or candidate in self._used_names:
            num = self._base_count.get(base, 0)
            if _illegal_names.get(candidate, obj) is not obj:
                num += 1
                candidate = f"{base}_{num}"
        else:
            num = int(num)
        while candidate in self._used_names:
            num += 1
            candidate = f"{base}_{num}"
        self._used_names.add(candidate)
        self._base_count[base] = num
        if obj is not None:
            self._obj_to_name[obj] = candidate
        return candidate

    def associate_name_with_obj(self, name: str, obj: Any) -> None:
        self._obj_to_name.setdefault(obj, name)

    def _rename_object(self, obj: Any, name: str) -> None:
        self._obj_to_name[obj] = name
        self._used_names.add(name)


@dataclass
class PythonCode:
    """The source of ``forward`` and the globals it runs with."""

    src: str
    globals: dict[str, Any]


def _format_target(base: str, target: str) -> str:
    r = base
    for e in target.split("."):
        r = f'getattr({r}, "{e}")' if not e.isidentifier() else f"{r}.{e}"
    return r


def _is_from_ember(obj) -> bool:
    mod = getattr(obj, "__module__", None) or ""
    return mod == "ember" or mod.startswith("ember.")


def python_code(graph, root_module: str) -> PythonCode:
    """Generate ``forward``'s source for ``graph``; ``root_module`` names the module (``self``)."""
    namespace = _Namespace()
    for n in graph.nodes:  # node names are taken first, as they appear in the text
        namespace._used_names.add(n.name)
        namespace._obj_to_name[n] = n.name
    globals_: dict[str, Any] = {}
    free_vars: list[str] = []
    body: list[str] = []
    wrapped_fns: dict[str, None] = {}

    def add_global(name_hint: str, obj: Any) -> str:
        if _is_from_ember(obj) and qualified_name(obj).startswith("torch."):
            return qualified_name(obj)
        global_name = namespace.create_name(name_hint, obj)
        if global_name in globals_ and globals_[global_name] is not obj:
            raise AssertionError(f"Global name {global_name} already assigned to different "
                                 "object")
        globals_[global_name] = obj
        return global_name

    for name, obj in _custom_builtins().items():
        namespace._obj_to_name[obj] = name
        namespace._used_names.add(name)
        globals_[name] = obj

    def type_repr(o) -> str:
        if isinstance(o, type) and o.__module__ == "builtins":
            return o.__qualname__
        if isinstance(o, type):
            return add_global(qualified_name(o), o)
        return repr(o)

    def get_repr(arg) -> str:
        if isinstance(arg, Node):
            return repr(arg)
        if isinstance(arg, tuple) and hasattr(arg, "_fields"):
            global_name = add_global(qualified_name(type(arg)), type(arg))
            return f"{global_name}{repr(tuple(arg))}"
        import enum

        if isinstance(arg, enum.Enum):
            cls = arg.__class__
            return f"{add_global(cls.__name__, cls)}.{arg.name}"
        if isinstance(arg, (list, tuple)) and any(isinstance(a, tuple) and hasattr(a, "_fields")
                                                  for a in arg):
            inner = ", ".join(get_repr(a) for a in arg)
            if isinstance(arg, list):
                return f"[{inner}]"
            return f"({inner}{',' if len(arg) == 1 else ''})"
        return repr(arg)

    def format_args(args: tuple, kwargs: dict) -> str:
        args_s = ", ".join(get_repr(a) for a in args)
        kwargs_s = ", ".join(f"{k} = {get_repr(v)}" for k, v in kwargs.items())
        return f"{args_s}, {kwargs_s}" if args_s and kwargs_s else args_s or kwargs_s

    # The last user of each value frees it.
    node_to_last_use: dict[Node, Node] = {}
    user_to_last_uses: dict[Node, list[Node]] = {}
    nodes = list(graph.nodes)
    for node in reversed(nodes):
        for n in node._input_nodes:
            if n not in node_to_last_use:
                node_to_last_use[n] = node
                user_to_last_uses.setdefault(node, []).append(n)

    def delete_unused_values(user: Node) -> None:
        if user.op == "placeholder":
            return
        if user.op == "output":
            body.append("\n")
            return
        to_delete = list(user_to_last_uses.get(user, []))
        if len(user.users) == 0:
            to_delete.append(user)
        if to_delete:
            body.append(f";  {' = '.join([repr(n) for n in to_delete] + ['None'])}\n")
        else:
            body.append("\n")

    def emit_node(node: Node) -> None:
        ann = "" if node.type is None else f" : {type_repr(node.type)}"
        if node.op == "placeholder":
            default = "" if not node.args else f" = {get_repr(node.args[0])}"
            free_vars.append(f"{node.target}{ann}{default}")
            raw_name = node.target.replace("*", "")
            if raw_name != repr(node):
                body.append(f"{repr(node)} = {raw_name}\n")
            return
        if node.op == "call_method":
            body.append(f"{repr(node)}{ann} = "
                        f"{_format_target(get_repr(node.args[0]), node.target)}"
                        f"({format_args(node.args[1:], node.kwargs)})")
            return
        if node.op == "call_function":
            name = getattr(node.target, "__name__", "")
            if getattr(node.target, "__module__", "") == "_operator" and name in magic_methods:
                body.append(f"{repr(node)}{ann} = "
                            f"{magic_methods[name].format(*(get_repr(a) for a in node.args))}")
                return
            if getattr(node.target, "__module__", "") == "_operator" and name in inplace_methods:
                body.append(f"{inplace_methods[name].format(*(get_repr(a) for a in node.args))};"
                            f"  {repr(node)}{ann} = {get_repr(node.args[0])}")
                return
            global_name = add_global(qualified_name(node.target), node.target)
            if global_name == "getattr" and len(node.args) == 2 and \
                    isinstance(node.args[1], str) and node.args[1].isidentifier():
                body.append(f"{repr(node)}{ann} = "
                            f"{_format_target(get_repr(node.args[0]), node.args[1])}")
                return
            body.append(f"{repr(node)}{ann} = {global_name}("
                        f"{format_args(node.args, node.kwargs)})")
            if node.meta.get("is_wrapped", False):
                wrapped_fns.setdefault(global_name)
            return
        if node.op == "call_module":
            body.append(f"{repr(node)}{ann} = {_format_target(root_module, node.target)}("
                        f"{format_args(node.args, node.kwargs)})")
            return
        if node.op == "get_attr":
            body.append(f"{repr(node)}{ann} = {_format_target(root_module, node.target)}")
            return
        if node.op == "output":
            if node.type is not None:
                ret_ann[0] = f" -> {type_repr(node.type)}"
            body.append(f"return {get_repr(node.args[0])}")
            return
        raise NotImplementedError(f"node: {node.op} {node.target}")

    ret_ann = [""]
    for node in nodes:
        emit_node(node)
        delete_unused_values(node)
    if len(body) == 0:
        body.append("pass\n")  # an empty graph still makes a valid function
    wrap_stmts = "\n".join(f'torch.fx._symbolic_trace.wrap("{n}")' for n in wrapped_fns)
    code = "".join(body).lstrip("\n")
    code = "\n".join("    " + line for line in code.split("\n"))
    prologue = f"def forward({', '.join([root_module] + free_vars)}){ret_ann[0]}:"
    src = f"\n{wrap_stmts}\n\n{prologue}\n{code}"
    return PythonCode(src, globals_)
