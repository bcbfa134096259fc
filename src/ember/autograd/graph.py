"""See the backward graph: a text tree, DOT, SVG, and what each node keeps for backward.

``render(t)`` walks ``t.grad_fn`` and returns a plain-text tree: one line per node
(``SumBackward0``, ``CustomReLUBackward``; a leaf as ``AccumulateGrad`` with its shape, dtype
and, given ``params``, its name), the tensors each node *saved* for backward on their own
``saved`` lines (shape, dtype, bytes, and whether the saved tensor is one of the node's inputs
or its own output), and a subgraph reached twice printed once and then referenced by its
``#number``. ``to_dot(t)`` gives the same graph as Graphviz DOT text, ``to_svg(t)`` runs the
``dot`` binary on it when it is installed, and ``Graph(t)`` shows itself in a notebook.
``saved_memory(t)`` reports the bytes held for backward, per node and in all, counting a buffer
shared by several nodes once.

Nothing here is imported by the hot paths: rendering only reads the graph.

Example::

    x = ember.randn(3, requires_grad=True)
    y = (x * x).sum()
    print(ember.autograd.graph.render(y))
"""

from __future__ import annotations

import html
import shutil
import subprocess

from . import function as _fn
from .function import AccumulateGrad, Node  # noqa: F401  (Node re-exported, as torch's graph)
from .saved_hooks import *  # noqa

__all__ = ["Graph", "Node", "SavedMemory", "render", "saved_memory", "to_dot", "to_html",
           "to_svg"]


# ------------------------------------------------------------------------------ descriptions
def _dtype_name(arr) -> str:
    return str(arr.dtype)


def _shape_str(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _nbytes_str(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 ** 2:
        return f"{n / 1024:.1f} KiB"
    if n < 1024 ** 3:
        return f"{n / 1024 ** 2:.1f} MiB"
    return f"{n / 1024 ** 3:.2f} GiB"


def tensor_desc(t) -> str:
    """``float32[2, 3]``: dtype and shape of a tensor (or ``'2.0 (python scalar)'``)."""
    if isinstance(t, _fn.Tensor):
        return f"{_dtype_name(t._data)}{_shape_str(t._data.shape)}"
    return f"{t!r} (python scalar)"


def _root_buffer(arr):
    """The array that owns ``arr``'s memory (NumPy views chain through ``.base``)."""
    while getattr(arr, "base", None) is not None and hasattr(arr.base, "nbytes"):
        arr = arr.base
    return arr


def _param_names(params):
    """``{id(tensor): name}`` from a dict of tensors or a Module (``named_parameters``)."""
    if params is None:
        return {}
    if hasattr(params, "named_parameters"):
        params = dict(params.named_parameters())
    return {id(v): k for k, v in dict(params).items()}


def _saved_of(node):
    """(state, saved): state is 'none', 'freed' or 'kept'; saved is the raw tuple (unchecked)."""
    saved = node._saved
    if saved is None:
        return "none", ()
    if saved is _fn.FREED:
        return "freed", ()
    return "kept", saved


def _saved_role(node, s):
    """Whether saved tensor ``s`` is one of the node's inputs, its output, or neither."""
    if not isinstance(s, _fn.Tensor):
        return "python scalar"
    if s._grad_fn is node:
        return f"output {s._output_nr}"
    nr = _kept_output_nr(node, s)
    if nr is not None:  # an output kept without its node (function._versions)
        return f"output {nr}"
    for i, e in enumerate(node._next):
        if e is None:
            continue
        src = e[0]
        if s._grad_fn is not None and s._grad_fn is src and s._output_nr == e[1]:
            return f"input {i}"
        if s._grad_fn is None and isinstance(src, AccumulateGrad) and src.variable is s:
            return f"input {i}"
    if s._grad_fn is None and not s._requires_grad:
        return "constant"  # a tensor that needs no gradient (an input or made in forward)
    return "other"


def _kept_output_nr(node, s):
    """The output number of ``s`` when ``node`` saved it as one of its own outputs (kept
    without the node: function._versions; maybe as a pack hook's value), else None."""
    saved = node._saved
    for k, x in enumerate(saved if saved is not None else ()):
        if x is s or (_is_packed(x) and x.value is s):
            return _fn.saved_output_nr(node, k)
    return None


def _is_packed(s) -> bool:
    """A saved tensor replaced by what a ``saved_tensors_hooks`` pack hook returned."""
    return type(s).__name__ == "_Packed" and hasattr(s, "unpack")


def _packed_desc(s) -> str:
    v = s.value
    what = tensor_desc(v) if isinstance(v, _fn.Tensor) else type(v).__name__
    size = f" {_nbytes_str(v._data.nbytes)}" if isinstance(v, _fn.Tensor) else ""
    return f"packed by saved_tensors_hooks: {what}{size}"


def _leaf_desc(node, names):
    v = node.variable
    name = names.get(id(v))
    d = f"leaf {tensor_desc(v)}"
    return d + (f" '{name}'" if name else "")


# ----------------------------------------------------------------------------- the walk
def _roots(t):
    ts = t if isinstance(t, (list, tuple)) else (t,)
    roots = []
    for x in ts:
        if isinstance(x, Node):
            roots.append(x)
        elif x._grad_fn is not None:
            roots.append(x._grad_fn)
        elif x._requires_grad:
            roots.append(_fn._edge(x)[0])
    return roots


def nodes_of(t):
    """Every node reachable from ``t`` (a tensor, a node, or a list), each once, in DFS order."""
    seen = {}
    stack = list(reversed(_roots(t)))
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen[n] = len(seen)
        for e in reversed(n._next):
            if e is not None and e[0] not in seen:
                stack.append(e[0])
    return list(seen)


# ----------------------------------------------------------------------------- text
_MAX_INDENT = 60  # columns of tree prefix before a deep chain restarts at the left margin

def render(t, params=None, show_saved: bool = True) -> str:
    """A text tree of the backward graph of ``t`` (a tensor, or a list of tensors).

    Args:
        t: the output (e.g. the loss), or a list of outputs.
        params: optional ``{name: tensor}`` dict or an ``nn.Module``, to name the leaves.
        show_saved: list what each node saved for backward (default True).

    Each node gets a ``#number`` on first sight; a node reached again is printed as
    ``MulBackward0 #3 (shared, see above)``. Saved tensors are on ``saved[i]:`` lines
    under their node, before its inputs, marked with ``╎`` rather than a branch.

    Example::

        >>> x = ember.ones(2, requires_grad=True)
        >>> print(render((x * 2).sum()))
        SumBackward0 #0
        └─ MulBackward0 #1
           ╎ saved[0]: float32[2] 8 B  (input 0)
           ╎ saved[1]: 2 (python scalar)
           └─ AccumulateGrad #2  leaf float32[2]
    """
    names = _param_names(params)
    ids = {}
    lines = []
    roots = _roots(t)
    if not roots:
        return "(no graph: the tensor does not require grad)"
    # iterative DFS: (node, prefix, connector, input label)
    stack = [(n, "", "", "") for n in reversed(roots)]
    while stack:
        node, prefix, conn, label = stack.pop()
        head = prefix + conn + label
        if node in ids:
            lines.append(f"{head}{type(node).__name__} #{ids[node]} (shared, see above)")
            continue
        ids[node] = len(ids)
        line = f"{head}{type(node).__name__} #{ids[node]}"
        if isinstance(node, AccumulateGrad):
            line += "  " + _leaf_desc(node, names)
        lines.append(line)
        child_prefix = prefix + ("" if conn == "" else ("   " if conn == "└─ " else "│  "))
        if len(child_prefix) > _MAX_INDENT:  # a deep chain: restart the indentation
            child_prefix = "» "
        edges = [(i, e) for i, e in enumerate(node._next) if e is not None]
        if show_saved and not isinstance(node, AccumulateGrad):
            state, saved = _saved_of(node)
            if state == "freed":
                lines.append(f"{child_prefix}╎ saved: (freed by backward; use retain_graph=True)")
            for i, s in enumerate(saved):
                if s is None:
                    continue
                if _is_packed(s):
                    lines.append(f"{child_prefix}╎ saved[{i}]: {_packed_desc(s)}")
                elif isinstance(s, _fn.Tensor):
                    role = _saved_role(node, s)
                    lines.append(f"{child_prefix}╎ saved[{i}]: {tensor_desc(s)} "
                                 f"{_nbytes_str(s._data.nbytes)}  ({role})")
                else:
                    lines.append(f"{child_prefix}╎ saved[{i}]: {tensor_desc(s)}")
        multi = len(edges) > 1
        for k in range(len(edges) - 1, -1, -1):
            i, e = edges[k]
            last = k == len(edges) - 1
            lab = f"[{i}] " if multi else ""
            stack.append((e[0], child_prefix, "└─ " if last else "├─ ", lab))
    return "\n".join(lines)


# ----------------------------------------------------------------------------- DOT / SVG
def _q(s) -> str:
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(t, params=None, show_saved: bool = True) -> str:
    """The backward graph of ``t`` as Graphviz DOT text (no Graphviz needed to make it).

    Nodes are boxes (leaves light blue, roots green); saved tensors are orange ellipses
    joined to their node by dashed edges; edges point from a node to the node that computes
    the gradient of its input, the direction the gradient flows.
    """
    names = _param_names(params)
    nodes = nodes_of(t)
    ids = {n: f"n{k}" for k, n in enumerate(nodes)}
    roots = set(_roots(t))
    out = ["digraph backward {",
           '  graph [rankdir=TB, fontname="Helvetica"];',
           '  node [shape=box, style="rounded,filled", fillcolor="#f5f5f5", '
           'fontname="Helvetica", fontsize=11];']
    for n in nodes:
        label = f"{type(n).__name__} #{ids[n][1:]}"
        color = "#f5f5f5"
        if isinstance(n, AccumulateGrad):
            label += "\\n" + _leaf_desc(n, names)
            color = "#cfe8ff"
        if n in roots:
            color = "#c8f0c8"
        out.append(f"  {ids[n]} [label={_q(label)}, fillcolor={_q(color)}];")
        for i, e in enumerate(n._next):
            if e is not None:
                out.append(f"  {ids[n]} -> {ids[e[0]]} [label={_q(i)}, fontsize=9];")
        if show_saved and not isinstance(n, AccumulateGrad):
            state, saved = _saved_of(n)
            for i, s in enumerate(saved):
                if s is None or not isinstance(s, _fn.Tensor):
                    continue
                sid = f"{ids[n]}s{i}"
                lab = (f"saved[{i}] {tensor_desc(s)}\\n{_nbytes_str(s._data.nbytes)} "
                       f"({_saved_role(n, s)})")
                out.append(f"  {sid} [label={_q(lab)}, shape=ellipse, fillcolor=\"#ffd8a8\", "
                           "fontsize=9];")
                out.append(f"  {ids[n]} -> {sid} [style=dashed, arrowhead=none];")
            if state == "freed":
                out.append(f"  {ids[n]}f [label=\"saved: freed\", shape=plaintext, "
                           "fontsize=9];")
                out.append(f"  {ids[n]} -> {ids[n]}f [style=dotted, arrowhead=none];")
    out.append("}")
    return "\n".join(out)


def has_dot() -> bool:
    """Whether the Graphviz ``dot`` binary is on PATH (``to_svg`` needs it)."""
    return shutil.which("dot") is not None


def to_svg(t, params=None, show_saved: bool = True) -> str:
    """The graph as SVG text, drawn by the Graphviz ``dot`` binary.

    Raises RuntimeError when ``dot`` is not installed (``apt-get install graphviz``);
    ``render`` and ``to_dot`` need nothing.
    """
    exe = shutil.which("dot")
    if exe is None:
        raise RuntimeError("to_svg needs the Graphviz 'dot' binary (e.g. apt-get install "
                           "graphviz); render() and to_dot() work without it")
    src = to_dot(t, params, show_saved)
    res = subprocess.run([exe, "-Tsvg"], input=src.encode(), capture_output=True, check=True)
    return res.stdout.decode()


class Graph:
    """A graph to look at: ``str()`` is the text tree; in a notebook it draws itself as SVG
    when Graphviz is installed, else as the text tree.

    Example::

        ember.autograd.graph.Graph(loss, params=model)   # last line of a notebook cell
    """

    def __init__(self, t, params=None, show_saved: bool = True):
        self.text = render(t, params, show_saved)
        self.dot = to_dot(t, params, show_saved)

    def __str__(self):
        return self.text

    def __repr__(self):
        return self.text

    def svg(self) -> str:
        exe = shutil.which("dot")
        if exe is None:
            raise RuntimeError("Graph.svg needs the Graphviz 'dot' binary")
        return subprocess.run([exe, "-Tsvg"], input=self.dot.encode(), capture_output=True,
                              check=True).stdout.decode()

    def _repr_svg_(self):
        return self.svg() if has_dot() else None

    def _repr_html_(self):
        if has_dot():
            return self.svg()
        return "<pre>" + html.escape(self.text) + "</pre>"


# ----------------------------------------------------------------------------- memory
class SavedMemory:
    """What a graph keeps alive for backward (see ``saved_memory``).

    Attributes:
        nodes: list of ``(node_name, [(index, desc, nbytes, role, counted)], node_bytes)``,
            in forward order; ``counted`` is False for a buffer already counted at an
            earlier node.
        total: bytes of distinct buffers saved for backward.
        activations: the part of ``total`` that is not the memory of a leaf of the graph
            (leaves stay alive anyway): what backward without ``retain_graph`` frees.
        by_module: ``{module_name: bytes}`` when a trace recorded which module ran each op.
    """

    def __init__(self, nodes, total, activations, by_module=None):
        self.nodes = nodes
        self.total = total
        self.activations = activations
        self.by_module = by_module or {}

    def table(self) -> str:
        rows = [("node", "saved", "bytes", "note")]
        for name, items, nbytes in self.nodes:
            if not items:
                continue
            first = True
            for i, desc, nb, role, counted in items:
                note = role if counted else role + ", shared: counted above"
                rows.append((name if first else "", f"[{i}] {desc}",
                             _nbytes_str(nb) if counted else f"({_nbytes_str(nb)})", note))
                first = False
        w = [max(len(r[k]) for r in rows) for k in range(4)]
        lines = ["  ".join(r[k].ljust(w[k]) for k in range(4)).rstrip() for r in rows]
        lines.insert(1, "  ".join("-" * w[k] for k in range(4)))
        lines.append(f"total saved for backward: {_nbytes_str(self.total)} "
                     f"({self.total} bytes; activations {_nbytes_str(self.activations)}, "
                     f"leaves {_nbytes_str(self.total - self.activations)})")
        for m, b in self.by_module.items():
            lines.append(f"  under module {m or '(model)'!s}: {_nbytes_str(b)}")
        return "\n".join(lines)

    __str__ = table

    def __repr__(self):
        return f"<SavedMemory total={self.total} bytes over {len(self.nodes)} nodes>"


def saved_memory(t, model=None) -> SavedMemory:
    """Bytes saved for backward by the graph of ``t``, per node and in total.

    A buffer is counted once however many nodes save it (a tensor and its views share one
    NumPy buffer; ``x * x`` saves ``x`` twice). A view keeps its whole buffer alive, so the
    owning buffer's size is what counts. Leaves (inputs, parameters) are counted in ``total``
    but not in ``activations``, since they live on regardless of the graph.

    Example::

        >>> x = ember.randn(1000, requires_grad=True)
        >>> print(saved_memory((x * x).sum()).total)   # x saved twice, counted once
        4000

    Per module: for a graph built inside ``ember.autograd.trace()``, each node knows the
    innermost ``nn.Module`` whose forward made it; ``by_module`` then sums the bytes first
    saved under each module, named as in ``model.named_modules()`` when ``model`` is given
    (``''`` is the model itself), else by class name.
    """
    mod_names = {}
    if model is not None and hasattr(model, "named_modules"):
        mod_names = {id(m): n for n, m in model.named_modules()}
    seen = set()
    total = 0
    act = 0
    rows = []
    by_module = {}
    nodes = nodes_of(t)
    leaf_bufs = {id(_root_buffer(n.variable._data)) for n in nodes if isinstance(n, AccumulateGrad)}
    # forward order, so a buffer shared by several nodes is credited where it was made
    for node in sorted((n for n in nodes if not isinstance(n, AccumulateGrad)),
                       key=lambda n: n._seq):
        _, saved = _saved_of(node)
        items = []
        node_bytes = 0
        mod = node.__dict__.get("_ember_module")
        for i, s in enumerate(saved):
            if _is_packed(s):  # what the pack hook returned is what is held
                s = s.value
            if not isinstance(s, _fn.Tensor):
                continue
            buf = _root_buffer(s._data)
            key = id(buf)
            counted = key not in seen
            role = _saved_role(node, s)
            nb = buf.nbytes
            if counted:
                seen.add(key)
                total += nb
                node_bytes += nb
                if key not in leaf_bufs:
                    act += nb
                if mod is not None:
                    mname = mod_names.get(id(mod), type(mod).__name__)
                    by_module[mname] = by_module.get(mname, 0) + nb
            items.append((i, tensor_desc(s), nb, role, counted))
        rows.append((type(node).__name__, items, node_bytes))
    return SavedMemory(rows, total, act, by_module)


# the interactive page (its own module: a script and a layout that rendering never needs)
from .graph_html import to_html  # noqa: E402,F401
