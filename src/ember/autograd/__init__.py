"""``ember.autograd``: ``backward``, ``grad``, ``Function``, grad modes and gradient checks."""

from __future__ import annotations

from ..backend import guard_of, xp_of
from ..backend import numpy as _np
from . import engine
from .function import Function, once_differentiable, Node  # noqa: F401
from .grad_mode import (  # noqa: F401
    enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad,
    set_grad_enabled,
)
from . import function as _fn


def _tensors(x):
    if x is None:
        return None
    if isinstance(x, _fn.Tensor):
        return (x,)
    return tuple(x)


_ndarray = _np.ndarray


def _make_grads(outputs, grads, is_grads_batched=False):
    """The seed gradients: ones for scalar outputs, else the given ones (checked)."""
    Tensor = _fn.Tensor
    res = []
    for i, out in enumerate(outputs):
        g = grads[i] if grads is not None and i < len(grads) else None
        if g is None:
            if out._requires_grad or out._grad_fn is not None:
                if out._data.size != 1:
                    raise RuntimeError("grad can be implicitly created only for scalar outputs")
                if not _fn.grads_flow(out._data.dtype):
                    raise RuntimeError(
                        "grad can be implicitly created only for real scalar outputs but got "
                        f"{out.dtype}"
                    )
                res.append(Tensor._make(xp_of(out._data).full(out._data.shape, 1, out._data.dtype)
                                        if out._data.ndim else
                                        xp_of(out._data).array(1, out._data.dtype)))
            else:
                res.append(None)
            continue
        if not isinstance(g, Tensor):
            g = Tensor._make(xp_of(out._data).asarray(g, dtype=out._data.dtype))
        if g._data.shape != out._data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] "
                f"has a shape of {out.shape}."
            )
        if g._data.dtype.kind != out._data.dtype.kind and out._data.dtype.kind in "fc":
            raise TypeError(
                f"For complex Tensors, both grad_output and output are required to have the same "
                f"dtype. Mismatch in dtype: grad_output[{i}] has a dtype of {g.dtype} and "
                f"output[{i}] has a dtype of {out.dtype}."
            ) if "c" in (g._data.dtype.kind, out._data.dtype.kind) else RuntimeError(
                f"grad_output[{i}] has dtype {g.dtype} but output[{i}] has dtype {out.dtype}"
            )
        res.append(g)
    return res


def _root_edges(outputs):
    edges = []
    for i, t in enumerate(outputs):
        if t._grad_fn is not None:
            edges.append((t._grad_fn, t._output_nr))
        elif t._requires_grad:
            edges.append(_fn._edge(t))
        else:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
    return edges


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             grad_variables=None, inputs=None):
    """Sum the gradients of ``tensors`` w.r.t. the graph leaves into their ``.grad``.

    ``grad_tensors`` seeds non-scalar outputs; ``inputs`` limits which tensors receive
    gradients; ``retain_graph`` keeps saved tensors for another backward; ``create_graph``
    records the backward itself for higher derivatives.
    """
    if grad_tensors is None and inputs is None and tensors.__class__ is _fn.Tensor:
        # the everyday ``loss.backward()``: a scalar with a grad_fn, seeded with one
        fn = tensors._grad_fn
        d = tensors._data
        if fn is not None and d.ndim == 0 and _fn.grads_flow(d.dtype):
            if d.__class__ is not _ndarray:  # a cuda loss: the backward runs on its device
                with guard_of(d):
                    return _backward([tensors], None, create_graph if retain_graph is None
                                     else retain_graph, create_graph, None)
            seed = _fn.Tensor._make(xp_of(d).array(1, d.dtype))
            engine.execute([(fn, tensors._output_nr)], [seed],
                           create_graph if retain_graph is None else retain_graph, create_graph)
            return
    outputs = _tensors(tensors)
    if grad_tensors is not None and isinstance(grad_tensors, _fn.Tensor):
        grad_tensors = (grad_tensors,)
    if retain_graph is None:
        retain_graph = create_graph
    with guard_of(outputs[0]._data if outputs else None):
        _backward(outputs, grad_tensors, retain_graph, create_graph, inputs)


def _backward(outputs, grad_tensors, retain_graph, create_graph, inputs):
    grads = _make_grads(outputs, grad_tensors)
    roots = _root_edges(outputs)
    wanted = None
    if inputs is not None:
        ins = _tensors(inputs)
        if not ins:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
        wanted = [(_input_edge(t), t) for t in ins]
    engine.execute(roots, grads, retain_graph, create_graph, inputs=wanted, store=True)


def _input_edge(t):
    if t._grad_fn is not None:
        return (t._grad_fn, t._output_nr)
    if not t._requires_grad:
        raise RuntimeError("One of the differentiated Tensors does not require grad")
    return _fn._edge(t)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Return the gradients of ``outputs`` w.r.t. ``inputs`` (no ``.grad`` is changed).

    Example::

        x = ember.tensor([1., 2.], requires_grad=True)
        (g,) = ember.autograd.grad((x ** 3).sum(), x, create_graph=True)   # 3x^2, differentiable
    """
    if materialize_grads and allow_unused is False:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True, but "
            "got: allow_unused=False."
        )
    if allow_unused is None:
        allow_unused = materialize_grads
    outs = _tensors(outputs)
    single_input = isinstance(inputs, _fn.Tensor)
    ins = _tensors(inputs)
    if grad_outputs is not None and isinstance(grad_outputs, _fn.Tensor):
        grad_outputs = (grad_outputs,)
    if grad_outputs is not None and len(grad_outputs) != len(outs):
        raise RuntimeError(
            f"grad requires one grad_output per output: got {len(grad_outputs)} grad_outputs "
            f"and {len(outs)} outputs"
        )
    if retain_graph is None:
        retain_graph = create_graph
    if is_grads_batched:
        return _grad_batched(outs, ins, grad_outputs, retain_graph, create_graph,
                             allow_unused, materialize_grads)
    with guard_of(outs[0]._data if outs else None):
        grads = _make_grads(outs, grad_outputs)
        roots = _root_edges(outs)
        wanted = [(_input_edge(t), t) for t in ins]
        res = engine.execute(roots, grads, retain_graph, create_graph, inputs=wanted,
                             store=False)
    out = []
    for i, (t, g) in enumerate(zip(ins, res)):
        if g is None:
            if materialize_grads:
                g = _fn.Tensor._make(xp_of(t._data).zeros_like(t._data))
            elif not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior."
                )
        elif not create_graph:
            g = g.detach()
        out.append(g)
    return tuple(out)


def _grad_batched(outs, ins, grad_outputs, retain_graph, create_graph, allow_unused,
                  materialize_grads):
    """``grad(..., is_grads_batched=True)``: each grad_output carries a leading batch
    dimension; the vector-Jacobian products of the batch are stacked along it."""
    from .. import stack

    if grad_outputs is None:
        raise RuntimeError("is_grads_batched=True requires grad_outputs")
    n = None
    for i, g in enumerate(grad_outputs):
        if g is None:
            continue
        if g.dim() != outs[i].dim() + 1 or tuple(g.shape[1:]) != tuple(outs[i].shape):
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] "
                f"has a shape of {outs[i].shape}. If you are using is_grads_batched=True, make "
                "sure the first dimension of each grad_output is the batch dimension."
            )
        n = g.shape[0] if n is None else n
    if n is None:
        raise RuntimeError("is_grads_batched=True requires at least one grad_output")
    per = []
    for b in range(n):
        gos = [None if g is None else g[b] for g in grad_outputs]
        per.append(grad(outs, ins, gos, retain_graph=retain_graph or b < n - 1,
                        create_graph=create_graph, allow_unused=allow_unused,
                        materialize_grads=materialize_grads))
    res = []
    for k in range(len(ins)):
        col = [p[k] for p in per]
        res.append(None if any(c is None for c in col) else stack(col))
    return tuple(res)


from .gradcheck import gradcheck, gradgradcheck  # noqa: E402,F401
from . import forward_ad, functional  # noqa: E402,F401
from .anomaly_mode import detect_anomaly, set_detect_anomaly  # noqa: E402,F401

# explainability (E): graph rendering, backward tracing, debug mode, explain_grad
from . import graph  # noqa: E402,F401
from .debug import is_debug_enabled, set_debug  # noqa: E402,F401
from .explain import explain_grad  # noqa: E402,F401
from .trace import trace  # noqa: E402,F401  (the function; the module is ember.autograd.trace)

# issue 10 names
from .variable import Variable  # noqa: E402,F401
from . import profiler  # noqa: E402,F401  (torch.autograd.profiler)
