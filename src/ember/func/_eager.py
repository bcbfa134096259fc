"""The function transforms: grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian.

Each transform calls ``f`` on copies of the differentiated inputs that require grad and
differentiates with ``autograd.grad``. Inside ``vmap`` a differentiated input is first made
batched at every active level (an unbatched one is broadcast, a view), so the batched graph
gives one gradient per example: the examples do not interact, so the backward of the batch is
the batch of per-example backwards. Forward products use the double-backward trick.
"""

from __future__ import annotations

import functools

from .. import autograd as _ag
from ..autograd import function as _fn
from ..autograd.grad_mode import enable_grad
from . import _dispatch
from ._batched import wrap
from ._dispatch import BatchedTensor
from ._pytree import tree_flatten, tree_unflatten

Tensor = _fn.Tensor


# ------------------------------------------------------------------ batching of inputs/outputs
def _active_levels():
    return [lv for lv in _dispatch.state.vmap if lv.active]


def _lift(t, levels):
    """``t`` batched at each of ``levels`` (outer first), broadcasting where it is not."""
    if not levels:
        return t
    top = levels[-1]
    if t.__class__ is BatchedTensor and t._bt_level is top:
        return wrap(_lift(t._bt_value, levels[:-1]), top)
    inner = _lift(t, levels[:-1])
    return wrap(inner.unsqueeze(0).expand(top.batch_size, *inner.shape), top)


def _peel(t):
    """(the plain batched array tensor, its levels outer first)."""
    chain = []
    while t.__class__ is BatchedTensor and t._bt_level.active:
        chain.append(t._bt_level)
        t = t._bt_value
    return t, chain[::-1]


def _rewrap(p, chain):
    for lv in chain:
        p = wrap(p, lv)
    return p


class _Transform:
    """Counts active transforms (custom Functions then need ``setup_context``)."""

    def __enter__(self):
        _dispatch.state.transforms += 1
        _dispatch.refresh()
        return self

    def __exit__(self, *exc):
        _dispatch.state.transforms -= 1
        _dispatch.refresh()


def _differentiable(t, levels):
    """A fresh input to differentiate w.r.t.: (the tensor f sees, the plain leaf, was_connected)."""
    p, chain = _peel(_lift(t, levels))
    if p._requires_grad:
        q = p.view_as(p)  # stays on the outer graph, so the result can be differentiated again
        connected = True
    else:
        q = p.detach().requires_grad_(True)
        connected = False
    return _rewrap(q, chain), q, chain, connected


def _detach_tree(tree, keep):
    """The ``aux`` output of a transform: tensors only (as PyTorch checks), detached unless
    ``keep``."""
    leaves, spec = tree_flatten(tree)
    for x in leaves:
        if not isinstance(x, Tensor):
            raise RuntimeError(f"Expected tensors, got unsupported type {type(x)}")
    if keep:
        return tree
    return tree_unflatten([x.detach() if isinstance(x, Tensor) else x for x in leaves], spec)


# ------------------------------------------------------------------------------------ argnums
def _validate_argnum(argnum, num_args):
    if not isinstance(argnum, int):
        raise RuntimeError(f"argnum must be int, got: {type(argnum)}")
    if 0 <= argnum < num_args:
        return argnum
    if -num_args <= argnum < 0:
        return argnum + num_args
    raise RuntimeError(f"Got argnum={argnum}, but only {num_args} positional inputs")


def _norm_argnums(argnums, num_args):
    if isinstance(argnums, int):
        return _validate_argnum(argnums, num_args)
    if isinstance(argnums, tuple):
        if len(argnums) == 0:
            raise RuntimeError("argnums must be non-empty")
        if len(set(argnums)) != len(argnums):
            raise RuntimeError(f"argnums elements must be unique, got {argnums}")
        return tuple(_validate_argnum(a, num_args) for a in argnums)
    raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")


def _prepare(args, argnums, levels):
    """Replace the differentiated args by fresh leaves; returns (args, leaves, spec, chains)."""
    argnums = _norm_argnums(argnums, len(args))
    picked = args[argnums] if isinstance(argnums, int) else tuple(args[i] for i in argnums)
    flat, spec = tree_flatten(picked)
    new_flat, leaves, chains, connected = [], [], [], False
    for x in flat:
        if not isinstance(x, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
        seen, q, chain, c = _differentiable(x, levels)
        new_flat.append(seen)
        leaves.append(q)
        chains.append(chain)
        connected = connected or c
    new_picked = tree_unflatten(new_flat, spec)
    args = list(args)
    if isinstance(argnums, int):
        args[argnums] = new_picked
    else:
        for i, a in zip(argnums, new_picked):
            args[i] = a
    return tuple(args), leaves, spec, chains, connected


def _grads(outputs, leaves, grad_outputs, create_graph):
    """``autograd.grad`` on plain tensors, zeros for inputs the outputs do not depend on."""
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o._requires_grad]
    if not pairs:
        res = [None] * len(leaves)
    else:
        res = _ag.grad([o for o, _ in pairs], leaves, [g for _, g in pairs],
                       create_graph=create_graph, retain_graph=True, allow_unused=True)
    return [r if r is not None else _zeros_like(q) for r, q in zip(res, leaves)]


def _zeros_like(t, requires_grad=False):
    from ..backend import xp_of

    z = Tensor._make(xp_of(t._data).zeros_like(t._data))
    if requires_grad:
        z._requires_grad = True
    return z


def _ones_like(t):
    from ..backend import xp_of

    return Tensor._make(xp_of(t._data).ones_like(t._data))


# --------------------------------------------------------------------------------- grad, vjp
def _split_aux(output, has_aux, api):
    """``func``'s result as ``(output, aux)`` when ``has_aux`` (PyTorch's error, naming ``api``,
    when it is not a pair), else ``(output, None)``."""
    if not has_aux:
        return output, None
    if not (isinstance(output, tuple) and len(output) == 2):
        raise RuntimeError(
            f"{api}: output of function f should be a tuple: (output, aux) if has_aux is True"
        )
    return output


def grad_and_value(func, argnums=0, has_aux=False):
    """``(grad, value)`` of a scalar-valued ``func`` w.r.t. the args at ``argnums``.

    ``has_aux``: ``func`` returns ``(output, aux)`` and the result is ``(grad, (output, aux))``.
    Example::

        g, v = grad_and_value(lambda x: (x ** 2).sum())(ember.tensor([1., 2.]))
        # g == tensor([2., 4.]), v == tensor(5.)
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        levels = _active_levels()
        with _Transform(), enable_grad():
            args, leaves, spec, chains, connected = _prepare(args, argnums, levels)
            create_graph = connected or _dispatch.state.transforms > 1
            output = func(*args, **kwargs)
            output, aux = _split_aux(output, has_aux, "grad_and_value(f)(*args)")
            if not isinstance(output, Tensor):
                raise RuntimeError(
                    "grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got "
                    f"{type(output)}"
                )
            if output.dim() != 0:
                raise RuntimeError(
                    "grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got "
                    f"tensor with {output.dim()} dims. Maybe you wanted to use the vjp or jacrev "
                    "APIs instead?"
                )
            out_p, out_chain = _peel(output)
            gs = _grads([out_p], leaves, [_ones_like(out_p)], create_graph)
        gs = [_rewrap(g if create_graph else g.detach(), c) for g, c in zip(gs, chains)]
        grads = tree_unflatten(gs, spec)
        value = _rewrap(out_p if create_graph else out_p.detach(), out_chain)
        if has_aux:
            return grads, (value, _detach_tree(aux, create_graph))
        return grads, value

    return wrapper


def grad(func, argnums=0, has_aux=False):
    """The gradient of a scalar-valued ``func`` w.r.t. the args at ``argnums``, as a function.

    Composes with itself (``grad(grad(f))``) and with ``vmap`` (``vmap(grad(f))`` gives
    per-example gradients in one batched backward).

    Example::

        grad(lambda x: x.sin().sum())(ember.zeros(3))   # tensor([1., 1., 1.])
    """
    gv = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        res = gv(*args, **kwargs)
        if has_aux:
            g, (_, aux) = res
            return g, aux
        return res[0]

    return wrapper


def vjp(func, *primals, has_aux=False):
    """``(func(*primals), vjp_fn)``: ``vjp_fn(cotangents)`` gives one gradient per primal.

    Example::

        out, vjp_fn = vjp(ember.sin, ember.zeros(2))
        vjp_fn(ember.ones(2))    # (tensor([1., 1.]),)
    """
    levels = _active_levels()
    with _Transform(), enable_grad():
        new_args, leaves, spec, chains, connected = _prepare(
            primals, tuple(range(len(primals))), levels)
        create_graph = connected or _dispatch.state.transforms > 1
        output = func(*new_args)
        output, aux = _split_aux(output, has_aux, "vjp(f, *primals)")
    flat_out, out_spec = tree_flatten(output)
    for o in flat_out:
        if not isinstance(o, Tensor):
            raise RuntimeError(
                "vjp(f, *primals): Expected f to be a function that has non-empty output (got "
                f"output = {output})" if o is None else
                f"vjp(f, *primals): expected f(*primals) to return only tensors, got "
                f"unsupported type {type(o)}"
            )
    peeled = [_peel(o) for o in flat_out]

    def vjp_fn(cotangents, *, retain_graph=True, create_graph=None):
        flat_ct, ct_spec = tree_flatten(cotangents)
        if ct_spec != out_spec:
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same as pytree structure of "
                f"outputs to the function. cotangents: {ct_spec}, primal output: {out_spec}"
            )
        # cotangents batched by a vmap the outputs are not part of (``vmap(vjp_fn)``): one
        # backward per cotangent of that level, stacked
        out_levels = {lv for _, c in peeled for lv in c}
        extra = [lv for ct in flat_ct for lv in _peel(ct)[1] if lv not in out_levels]
        if extra:
            from ..ops.shape.join import stack
            from ._batched import unwrap

            lv = max(extra, key=lambda lv: lv.id)
            per = []
            for i in range(lv.batch_size):
                cts_i = [unwrap(c, lv)[0][i] if unwrap(c, lv)[1] else c for c in flat_ct]
                per.append(tree_flatten(vjp_fn(tree_unflatten(cts_i, ct_spec),
                                               create_graph=create_graph))[0])
            res = [wrap(stack([p[k] for p in per], 0), lv) for k in range(len(per[0]))]
            return tree_unflatten(res, spec)
        cg = create_graph if create_graph is not None else (
            create_graph_default or any(c._requires_grad for c in flat_ct))
        with _Transform(), enable_grad():
            cts = []
            for (p, chain), ct, o in zip(peeled, flat_ct, flat_out):
                if tuple(ct.shape) != tuple(o.shape):
                    raise RuntimeError(
                        f"Mismatch in shape: grad_output[0] has a shape of {ct.shape} and "
                        f"output[0] has a shape of {o.shape}."
                    )
                cp, _ = _peel(_lift(ct, chain))
                cts.append(cp)
            gs = _grads([p for p, _ in peeled], leaves, cts, cg)
        gs = [_rewrap(g if cg else g.detach(), c) for g, c in zip(gs, chains)]
        return tree_unflatten(gs, spec)

    create_graph_default = create_graph
    out = tree_unflatten([_rewrap(p if create_graph else p.detach(), c) for p, c in peeled],
                         out_spec)
    if has_aux:
        return out, vjp_fn, _detach_tree(aux, create_graph)
    return out, vjp_fn


# ---------------------------------------------------------------------------------- jvp, jac
_JVP = "jvp(f, primals, tangents)"


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """``(func(*primals), J @ tangents)``: the Jacobian-vector product (forward mode).

    Example::

        jvp(ember.sin, (ember.zeros(2),), (ember.ones(2),))   # (tensor([0., 0.]), tensor([1., 1.]))
    """
    if not isinstance(primals, tuple):
        raise RuntimeError(
            f"{_JVP}: Expected primals to be a tuple. E.g. it should be valid to call f(*primals)."
        )
    flat_p, p_spec = tree_flatten(primals)
    flat_t, t_spec = tree_flatten(tangents)
    if p_spec != t_spec:
        raise RuntimeError(
            f"{_JVP}: Expected primals and tangents to have the same python structure. For "
            "example, if primals is a tuple of 3 tensors, tangents also must be. Got primals "
            f"with structure {p_spec} and tangents with structure {t_spec}"
        )
    for name, flat in (("primals", flat_p), ("tangents", flat_t)):
        if not flat:
            raise RuntimeError(f"{_JVP}: Expected {name} to contain at least one Tensor.")
        for x in flat:
            if not isinstance(x, Tensor):
                raise RuntimeError(
                    f"{_JVP}: Expected {name} to only contain Tensors, got {type(x)}"
                )
    for p, t in zip(flat_p, flat_t):
        if tuple(p.shape) != tuple(t.shape):
            raise RuntimeError(
                "Trying to set a forward gradient that has a different size than that of the "
                f"original Tensor, this is not supported. Tensor is of size {list(p.shape)} while "
                f"the given forward gradient is of size {list(t.shape)}."
            )
    levels = _active_levels()
    with _Transform(), enable_grad():
        new_args, leaves, spec, chains, connected = _prepare(
            primals, tuple(range(len(primals))), levels)
        create_graph = connected or _dispatch.state.transforms > 1 or any(
            t._requires_grad for t in flat_t)
        output = func(*new_args)
        output, aux = _split_aux(output, has_aux, _JVP)
        flat_out, out_spec = tree_flatten(output)
        if not flat_out or (len(flat_out) == 1 and flat_out[0] is None):
            raise RuntimeError(
                f"{_JVP}: Expected f to be a function that has non-empty output (got output = "
                f"{output})"
            )
        for o in flat_out:
            if not isinstance(o, Tensor):
                raise RuntimeError(
                    f"{_JVP}: expected f(*primals) to return only tensors, got unsupported type "
                    f"{type(o)}"
                )
        peeled = [_peel(o) for o in flat_out]
        outs = [p for p, _ in peeled]
        # g(u) = J^T u is linear in u, so J t = d<g(u), t>/du
        us = [_zeros_like(p, requires_grad=True) for p in outs]
        diff = [(o, u) for o, u in zip(outs, us) if o._requires_grad]
        tans = [_peel(_lift(t, c))[0] for t, c in zip(flat_t, chains)]
        if diff:
            g = _ag.grad([o for o, _ in diff], leaves, [u for _, u in diff], create_graph=True,
                         allow_unused=True)
            pairs = [(gi, ti) for gi, ti in zip(g, tans) if gi is not None and gi._requires_grad]
        else:
            pairs = []
        if pairs:
            jv = _ag.grad([gi for gi, _ in pairs], us, [ti for _, ti in pairs],
                          create_graph=create_graph, allow_unused=True)
        else:
            jv = [None] * len(us)
        res = []
        for j, (p, chain) in zip(jv, peeled):
            if j is None:
                if strict:
                    raise RuntimeError(
                        "jvp(f, primals, tangents, strict=True): The output of f is independent "
                        "of the inputs. This is not allowed with strict=True."
                    )
                j = _zeros_like(p)
            res.append(_rewrap(j if create_graph else j.detach(), chain))
    primals_out = tree_unflatten(
        [_rewrap(p if create_graph else p.detach(), c) for p, c in peeled], out_spec)
    tangents_out = tree_unflatten(res, out_spec)
    if has_aux:
        return primals_out, tangents_out, _detach_tree(aux, create_graph)
    return primals_out, tangents_out


def linearize(func, *primals):
    """``(func(*primals), jvp_fn)``: ``jvp_fn(*tangents)`` gives the Jacobian-vector product
    of ``func`` at ``primals`` (as ``jvp``, which it calls).

    Example::

        out, jvp_fn = linearize(ember.sin, ember.zeros(3))
        jvp_fn(ember.ones(3))    # tensor([1., 1., 1.])
    """
    output = func(*primals)
    output = tree_unflatten([o.detach() if isinstance(o, Tensor) else o
                             for o in tree_flatten(output)[0]], tree_flatten(output)[1])
    flat_p, p_spec = tree_flatten(primals)

    def jvp_fn(*tangents):
        flat_t, t_spec = tree_flatten(tangents)
        if t_spec != p_spec:
            raise RuntimeError(
                f"Expected the tangents {t_spec} to have the same argspec as the primals {p_spec}"
            )
        for idx, (p, t) in enumerate(zip(flat_p, flat_t)):
            for what in ("shape", "device", "dtype"):
                if getattr(t, what) != getattr(p, what):
                    raise RuntimeError(
                        f"tangent:{idx} with {what} {getattr(t, what)} in flattened pytree "
                        f"doesn't match the {what} {getattr(p, what)} of the corresponding primal."
                    )
        return jvp(func, tuple(primals), tuple(tangents))[1]

    return output, jvp_fn


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """The Jacobian of ``func`` w.r.t. the args at ``argnums``, one backward per output element.

    The result has shape ``output.shape + input.shape``, nested as the outputs and argnums are.

    Example::

        jacrev(ember.sin)(ember.zeros(2))   # tensor([[1., 0.], [0., 1.]])
    """
    if chunk_size is not None and chunk_size <= 0:
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from ..ops.shape.join import stack

        levels = _active_levels()
        with _Transform(), enable_grad():
            nargs, leaves, spec, chains, connected = _prepare(args, argnums, levels)
            create_graph = connected or _dispatch.state.transforms > 1
            output = func(*nargs, **kwargs)
            output, aux = _split_aux(output, has_aux, "jacrev(f, ...)(*args)")
            flat_out, out_spec = tree_flatten(output)
            for o in flat_out:
                if not isinstance(o, Tensor):
                    raise RuntimeError(
                        "vjp(f, *primals): expected f(*primals) to return only tensors, got "
                        f"unsupported type {type(o)}"
                    )
            seen_inputs = [_rewrap(q, c) for q, c in zip(leaves, chains)]
            jac_per_out = []
            for o in flat_out:
                flat_o = o.reshape(-1)
                n = flat_o.shape[0]
                rows = [[] for _ in leaves]
                for j in range(n):
                    p, _ = _peel(flat_o[j])
                    gs = _grads([p], leaves, [_ones_like(p)], create_graph)
                    for k, (g, c) in enumerate(zip(gs, chains)):
                        rows[k].append(_rewrap(g if create_graph else g.detach(), c))
                jacs = []
                for k, x in enumerate(seen_inputs):
                    shape = tuple(o.shape) + tuple(x.shape)
                    if rows[k]:
                        jacs.append(stack(rows[k], 0).reshape(shape))
                    else:
                        jacs.append(_rewrap(_zeros_like(_peel(x)[0]), chains[k]).reshape(
                            (0,) + tuple(x.shape)).reshape(shape))
                jac_per_out.append(tree_unflatten(jacs, spec))
        result = tree_unflatten(jac_per_out, out_spec)
        if has_aux:
            return result, _detach_tree(aux, create_graph)
        return result

    return wrapper


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """The Jacobian of ``func`` w.r.t. the args at ``argnums``, one forward product (``jvp``)
    per input element; equal to :func:`jacrev`.

    Example::

        jacfwd(ember.sin)(ember.zeros(2))   # tensor([[1., 0.], [0., 1.]])
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from ..ops.shape.join import stack

        an = _norm_argnums(argnums, len(args))
        picked = args[an] if isinstance(an, int) else tuple(args[i] for i in an)
        flat_in, spec = tree_flatten(picked)
        for x in flat_in:
            if not isinstance(x, Tensor):
                raise RuntimeError(
                    f"jacfwd(f, ...)(*args): Expected all differentiated inputs to be Tensors, "
                    f"got {type(x)}"
                )

        def f_flat(*xs):
            new_picked = tree_unflatten(list(xs), spec)
            a = list(args)
            if isinstance(an, int):
                a[an] = new_picked
            else:
                for i, v in zip(an, new_picked):
                    a[i] = v
            return func(*a, **kwargs)

        cols = None  # cols[o][k] = list of tangents for input k's elements
        out_flat = out_spec = aux = None
        for k, x in enumerate(flat_in):
            n = x.numel()
            for e in range(n):
                tans = []
                for m, y in enumerate(flat_in):
                    t = _zeros_like(_peel(y)[0])
                    t = _rewrap(t, _peel(y)[1])
                    tans.append(t)
                basis = _basis(x, e)
                tans[k] = basis
                res = jvp(f_flat, tuple(flat_in), tuple(tans), has_aux=has_aux)
                if has_aux:
                    primal_out, tan_out, aux = res
                else:
                    primal_out, tan_out = res
                t_flat, out_spec = tree_flatten(tan_out)
                out_flat = tree_flatten(primal_out)[0]
                if cols is None:
                    cols = [[[] for _ in flat_in] for _ in t_flat]
                for o, t in enumerate(t_flat):
                    cols[o][k].append(t)
        jac_per_out = []
        for o, prim in enumerate(out_flat):
            jacs = []
            for k, x in enumerate(flat_in):
                shape = tuple(prim.shape) + tuple(x.shape)
                if cols[o][k]:
                    c = stack(cols[o][k], -1)
                    jacs.append(c.reshape(shape))
                else:
                    jacs.append(_zeros_like(prim).reshape(-1)[:0].reshape(shape))
            jac_per_out.append(tree_unflatten(jacs, spec))
        result = tree_unflatten(jac_per_out, out_spec)
        if has_aux:
            return result, aux
        return result

    return wrapper


def _basis(x, e):
    """A one-hot tangent for element ``e`` of ``x`` (the same for every example)."""
    p, _ = _peel(x)
    logical = tuple(x.shape)
    from ..backend import xp_of

    xp = xp_of(p._data)
    n = 1
    for s in logical:
        n *= s
    flat = xp.zeros(n, p._data.dtype)
    flat[e] = 1
    t = Tensor._make(flat.reshape(logical))
    return t


def hessian(func, argnums=0):
    """The Hessian of a scalar ``func``: ``jacfwd(jacrev(func))``.

    Example::

        hessian(lambda x: (x ** 3).sum())(ember.tensor([1., 2.]))   # diag(6x)
    """
    return jacfwd(jacrev(func, argnums), argnums)
