"""Top-level functions that do not go through ``Function.apply``, made vmap-aware while any
vmap runs (restored when the last one ends).

* Random ops: ``randomness='error'`` refuses them, ``'different'`` draws per example,
  ``'same'`` draws once for the whole batch (PyTorch's modes).
* Comparisons, logical and ``is*`` tests compute on arrays directly: on a batched argument they
  run on the whole batch (ranks lined up) instead of on the per-example view.
* ``argmax``/``argmin``/``all``/``any``/...: run per example and stacked.
"""

from __future__ import annotations

from ._primitives import top_level

_RANDOM = ("rand", "randn", "randint", "rand_like", "randn_like", "randint_like", "randperm",
           "normal", "bernoulli", "multinomial")
ELEMENTWISE = ("eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less",
               "less_equal", "not_equal", "logical_and", "logical_or", "logical_xor",
               "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "isnan",
               "isinf", "isfinite", "isposinf", "isneginf", "isreal", "isclose")
PER_EXAMPLE = ("argmax", "argmin", "all", "any", "count_nonzero", "argsort", "nonzero")
_saved = {}
_depth = [0]

_ERROR_MSG = ("vmap: called random operation while in randomness error mode. Please either use "
              "the 'same' or 'different' randomness flags on vmap or perform the randomness "
              "operation out of vmap")


def _random(orig):
    def random_op(*args, **kwargs):
        from ._dispatch import state

        levels = [lv for lv in state.vmap if lv.active]
        if not levels:
            return orig(*args, **kwargs)
        level = levels[-1]
        if level.randomness == "error":
            raise RuntimeError(_ERROR_MSG)
        if level.randomness == "same":
            return orig(*args, **kwargs)
        from ..ops.shape.join import stack
        from ._batched import wrap

        return wrap(stack([orig(*args, **kwargs) for _ in range(level.batch_size)], 0), level)

    random_op.__name__ = getattr(orig, "__name__", "random_op")
    random_op.__wrapped__ = orig
    return random_op


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


def elementwise_call(orig, args, kwargs, level):
    """``orig`` on the whole batch: batched tensor arguments unwrapped, ranks lined up."""
    from ._batched import wrap

    vals, kw = lined_up_args(args, kwargs, level)
    return wrap(orig(*vals, **kw), level)


def per_example_call(orig, args, kwargs, level):
    """``orig`` once per example, the results stacked."""
    from ..ops.shape.join import stack
    from ._batched import unwrap, wrap

    def pick(a, i):
        v, b = unwrap(a, level)
        return v[i] if b else a

    outs = [orig(*[pick(a, i) for a in args], **{k: pick(v, i) for k, v in kwargs.items()})
            for i in range(level.batch_size)]
    return wrap(stack(outs, 0), level)


def _batch_aware(orig, call):
    def fn(*args, **kwargs):
        level = top_level(args, kwargs)
        if level is None:
            return orig(*args, **kwargs)
        return call(orig, args, kwargs, level)

    fn.__name__ = getattr(orig, "__name__", "fn")
    fn.__wrapped__ = orig
    return fn


def enter():
    """Patch the top-level functions while any vmap is running."""
    if _depth[0] == 0:
        import ember

        for names, make in ((_RANDOM, _random),
                            (ELEMENTWISE, lambda f: _batch_aware(f, elementwise_call)),
                            (PER_EXAMPLE, lambda f: _batch_aware(f, per_example_call))):
            for n in names:
                f = ember.__dict__.get(n)
                if f is not None:
                    _saved[n] = f
                    setattr(ember, n, make(f))
    _depth[0] += 1


def exit():
    _depth[0] -= 1
    if _depth[0] == 0:
        import ember

        for n, f in _saved.items():
            setattr(ember, n, f)
        _saved.clear()
