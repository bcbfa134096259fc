"""vmap for the graph-level ops that have no Function (``dispatch.primitive``): random draws,
comparisons and logical tests, and data-dependent reductions.

* ``"random"``: ``randomness='error'`` refuses them, ``'different'`` draws per example,
  ``'same'`` draws once for the whole batch (PyTorch's modes).
* ``"elementwise"``: computes on arrays directly, so on a batched argument it runs on the
  whole batch (ranks lined up) instead of on the per-example view.
* ``"per_example"`` (``argmax``, ``all``, ``nonzero``...): runs per example, results stacked.
"""

from __future__ import annotations

from ..autograd import dispatch as _door

_ERROR_MSG = ("vmap: called random operation while in randomness error mode. Please either use "
              "the 'same' or 'different' randomness flags on vmap or perform the randomness "
              "operation out of vmap")


# Tensor methods of these kinds, which BatchedTensor routes here too (its own methods)
ELEMENTWISE = ("eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less",
               "less_equal", "not_equal", "logical_and", "logical_or", "logical_xor",
               "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "isnan",
               "isinf", "isfinite", "isposinf", "isneginf", "isreal", "isclose")
PER_EXAMPLE = ("argmax", "argmin", "all", "any", "count_nonzero", "argsort", "nonzero")


def top_level(args, kwargs):
    """The innermost active vmap level among the arguments (None if none is batched)."""
    from ._dispatch import BatchedTensor

    top = None
    for a in list(args) + list(kwargs.values()):
        if a.__class__ is BatchedTensor and a._bt_level.active and (
                top is None or a._bt_level.id > top.id):
            top = a._bt_level
    return top


def batched_primitive(op, kind, args, kwargs, top):
    """Run primitive ``op`` under vmap; ``top`` is the innermost level among its arguments."""
    kwargs = kwargs or {}
    if kind == "random":
        return _random(op, args, kwargs)
    if top is None:
        return _below(op, args, kwargs)
    if kind == "elementwise":
        return _elementwise(op, args, kwargs, top)
    return _per_example(op, args, kwargs, top)


def _random(op, args, kwargs):
    from ._dispatch import state

    levels = [lv for lv in state.vmap if lv.active]
    if not levels:
        return _below(op, args, kwargs)
    level = levels[-1]
    if level.randomness == "error":
        raise RuntimeError(_ERROR_MSG)
    if level.randomness == "same":
        return _below(op, args, kwargs)
    from ..ops.shape.join import stack
    from ._batched import wrap

    draws = [_below(op, args, kwargs) for _ in range(level.batch_size)]
    return wrap(stack(draws, 0), level)


def _below(op, args, kwargs):
    from ._dispatch import state

    return _door.below(state.mode, op, args, kwargs)


def lined_up_args(args, kwargs, level):
    """``args`` and ``kwargs`` with the batched tensors unwrapped at ``level`` and their ranks
    lined up (the batch dim padded so that it broadcasts), for one call on the whole batch."""
    from ..autograd.function import Tensor
    from ._batched import _pad, unwrap

    vals, flags, rank = [], [], 0
    for a in args:
        if isinstance(a, Tensor):
            v, b = unwrap(a, level)
            rank = max(rank, v.dim() - 1 if b else v.dim())
            vals.append(v)
            flags.append(b)
        else:
            vals.append(a)
            flags.append(False)
    vals = [_pad(v, rank - (v.dim() - 1)) if b else v for v, b in zip(vals, flags)]
    return vals, {k: unwrap(v, level)[0] for k, v in kwargs.items()}


def _elementwise(op, args, kwargs, level):
    """``op`` on the whole batch: batched tensor arguments unwrapped, ranks lined up."""
    from ._batched import wrap

    vals, kw = lined_up_args(args, kwargs, level)
    return wrap(_door.call(op, vals, kw), level)


def _per_example(op, args, kwargs, level):
    """``op`` once per example, the results stacked."""
    from ..ops.shape.join import stack
    from ._batched import unwrap, wrap

    def pick(a, i):
        v, b = unwrap(a, level)
        return v[i] if b else a

    outs = [_door.call(op, [pick(a, i) for a in args], {k: pick(v, i) for k, v in kwargs.items()})
            for i in range(level.batch_size)]
    return wrap(stack(outs, 0), level)
