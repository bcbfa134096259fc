"""``vmap``: run a per-example function on a whole batch with batched array operations."""

from __future__ import annotations

import functools

from ..autograd import function as _fn
from . import _dispatch
from ._batched import Level, unwrap, wrap
from ._pytree import broadcast_prefix, tree_flatten, tree_unflatten

Tensor = _fn.Tensor


def _get_name(func):
    if isinstance(func, functools.partial):
        return f"functools.partial({_get_name(func.func)}, ...)"
    return getattr(func, "__name__", repr(func))


def movedim(t, src, dst):
    """``t`` with dim ``src`` moved to position ``dst`` (a permute, so a view)."""
    n = t.dim()
    src = src + n if src < 0 else src
    dst = dst + n if dst < 0 else dst
    if src == dst:
        return t
    order = [i for i in range(n) if i != src]
    order.insert(dst, src)
    return t.permute(*order)


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """Vectorise ``func`` over a dim of its inputs: ``vmap(f)(x)[i] == f(x[i])``.

    The function runs once, on tensors that look like one example (their shape is the
    per-example shape) but whose ops compute the whole batch at once. ``in_dims`` gives the
    batch dim of each input (None: not batched; nested tuples follow the inputs), ``out_dims``
    where the batch dim goes in each output. ``randomness`` is 'error' (random ops inside
    raise), 'different' or 'same' (per-example draws or one shared draw). ``chunk_size`` is
    accepted; ember always runs the whole batch at once.

    Example::

        x = ember.randn(5, 3)
        vmap(lambda v: (v * v).sum())(x)     # the 5 squared norms
        vmap(ember.func.grad(lambda v: (v ** 3).sum()))(x)   # per-example gradients 3x**2
    """
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(
            f"Only allowed values for randomness are 'error', 'different', or 'same'. Got "
            f"{randomness}"
        )

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        return _vmap_call(func, in_dims, out_dims, randomness, args, kwargs)

    return wrapped


def _vmap_call(func, in_dims, out_dims, randomness, args, kwargs):
    name = _get_name(func)
    if not isinstance(in_dims, (int, tuple)) or isinstance(in_dims, bool):
        raise ValueError(
            f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to be int or a "
            f"(potentially nested) tuple matching the structure of inputs, got: {type(in_dims)}."
        )
    if not args:
        raise ValueError(
            f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add inputs, or you are "
            "trying to vmap over a function with no inputs. The latter is unsupported."
        )
    flat_args, spec = tree_flatten(args)
    flat_in = broadcast_prefix(in_dims, args)
    if flat_in is None:
        raise ValueError(
            f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible with the "
            f"structure of `inputs`. in_dims has structure {tree_flatten(in_dims)[1]} but inputs "
            f"has structure {spec}."
        )
    sizes = []
    for a, d in zip(flat_args, flat_in):
        if d is None:
            continue
        if not isinstance(d, int) or isinstance(d, bool):
            raise ValueError(
                f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an input but "
                "in_dim must be either an integer dimension or None."
            )
        if not isinstance(a, Tensor):
            raise ValueError(
                f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an input but "
                f"the input is of type {type(a)}. We cannot vmap over non-Tensor arguments, "
                "please use None as the respective in_dim"
            )
        n = a.dim()
        if not -n <= d < n:
            raise ValueError(
                f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for some input, "
                f"but that input is a Tensor of dimensionality {n} so expected in_dim to satisfy "
                f"-{n} <= in_dim < {n}."
            )
        sizes.append(a.shape[d])
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if any(s != sizes[0] for s in sizes):
        raise ValueError(
            "vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
            f"{sizes} for the mapped dimension"
        )
    batch = sizes[0]
    moved = [movedim(a, d, 0) if d is not None else a for a, d in zip(flat_args, flat_in)]
    level = Level(batch, randomness)
    st = _dispatch.state
    st.vmap.append(level)
    _dispatch.refresh()
    try:
        batched = [wrap(m, level) if d is not None else m for m, d in zip(moved, flat_in)]
        out = func(*tree_unflatten(batched, spec), **kwargs)
    finally:
        level.active = False
        st.vmap.remove(level)
        _dispatch.refresh()
    return _unbatch_outputs(out, out_dims, level, name)


def _unbatch_outputs(out, out_dims, level, name):
    flat_out, ospec = tree_flatten(out)
    if isinstance(out_dims, (int, type(None))) and not isinstance(out_dims, bool):
        flat_od = [out_dims] * len(flat_out)
    elif isinstance(out_dims, (tuple, list)):
        flat_od = broadcast_prefix(out_dims if isinstance(out, (tuple, list)) or
                                   not isinstance(out_dims, tuple) or len(out_dims) != 1
                                   else out_dims[0], out)
        if flat_od is None and isinstance(out_dims, tuple) and len(out_dims) == 1:
            flat_od = broadcast_prefix(out_dims[0], out)
        if flat_od is None:
            raise ValueError(
                f"vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims is not compatible "
                f"with the structure of `outputs`. out_dims has structure "
                f"{tree_flatten(out_dims)[1]} but outputs has structure {ospec}."
            )
    else:
        raise ValueError(
            f"vmap({name}, ..., out_dims={out_dims}): `out_dims` must be an int, None or a "
            "python collection of ints representing where in the outputs the vmapped dimension "
            "should appear."
        )
    res = []
    for o, d in zip(flat_out, flat_od):
        if d is None:
            if o.__class__ is _dispatch.BatchedTensor and o._bt_level is level:
                raise ValueError(
                    f"vmap({name}, ...): `{name}` can not return a BatchedTensor when out_dim is "
                    "None"
                )
            res.append(o)
            continue
        if not isinstance(o, Tensor):
            raise ValueError(
                f"vmap({name}, ...): `{name}` must only return Tensors, got type {type(o)}. Did "
                "you mean to set out_dims= to None for output?"
            )
        v, b = unwrap(o, level)
        if not b:
            v = o.unsqueeze(0).expand(level.batch_size, *o.shape)
        res.append(movedim(v, 0, d))
    return tree_unflatten(res, ospec)
