"""``to_html``: the backward graph as one self-contained, interactive HTML page.

The page needs no network: the graph is embedded as JSON and the script that lays it out and
draws it (``graph_html_script.py``, about 300 lines) is inlined. Nodes are laid out top to
bottom from the output (the loss) down to the leaves; a leaf that is a module's parameter is
labelled with its name (``layers.0.weight``). Clicking a node shows what it saved for backward
(shape, dtype, bytes, and whether it is an input or the output), where its forward ran, the
norms of the gradients it received and returned, and its backward time, when a trace or a
profile of the backward is given. A search box finds nodes by name. In a large graph the
blocks of a repeated module (``layers.0``, ``layers.1``...) start collapsed into one box each,
so a 10,000-node graph opens quickly; click a box to open it.

Example::

    model = ember.nn.Sequential(ember.nn.Linear(4, 8), ember.nn.Tanh(), ember.nn.Linear(8, 1))
    loss = model(ember.randn(2, 4)).pow(2).mean()
    ember.autograd.graph.to_html(loss, "graph.html", params=model)
"""

from __future__ import annotations

import html
import json
import os
import re

from . import function as _fn
from .function import AccumulateGrad
from .graph import (_param_names, _roots, _saved_of, _saved_role, _is_packed,
                    nodes_of, tensor_desc)

__all__ = ["to_html", "page_data"]

_COLLAPSE_ABOVE = 300  # nodes: above this, repeated module blocks start collapsed


def _norm(t):
    import numpy as np

    d = t._data
    return float(np.linalg.norm(np.asarray(d, dtype=np.complex128 if d.dtype.kind == "c"
                                           else np.float64).ravel()))


def _gd(d):
    """A trace's ``(shape, dtype, norm)`` as ``{'shape', 'dtype', 'norm'}`` (or None)."""
    if d is None:
        return None
    shape, dtype, norm = d
    return {"shape": list(shape), "dtype": str(dtype),
            "norm": None if norm != norm else float(norm)}


def _module_names(params):
    if params is not None and hasattr(params, "named_modules"):
        return {id(m): n for n, m in params.named_modules()}
    return {}


def _block_of(module_name):
    """The repeated block a module belongs to: the name up to its last numeric part
    (``blocks.7.attn.q`` -> ``blocks.7``); None when no part is numeric."""
    parts = module_name.split(".")
    for k in range(len(parts) - 1, -1, -1):
        if parts[k].isdigit():
            return ".".join(parts[: k + 1])
    return None


def _inputs(obj):
    """(roots, trace): the graph's output nodes, and the Trace when one was given."""
    from .trace import Trace

    if isinstance(obj, Trace):
        nodes = [r.node for r in obj.records]
        if not nodes:
            raise ValueError("to_html: the trace recorded no backward pass")
        reach = set()
        for n in nodes:
            for e in n._next:
                if e is not None:
                    reach.add(e[0])
        return [n for n in dict.fromkeys(nodes) if n not in reach], obj
    roots = _roots(obj)
    if not roots:
        raise ValueError("to_html: the tensor does not require grad and has no grad_fn, so it "
                         "has no backward graph")
    return roots, None


def page_data(tensor_or_trace, params=None, trace=None, profile=None) -> dict:
    """The graph as the JSON-ready dict the page draws (see ``to_html`` for the arguments)."""
    roots, tr = _inputs(tensor_or_trace)
    trace = trace if trace is not None else tr
    names = _param_names(params)
    mod_names = _module_names(params)
    nodes = nodes_of(roots)
    ids = {n: k for k, n in enumerate(nodes)}
    root_set = set(roots)

    records = {}
    if trace is not None:
        for r in trace.records:
            records.setdefault(r.node, []).append(r)
    times = {}
    if profile is not None:
        for e in profile.events():
            if getattr(e, "flow", None) == "f":
                times[e.sequence_nr] = times.get(e.sequence_nr, 0.0) + e.cpu_time_total

    out_nodes = []
    edges = []
    module_of = {}
    for n, k in ids.items():
        is_leaf = isinstance(n, AccumulateGrad)
        item = {"id": k, "name": "AccumulateGrad" if is_leaf else type(n).__name__,
                "kind": "leaf" if is_leaf else ("root" if n in root_set else "op")}
        if n in root_set:
            item["root"] = True
        fcls = n._forward_cls
        if not is_leaf and fcls is not None and not getattr(fcls, "_builtin", False):
            item["custom"] = True
        if is_leaf:
            v = n.variable
            item["tensor"] = tensor_desc(v)
            item["bytes"] = int(v._data.nbytes)
            pname = names.get(id(v))
            if pname:
                item["label"] = pname
                if "." in pname:
                    module_of[k] = pname.rsplit(".", 1)[0]
            if v._grad is not None:
                item["grad_norm"] = _norm(v._grad)
        else:
            state, saved = _saved_of(n)
            item["saved_state"] = state
            sv = []
            for i, s in enumerate(saved):
                if s is None:
                    continue
                if _is_packed(s):
                    val = s.value
                    sv.append({"i": i, "desc": tensor_desc(val) if isinstance(val, _fn.Tensor)
                               else type(val).__name__, "role": "packed by saved_tensors_hooks",
                               "bytes": int(val._data.nbytes)
                               if isinstance(val, _fn.Tensor) else 0})
                elif isinstance(s, _fn.Tensor):
                    sv.append({"i": i, "desc": tensor_desc(s), "bytes": int(s._data.nbytes),
                               "role": _saved_role(n, s), "shape": list(s._data.shape),
                               "dtype": str(s._data.dtype)})
                else:
                    sv.append({"i": i, "desc": tensor_desc(s), "bytes": 0,
                               "role": "python scalar"})
            item["saved"] = sv
            mod = n.__dict__.get("_ember_module")
            if mod is not None:
                module_of[k] = mod_names.get(id(mod), type(mod).__name__)
        site = n.__dict__.get("_ember_site")
        if site:
            item["site"] = f"{os.path.basename(site[0])}:{site[1]}"
        recs = records.get(n)
        if recs:
            r = recs[-1]
            item["grad_outputs"] = [_gd(d) for d in r.grad_outputs]
            item["grad_inputs"] = [{"input": i, **(_gd(d) or {})} for i, d in r.grad_inputs
                                   if d is not None]
            if r.saved_read and not item.get("saved"):
                item["saved_read"] = [{"i": i, "desc": d} for i, d in r.saved_read]
            if r.forward_site and "site" not in item:
                item["site"] = f"{os.path.basename(r.forward_site[0])}:{r.forward_site[1]}"
            if r.leaf is not None and r.leaf.get("grad_norm") == r.leaf.get("grad_norm"):
                item.setdefault("grad_norm", r.leaf["grad_norm"])
        t = times.get(n._seq)
        if t is not None:
            item["time_us"] = round(t, 3)
        out_nodes.append(item)
        for i, e in enumerate(n._next):
            if e is not None:
                edges.append([k, ids[e[0]], i])

    guess = _assign_modules(nodes, ids, module_of, root_set)
    groups = _groups({**guess, **module_of})
    for k, mname in module_of.items():
        out_nodes[k]["module"] = mname
    for k, mname in {**guess, **module_of}.items():
        g = groups.get(mname)
        if g is not None:
            out_nodes[k]["group"] = g
    return {"nodes": out_nodes, "edges": edges,
            "collapse": len(out_nodes) > _COLLAPSE_ABOVE,
            "total_saved": sum(s["bytes"] for it in out_nodes for s in it.get("saved", ())),
            "has_trace": trace is not None, "has_profile": profile is not None}


def _assign_modules(nodes, ids, module_of, root_set):
    """Give op nodes with no recorded module the module of the parameters they use (directly
    or through one view node such as ``TBackward0``). Returns ``{node id: module}`` guesses
    for the rest: an op made outside any recorded module joins the module of its input, in
    forward order, so an activation between two blocks collapses with the block before it
    (used for collapsing only, not shown as the node's module)."""
    for n in nodes:
        k = ids[n]
        if k in module_of or isinstance(n, AccumulateGrad):
            continue
        found = None
        for e in n._next:
            if e is None:
                continue
            c = e[0]
            m = module_of.get(ids[c])
            if m is None and not isinstance(c, AccumulateGrad) and len(c._next) <= 2:
                for e2 in c._next:
                    if e2 is not None and isinstance(e2[0], AccumulateGrad):
                        m = module_of.get(ids[e2[0]]) or m
            if m is not None:
                found = m
                break
        if found is not None:
            module_of[k] = found
    guess = {}
    for n in sorted(nodes, key=lambda n: n._seq if not isinstance(n, AccumulateGrad) else -1):
        k = ids[n]
        if k in module_of or isinstance(n, AccumulateGrad) or n in root_set:
            continue
        if "_ember_site" in n.__dict__:
            continue  # a trace saw its forward: no module recorded means none
        for e in n._next:
            if e is not None and not isinstance(e[0], AccumulateGrad):
                c = ids[e[0]]
                m = module_of.get(c) or guess.get(c)
                if m is not None:
                    guess[k] = m
                    break
    return guess


def _pattern(block):
    """``layers.3`` -> ``layers.#``: blocks that differ only in their indices repeat."""
    return re.sub(r"(^|\.)\d+(?=\.|$)", r"\1#", block)


def _groups(module_of):
    """``{module_name: block}`` for modules inside a block that repeats (a pattern such as
    ``layers.#`` seen with two or more indices)."""
    blocks = {m: _block_of(m) for m in set(module_of.values())}
    count = {}
    for b in set(blocks.values()):
        if b is not None:
            pat = _pattern(b)
            count[pat] = count.get(pat, 0) + 1
    out = {}
    for m, b in blocks.items():
        if b is not None and count[_pattern(b)] >= 2:
            out[m] = b
    return out


def to_html(tensor_or_trace, path=None, params=None, trace=None, profile=None,
            title: str = "ember backward graph") -> str:
    """Write the backward graph as one self-contained interactive HTML page.

    Args:
        tensor_or_trace: the output whose graph to draw (e.g. the loss; a list of tensors
            works too), or an ``ember.autograd.trace()`` recording, whose nodes (and the
            gradient norms it saw) are drawn.
        path: the file to write; None returns the HTML without writing.
        params: an ``nn.Module`` (or ``{name: tensor}``) naming leaves and module blocks.
        trace: a trace of the backward, for gradient norms (when the first argument is a
            tensor).
        profile: an ``ember.profiler.profile`` of the backward, for each node's time.
        title: the page title.

    Returns the HTML text. Saved tensors are shown as they are when the page is made: after
    a backward without ``retain_graph=True`` they are freed (a trace still lists what each
    node read). Differences from PyTorch: PyTorch has no such page.
    """
    from .graph_html_script import CSS, SCRIPT

    data = page_data(tensor_or_trace, params, trace, profile)
    # "</" inside a <script> would end it early; JSON allows the escaped form
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    doc = (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title>"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<style>{CSS}</style></head><body>"
        f"<header><b>{html.escape(title)}</b>"
        "<input id=\"search\" type=\"search\" placeholder=\"search nodes (Enter: next)\">"
        "<span id=\"found\"></span>"
        "<button id=\"expand\">expand all</button><button id=\"collapse\">collapse blocks"
        "</button><span id=\"stats\"></span></header>"
        "<main><div id=\"pane\"><svg id=\"graph\" xmlns=\"http://www.w3.org/2000/svg\"></svg>"
        "</div><aside id=\"info\"><p class=\"hint\">Click a node to see what it saved for "
        "backward.</p></aside></main>"
        f"<script id=\"data\" type=\"application/json\">{payload}</script>"
        f"<script>{SCRIPT}</script></body></html>\n"
    )
    if path is not None:
        with open(path, "w", encoding="utf-8") as f:
            f.write(doc)
    return doc
