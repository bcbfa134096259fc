"""``gradcheck`` and ``gradgradcheck``: compare autograd's Jacobians with finite differences.

Signatures follow PyTorch. The numerical Jacobian uses central differences on each input
element; the analytical one, one backward pass per output element.
"""

from __future__ import annotations

import warnings

from . import function as _fn


class GradcheckError(RuntimeError):
    """Raised by gradcheck when the analytical and numerical gradients differ."""


def _as_tuple(x):
    return tuple(x) if isinstance(x, (list, tuple)) else (x,)


def _outputs(func, inputs):
    out = func(*inputs)
    # integer/bool outputs (indices, masks) are not differentiable: skipped, as PyTorch does
    return tuple(o for o in _as_tuple(out) if isinstance(o, _fn.Tensor)
                 and o._data.dtype.kind in "fc")


def _numerical(func, inputs, i, eps):
    """d outputs / d inputs[i], one column per input element (central differences)."""
    x = inputs[i]
    flat = x._data.reshape(-1)
    cols = []
    for k in range(flat.size):
        orig = flat[k].item()
        flat[k] = orig + eps
        plus = [o._data.astype("complex128" if o._data.dtype.kind == "c" else "float64")
                .reshape(-1).copy() for o in _outputs(func, inputs)]
        flat[k] = orig - eps
        minus = [o._data.astype("complex128" if o._data.dtype.kind == "c" else "float64")
                 .reshape(-1).copy() for o in _outputs(func, inputs)]
        flat[k] = orig
        cols.append([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
    return cols


def _analytical(func, inputs, i, outputs, n_out_elems):
    from . import grad

    x = inputs[i]
    rows = []
    for j, out in enumerate(outputs):
        per = []
        if not out._requires_grad:
            rows.append(None)
            continue
        import numpy as np

        for k in range(out._data.size):
            seed = np.zeros(out._data.shape, out._data.dtype)
            seed.reshape(-1)[k] = 1
            (g,) = grad(out, x, _fn.Tensor._make(seed), retain_graph=True, allow_unused=True)
            per.append(np.zeros(x._data.size) if g is None else
                       g._data.reshape(-1).astype("float64").copy())
        rows.append(per)
    return rows


def gradcheck(func, inputs, *, eps=1e-06, atol=1e-05, rtol=0.001, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False, check_forward_ad=False,
              check_backward_ad=True, fast_mode=False, masked=None):
    """True when ``func``'s analytical gradients match finite differences on ``inputs``.

    Use float64 inputs with ``requires_grad=True``. On a mismatch raises ``GradcheckError``
    (or returns False with ``raise_exception=False``), naming the output and input.

    Example: ``gradcheck(lambda x: (x ** 3).sum(), (ember.randn(3, dtype=ember.float64,
    requires_grad=True),))``
    """
    import numpy as np

    inputs = _as_tuple(inputs)
    for idx, t in enumerate(inputs):
        if isinstance(t, _fn.Tensor) and t._requires_grad and t._data.dtype not in (
                np.float64, np.complex128):
            warnings.warn(
                f"Input #{idx} requires gradient and is not a double precision floating point or "
                "complex. This check will likely fail if all the inputs are not of double "
                "precision floating point or complex. "
            )
    if not any(isinstance(t, _fn.Tensor) and t._requires_grad for t in inputs):
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, but none of the "
            "them have requires_grad=True."
        )
    outputs = _outputs(func, inputs)
    for i, x in enumerate(inputs):
        if not (isinstance(x, _fn.Tensor) and x._requires_grad):
            continue
        num = _numerical(func, inputs, i, eps)
        ana = _analytical(func, inputs, i, outputs, None)
        for j, out in enumerate(outputs):
            n = np.array([col[j] for col in num]).T if num else np.zeros((out._data.size, 0))
            if ana[j] is None:
                a = np.zeros_like(n)
            else:
                a = np.array(ana[j]) if ana[j] else np.zeros((0, x._data.size))
            n = n.reshape(out._data.size, x._data.size)
            a = a.reshape(out._data.size, x._data.size)
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                msg = (f"Jacobian mismatch for output {j} with respect to input {i},\n"
                       f"numerical:{_fmt(n.T)}\nanalytical:{_fmt(a.T)}\n")
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def _fmt(m):
    from ..tensor import Tensor

    return repr(Tensor._make(m.copy()))


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-06, atol=1e-05, rtol=0.001,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    """gradcheck of the gradient itself: checks second derivatives of ``func``.

    ``grad_outputs`` (random when None) are the vectors the first backward is seeded with.
    """
    import numpy as np

    from . import grad

    inputs = _as_tuple(inputs)
    outputs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(
            _fn.Tensor._make(rng.standard_normal(o._data.shape).astype(o._data.dtype))
            .requires_grad_(True) for o in outputs
        )
    else:
        grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)
    diff_idx = [i for i, t in enumerate(inputs) if isinstance(t, _fn.Tensor) and t._requires_grad]

    def new_func(*args):
        ins, gos = args[:n_in], args[n_in:]
        outs = _outputs(func, ins)
        pairs = [(o, g) for o, g in zip(outs, gos) if o._requires_grad]
        gs = grad([o for o, _ in pairs], [ins[i] for i in diff_idx], [g for _, g in pairs],
                  create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(new_func, inputs + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
