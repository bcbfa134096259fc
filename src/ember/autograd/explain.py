"""Errors that teach, and ``explain_grad``: why is ``.grad`` None?

The ``*_hint`` functions are called by the engine and the ctx only when an error is already
being raised, to add what the usual message leaves out: the forward's parameter names and the
tuple ``backward`` should return, the reduction a wrong-shaped gradient is likely missing, the
file:line of the in-place operation that changed a saved tensor, and the backward call that
freed a graph. PyTorch's own phrase stays at the start of each message.

``explain_grad(t)`` reads a tensor's place in the graph and says, in one paragraph, why its
``.grad`` is None (or that it has one).
"""

from __future__ import annotations

import inspect
import re

from . import function as _fn
from .function import AccumulateGrad

__all__ = ["explain_grad"]


# ----------------------------------------------------------------------------- error hints
def _forward_params(node):
    """(signature text, [input names]) of the forward of a custom Function's node."""
    cls = node._forward_cls
    cls = getattr(cls, "_real", cls)
    if cls is None:
        return None, None
    try:
        params = list(inspect.signature(cls.forward).parameters.values())
    except (TypeError, ValueError):
        return None, None
    shown = [("*" if p.kind is p.VAR_POSITIONAL else "**" if p.kind is p.VAR_KEYWORD else "")
             + p.name for p in params]
    if not getattr(cls, "_new_style", False):
        params = params[1:]
    names = [p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        names = None  # forward(ctx, *args): the count is not in the signature
    return f"forward({', '.join(shown)})", names


def count_hint(node, expected, got) -> str:
    """Appended to 'returned an incorrect number of gradients (expected n, got m)'."""
    sig, names = _forward_params(node)
    noun = "gradient" if got == 1 else "gradients"
    if sig is None:
        return ""
    if names is None or len(names) != expected:
        names = [f"input{i}" for i in range(expected)]
    ret = ", ".join(f"grad_{n}" for n in names)
    inputs = "input" if expected == 1 else "inputs"
    return (f". {node.name()} returned {got} {noun} but {sig} has {expected} {inputs}: "
            f"return {ret} (None for inputs that need no gradient)")


def _numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def shape_hint(node, i, got, shape) -> str:
    """Appended to 'returned an invalid gradient at index i - got [..] but expected ...'."""
    got, shape = tuple(got), tuple(shape)
    _, names = _forward_params(node)
    who = f"input {i}"
    if names is not None and i < len(names):
        who += f" ('{names[i]}')"
    msg = (f". The gradient for {who} must have that input's shape {list(shape)}, or a shape "
           f"that sums down to it by broadcasting; it has {list(got)}.")
    ng, ns = _numel(got), _numel(shape)
    if ng > ns:
        # which dimensions of the gradient to sum so the input's (non-1) dims remain, in order
        want = [s for s in shape if s != 1]
        dims, k = [], 0
        for d, s in enumerate(got):
            if k < len(want) and s == want[k]:
                k += 1
            else:
                dims.append(d)
        if k == len(want) and dims:
            red = f"grad.sum(dim={dims[0] if len(dims) == 1 else tuple(dims)})"
            if tuple(s for d, s in enumerate(got) if d not in dims) != shape:
                red += f".reshape({list(shape)})"
            msg += (f" Likely a missing reduction: the input was broadcast in forward, so sum "
                    f"the gradient over the broadcast dimensions: {red}.")
        else:
            msg += " It has more elements than the input: a missing reduction (sum)?"
    elif ng == ns:
        msg += (" It has as many elements as the input but another shape: a missing "
                "transpose (.t(), .transpose()) or reshape, or matmul operands in the wrong "
                "order?")
    else:
        msg += (" It has fewer elements than the input: reduced too far, or missing an "
                f"expand back to the input's shape (grad.expand({list(shape)}))?")
    return msg


def modified_message(node, t, expected) -> str:
    """PyTorch's error for a saved tensor ``t`` of ``node`` found at another version than
    ``expected`` when backward reads it, and where the in-place op ran."""
    where = ""
    if t._grad_fn is not None:
        # PyTorch names a built-in op's node without its "Backward0" suffix here
        name = t._grad_fn.name()
        if node._forward_cls is not None and t._grad_fn._forward_cls is not None and \
                t._grad_fn._forward_cls._builtin:
            name = re.sub(r"Backward\d*$", "", name)
        where = f", which is output {t._output_nr} of {name}"
    return (
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: [{_fn._type_desc(t)}]{where}, is at version {t._vc[0]}; expected "
        f"version {expected} instead. Hint: enable anomaly detection to find the operation "
        "that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True, "
        "check_nan=False)."
    ) + inplace_hint(t, expected)


def inplace_hint(t, expected) -> str:
    """Appended to 'modified by an inplace operation': where that in-place op ran."""
    from .trace import site_source, site_str

    vc = t._vc
    if len(vc) > 1 and vc[1]:
        hist = vc[1]
        pick = None
        for v, site in hist:
            if v == expected + 1:
                pick = (v, site)
                break
        if pick is None:
            pick = hist[-1]
        v, site = pick
        src = site_source(site)
        return (f" ember: the in-place operation that moved it to version {v} ran at "
                f"{site_str(site, full=True)}" + (f": `{src}`" if src else "") +
                ". Use an out-of-place op there (e.g. x = x.mul(2) instead of x.mul_(2)), or "
                "clone() the tensor before modifying it.")
    return (" ember: call ember.autograd.set_debug(True) (or set EMBER_DEBUG=1) before the "
            "forward to record where in-place operations run, and this message will name the "
            "file:line.")


def freed_hint(node) -> str:
    """Appended to 'Trying to backward through the graph a second time': which backward."""
    from .trace import site_source, site_str

    site = node.__dict__.get("_freed_at")
    if site:
        src = site_source(site)
        return (f" ember: the saved tensors of {node.name()} were freed by the backward call at "
                f"{site_str(site, full=True)}" + (f": `{src}`" if src else "") +
                "; pass retain_graph=True to that call to backward again, or recompute the "
                "forward.")
    return (f" ember: {node.name()}'s saved tensors were freed by an earlier backward call "
            "(ember.autograd.set_debug(True) records which one).")


# ----------------------------------------------------------------------------- explain_grad
def _desc(t):
    from .graph import tensor_desc

    return tensor_desc(t)


_COPY_OPS = ("ToCopyBackward", "CloneBackward", "AliasBackward", "ViewBackward",
             "ReshapeAliasBackward", "UnsafeViewBackward", "ExpandBackward")


def _copy_chain(node):
    """If ``node`` leads back to a leaf through one-input nodes only, (ops, leaf)."""
    ops = []
    seen = 0
    while node is not None and seen < 64:
        seen += 1
        if isinstance(node, AccumulateGrad):
            return ops, node.variable
        edges = [e for e in node._next if e is not None]
        if len(edges) != 1:
            return None
        ops.append(node.name())
        node = edges[0][0]
    return None


def _shares_memory_in(t, output, include_self=False):
    """A node of ``output``'s graph that saved a tensor sharing ``t``'s memory
    (``t.detach()``, ``t.data``, or a view of them; ``t`` itself with ``include_self``), or
    None. An op saves only the operands its wanted gradients read (``d * x`` saves ``d``, not
    ``x``), so a detached ``t`` shows up as itself."""
    from .graph import nodes_of

    for n in nodes_of(output):
        saved = n._saved
        if saved is None or saved is _fn.FREED or isinstance(n, AccumulateGrad):
            continue
        for s in saved:
            if isinstance(s, _fn.Tensor) and (include_self or s is not t) and (
                    s._vc is t._vc or _root(s._data) is _root(t._data)):
                return n
    return None


def _root(arr):
    """The array that owns ``arr``'s memory (``t.data`` has its own version counter)."""
    while getattr(arr, "base", None) is not None:
        arr = arr.base
    return arr


def explain_grad(t, output=None) -> str:
    """Say why ``t.grad`` is None, or that it is set.

    Args:
        t: the tensor whose ``.grad`` you expected.
        output: optionally the tensor you called backward on (e.g. the loss), while its graph
            is still alive; lets the answer say whether ``t`` is in that graph, or was used
            there only through ``.detach()`` / ``.data``.

    The cases: it has a grad; not a leaf (no ``retain_grad``); a copy of the real leaf
    (``.to()``, ``.cuda()``, ``* 1`` after ``requires_grad=True``); ``requires_grad=False``
    (created so, under ``no_grad``, or detached); never used by a recorded op; set to None by
    ``zero_grad``; not reached by the last backward.

    Example::

        >>> w = ember.randn(3, requires_grad=True).double()   # a copy of the real leaf
        >>> (w * 2).sum().backward()
        >>> print(ember.autograd.explain_grad(w))
    """
    if not isinstance(t, _fn.Tensor):
        raise TypeError(f"explain_grad expects a Tensor, got {type(t).__name__}")
    g = t._grad
    fn = t._grad_fn
    if g is not None:
        from .trace import _gdesc

        _, _, norm = _gdesc(g)
        kind = "leaf" if fn is None else "non-leaf (retain_grad)"
        return (f".grad is set on this {kind} tensor {_desc(t)}: {_desc(g)} with norm "
                f"{norm:.4g}. It sums over backward calls until zero_grad() resets it.")
    if fn is not None:
        site = fn.__dict__.get("_ember_site")
        from .trace import site_str

        made = f"{fn.name()}" + (f" at {site_str(site)}" if site else "")
        if t._retains_grad:
            return (f".grad is None: retain_grad() was called on this non-leaf tensor (made by "
                    f"{made}) but no backward has reached it since; call backward on an output "
                    "that depends on it.")
        chain = _copy_chain(fn)
        if chain is not None and chain[1]._requires_grad and all(
                o.startswith(_COPY_OPS) for o in chain[0]):
            ops, leaf = chain
            return (f".grad is None: this tensor is not a leaf but a copy of one: "
                    f"{' <- '.join(ops)} <- leaf {_desc(leaf)}. The gradient goes to that leaf. "
                    "This happens when requires_grad=True is set before .to()/.double()/"
                    ".cuda()/arithmetic; create the final tensor first and then call "
                    ".requires_grad_() on it, or keep a reference to the leaf.")
        msg = (f".grad is None: this tensor is not a leaf (it was computed by {made}), and "
               "only leaves get .grad. Call .retain_grad() on it before backward, or get its "
               "gradient with ember.autograd.grad(output, t).")
        if chain is not None and chain[1]._requires_grad:
            msg += (f" It comes from leaf {_desc(chain[1])} through {' <- '.join(chain[0])}: "
                    "if it was meant to be the parameter itself (w = randn(..., requires_grad="
                    "True) * 0.01), make it first and call .requires_grad_() last.")
        return msg
    if not t._requires_grad:
        msg = (".grad is None: requires_grad is False, so autograd does not track this "
               f"tensor {_desc(t)}. It was created without requires_grad=True, or as the "
               "result of an op under no_grad()/inference_mode(), or by .detach()/.data, "
               "which cut the graph. For a leaf, call t.requires_grad_() before using it.")
        if output is not None:
            n = _shares_memory_in(t, output, include_self=True)
            if n is not None:
                msg += (f" Its memory is used in the graph of output by {n.name()}, as a "
                        "constant: detached on the path.")
        return msg
    zeroed = t.__dict__.get("_grad_zeroed_by")
    if zeroed:
        return (f".grad is None: it was set to None by {zeroed}.zero_grad() "
                "(set_to_none=True, the default) and no backward has reached this tensor "
                "since. Call backward after zero_grad and before reading .grad.")
    if t._acc is None:
        msg = (f".grad is None: this leaf {_desc(t)} requires grad but has never been used by "
               "an op that recorded a graph: it was used only under no_grad()/"
               "inference_mode(), or only through .detach()/.data (detached on the path), or "
               "not at all.")
        if output is not None:
            n = _shares_memory_in(t, output)
            if n is not None:
                msg += (f" In the graph of output, {n.name()} used a detached alias of it "
                        "(x.detach() or x.data): remove the detach to get a gradient.")
        return msg
    if output is not None:
        from .graph import nodes_of

        if t._acc not in set(nodes_of(output)):
            msg = (".grad is None: this leaf is not in the graph of output: the output does not "
                   "depend on it through recorded ops, so backward did not reach it.")
            n = _shares_memory_in(t, output)
            if n is not None:
                msg += (f" {n.name()} used a detached alias of it (x.detach() or x.data): "
                        "detached on the path.")
            return msg
        return (".grad is None: this leaf is in the graph of output, but no backward has "
                "reached it yet (backward not called, called with inputs= that exclude it, or "
                "its gradient was None, e.g. a hook returned zeros or the path is "
                "non-differentiable).")
    from .trace import site_str, watch

    site, reached = watch.last_backward
    if reached is not None and t._acc not in reached:
        return (".grad is None: this leaf was used in a recorded graph, but the last backward "
                f"(called at {site_str(site)}) did not reach it: that output does not depend on "
                "it. Call backward on an output that depends on it.")
    return (".grad is None: this leaf was used in a recorded graph, but the last backward did "
            "not reach it: call backward on an output that depends on it (pass output= to "
            "explain_grad to check which; set_debug(True) records which leaves each backward "
            "reached), or it was set to None after backward.")
