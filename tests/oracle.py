"""Run the same code on ember and on PyTorch from the same float64 inputs, and compare.

``check(fn, *arrays)`` builds ember and torch tensors from the NumPy ``arrays`` (float arrays
require grad), runs ``fn(lib, *tensors)`` with ``lib`` the module (``ember`` or ``torch``), and
compares value, shape and dtype of the output, the input gradients for a random cotangent, and
the gradients of those gradients. Without PyTorch installed it only runs ember and a numerical
``gradcheck``/``gradgradcheck``, so every test still checks something; each comparison with
PyTorch that could not run is counted in ``SKIPPED`` (tests/conftest.py prints the count at the
end of the run). ``EMBER_TESTS_WITHOUT_TORCH=1`` hides an installed PyTorch (tests/conftest.py).
"""

from __future__ import annotations

import collections
import contextlib
import io
import math
import os

import numpy as np
import pytest

import ember

import oracle_cuda

try:
    import torch

    torch.set_default_dtype(torch.float32)
except ImportError:  # pragma: no cover - depends on the environment
    torch = None

# why comparisons with PyTorch cannot run here (None when they can)
WITHOUT_TORCH = None if torch is not None else (
    "PyTorch hidden by EMBER_TESTS_WITHOUT_TORCH=1"
    if os.environ.get("EMBER_TESTS_WITHOUT_TORCH", "") not in ("", "0")
    else "PyTorch not installed")

# comparisons with PyTorch that did not run, by reason (PyTorch missing, or PyTorch itself cannot
# compute the reference); tests/conftest.py reports them at the end of the run
SKIPPED = collections.Counter()


def _skipped(reason=None):
    SKIPPED[reason or WITHOUT_TORCH] += 1

NUMERIC_LIMIT = 16  # input elements up to which gradcheck runs beside the PyTorch comparison

requires_torch = pytest.mark.skipif(torch is None, reason=f"needs PyTorch ({WITHOUT_TORCH})")


def to_numpy(t):
    if t is None:
        return None
    if torch is not None and isinstance(t, torch.Tensor):
        return t.detach().cpu().numpy(force=True)  # force: materialises ZeroTensors
    return t.detach().numpy()


def _make(lib, arrays, requires_grad, **kwargs):
    """The NumPy ``arrays`` as ``lib`` tensors (``kwargs`` to ``lib.tensor``); other args as
    they are."""
    out = []
    for a, rg in zip(arrays, requires_grad):
        if isinstance(a, np.ndarray):
            t = lib.tensor(a, **kwargs)
            if rg:
                t.requires_grad_(True)
            out.append(t)
        else:
            out.append(a)
    return out


def _outs(res):
    return tuple(res) if isinstance(res, (tuple, list)) else (res,)


def assert_close(a, b, rtol=1e-6, atol=1e-8, what=""):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, f"{what}: shape {a.shape} != {b.shape}"
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)


def tree_numpy(res):
    """Tensors nested in tuples, lists and dicts, as NumPy arrays in tuples and dicts."""
    if isinstance(res, (tuple, list)):
        return tuple(tree_numpy(r) for r in res)
    if isinstance(res, dict):
        return {k: tree_numpy(v) for k, v in res.items()}
    return to_numpy(res)


def assert_tree_close(a, b, rtol=1e-8, atol=1e-10, what=""):
    """Two ``tree_numpy`` results have the same structure and close arrays."""
    if isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b), what
        for x, y in zip(a, b):
            assert_tree_close(x, y, rtol, atol, what)
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), what
        for k in a:
            assert_tree_close(a[k], b[k], rtol, atol, what)
    else:
        assert_close(a, b, rtol=rtol, atol=atol, what=what)


def both(fn, *arrays, rtol=1e-8, atol=1e-10):
    """``fn(lib, *tensors)`` from the NumPy ``arrays`` on ember and on PyTorch (when installed)
    give close results (``tree_numpy``); returns ember's."""
    e = tree_numpy(fn(ember, *[ember.tensor(a) for a in arrays]))
    if torch is None:
        _skipped()
    else:
        t = tree_numpy(fn(torch, *[torch.tensor(a) for a in arrays]))
        assert_tree_close(e, t, rtol, atol)
    return e


def check(fn, *arrays, grad=True, gradgrad=True, rtol=1e-6, atol=1e-8, requires_grad=None,
          seed=0, numeric=True):
    """Compare ``fn`` on ember and PyTorch (value, dtype, gradient, gradient of gradient).

    Falls back to ember's numerical gradcheck when PyTorch is missing. ``numeric=False`` where
    the gradient PyTorch defines is not the derivative finite differences measure (scatter with
    duplicate indices gives every duplicate the gradient); such a gradient is only compared with
    PyTorch. Returns the ember outputs."""
    if requires_grad is None:
        requires_grad = [isinstance(a, np.ndarray) and a.dtype.kind == "f" for a in arrays]
    ins_e = _make(ember, arrays, requires_grad)
    outs_e = _outs(fn(ember, *ins_e))
    diff_e = [t for t, rg in zip(ins_e, requires_grad) if rg]
    rng = np.random.default_rng(seed)
    cots = [rng.standard_normal(o.shape) if o.dtype.is_floating_point else None for o in outs_e]
    numel = sum(int(np.asarray(a).size) for a, rg in zip(arrays, requires_grad) if rg)
    # finite differences are defined where the output is finite: entries that are nan or inf at
    # the point (logdet of a matrix with a negative determinant) are left out
    bad = [ember.tensor(~np.isfinite(to_numpy(o)))
           if isinstance(o, ember.Tensor) and (o.dtype.is_floating_point or o.dtype.is_complex)
           and not np.isfinite(to_numpy(o)).all() else None for o in outs_e]
    f = lambda *xs: _finite_part(fn(ember, *_replace(ins_e, requires_grad, xs)), bad)  # noqa: E731
    if grad and numeric and diff_e and (torch is None or numel <= NUMERIC_LIMIT):
        # finite differences always (on small inputs when PyTorch is there to compare with)
        assert ember.autograd.gradcheck(f, tuple(diff_e), atol=1e-5, rtol=1e-3)
        if gradgrad and (torch is None or numel <= NUMERIC_LIMIT // 2):
            assert ember.autograd.gradgradcheck(f, tuple(diff_e), atol=1e-5, rtol=1e-3)
    # ---- issue 11: in the simulated cuda lane the same checks run on "cuda" and must equal cpu
    if oracle_cuda.ACTIVE:
        oracle_cuda.check_on_cuda(fn, arrays, requires_grad, cots, grad, gradgrad, rtol, atol)
    if torch is None:
        _skipped()
        return outs_e
    ins_t = _make(torch, arrays, requires_grad)
    outs_t = _outs(fn(torch, *ins_t))
    assert len(outs_e) == len(outs_t)
    for i, (e, t) in enumerate(zip(outs_e, outs_t)):
        if isinstance(t, torch.Tensor):
            assert str(e.dtype) == str(t.dtype), f"output {i} dtype {e.dtype} != {t.dtype}"
            assert tuple(e.shape) == tuple(t.shape), f"output {i} shape {e.shape} != {t.shape}"
            assert_close(to_numpy(e), to_numpy(t), rtol, atol, f"output {i}")
        else:
            assert e == t
    if not grad:
        return outs_e
    diff_t = [t for t, rg in zip(ins_t, requires_grad) if rg]
    # each library differentiates the outputs it connected to the graph: an output ember left
    # disconnected must then have a zero gradient in PyTorch (the sign of slogdet), never be
    # dropped from the comparison
    pe = [i for i, o in enumerate(outs_e) if isinstance(o, ember.Tensor) and o.requires_grad
          and cots[i] is not None]
    pt = [i for i, o in enumerate(outs_t) if isinstance(o, torch.Tensor) and o.requires_grad
          and cots[i] is not None]
    if not (pe or pt) or not diff_e:
        return outs_e
    ge = [None] * len(diff_e)
    if pe:
        ge = ember.autograd.grad([outs_e[i] for i in pe], diff_e,
                                 [ember.tensor(cots[i]).to(outs_e[i].dtype) for i in pe],
                                 create_graph=gradgrad, allow_unused=True)
    gt = [None] * len(diff_t)
    if pt:
        gt = torch.autograd.grad([outs_t[i] for i in pt], diff_t,
                                 [torch.tensor(cots[i]).to(outs_t[i].dtype) for i in pt],
                                 create_graph=gradgrad, allow_unused=True)
    for k, (a, b) in enumerate(zip(ge, gt)):
        if b is None:
            assert a is None or np.allclose(to_numpy(a), 0), f"grad {k}: torch None"
            continue
        if a is None:
            assert np.allclose(to_numpy(b), 0), f"grad {k}: ember None, torch {b}"
            continue
        assert_close(to_numpy(a), to_numpy(b), rtol, atol, f"grad of input {k}")
    if gradgrad:
        # the gradient of sum(|grad|^2): a gradient ember left disconnected from the graph counts
        # as constant (its contribution must then be zero in PyTorch too), never as a reason to
        # skip the comparison
        te = [g for g in ge if g is not None and g.requires_grad]
        tt = [g for g in gt if g is not None and g.requires_grad]
        if tt or te:
            ggt = [None] * len(diff_t)
            if tt:
                st = sum((g * g).sum() for g in tt)
                try:
                    ggt = torch.autograd.grad(st, diff_t, allow_unused=True)
                except RuntimeError as e:  # "derivative for aten::hardsigmoid_backward is not
                    if "not implemented" not in str(e):  # implemented": finite differences
                        raise
                    _skipped("PyTorch has no double backward for the op")
                    assert ember.autograd.gradgradcheck(f, tuple(diff_e), atol=1e-5, rtol=1e-3)
                    return outs_e
            gge = [None] * len(diff_e)
            if te:
                se = sum((g * g).sum() for g in te)
                gge = ember.autograd.grad(se, diff_e, allow_unused=True)
            for k, (a, b) in enumerate(zip(gge, ggt)):
                if b is None:
                    assert a is None or np.allclose(to_numpy(a), 0), (
                        f"gradgrad {k}: torch None (a constant gradient), ember {to_numpy(a)}")
                    continue
                if a is None:
                    assert np.allclose(to_numpy(b), 0), f"gradgrad {k}: ember None"
                    continue
                assert_close(to_numpy(a), to_numpy(b), rtol * 10, atol * 10,
                             f"grad of grad of input {k}")
    return outs_e


def _finite_part(res, bad):
    """``res`` with the entries marked in ``bad`` (non-finite at the checked point) set to 0."""
    if not any(m is not None for m in bad):
        return res
    outs = [o if m is None else o.masked_fill(m, 0.0) for o, m in zip(_outs(res), bad)]
    return tuple(outs) if isinstance(res, (tuple, list)) else outs[0]


def _replace(ins, requires_grad, xs):
    it = iter(xs)
    return [next(it) if rg else a for a, rg in zip(ins, requires_grad)]


def check_error(fn_ember, fn_torch, exc_type, phrase):
    """Both libraries raise ``exc_type`` and ember's message contains ``phrase``."""
    with pytest.raises(exc_type) as info:
        fn_ember(ember)
    assert phrase in str(info.value), str(info.value)
    if torch is not None and fn_torch is not None:
        with pytest.raises(exc_type) as tinfo:
            fn_torch(torch)
        assert phrase in str(tinfo.value), f"torch says: {tinfo.value}"
    elif fn_torch is not None:
        _skipped()


# ---- whole programs on both libraries: ``fn(lib)`` on ember and torch, compared
def _py(v, lib):
    """A comparable Python value: tensors become (values, dtype name, shape, requires_grad)."""
    if isinstance(v, lib.Tensor):
        return ("T", v.detach().tolist(), str(v.dtype), tuple(v.shape), v.requires_grad)
    if isinstance(v, (list, tuple)):
        return [_py(x, lib) for x in v]
    if isinstance(v, dict):
        return {k: _py(x, lib) for k, x in v.items()}
    if isinstance(v, np.generic):
        return v.item()
    return v


def _close(a, b, path="result"):
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(b):
            assert math.isnan(a), f"{path}: {a} != nan"
        else:
            assert math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-6), f"{path}: {a} != {b}"
        return
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        assert len(a) == len(b), f"{path}: length {len(a)} != {len(b)} ({a!r} vs {b!r})"
        for i, (x, y) in enumerate(zip(a, b)):
            _close(x, y, f"{path}[{i}]")
        return
    if isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), f"{path}: keys {a.keys()} != {b.keys()}"
        for k in a:
            _close(a[k], b[k], f"{path}[{k!r}]")
        return
    assert type(a) is type(b) and a == b, f"{path}: {a!r} != {b!r}"


def T(values, dtype="float32", shape=None, rg=False):
    """What ``_py`` makes of a tensor: the expected form of a PyTorch result."""
    if shape is None:
        shape = tuple(np.shape(values))
    return ("T", values, f"torch.{dtype}", tuple(shape), rg)


def same(fn, expected):
    """``fn(ember)`` gives ``expected`` (PyTorch's answer), and so does ``fn(torch)``."""
    if torch is not None:
        _close(_py(fn(torch), torch), expected, "torch (the expectation is wrong)")
    else:
        _skipped()
    _close(_py(fn(ember), ember), expected, "ember")


def raises(fn, exc_type, phrase):
    """``fn`` raises ``exc_type`` with ``phrase`` in the message, on PyTorch and on ember."""
    if torch is not None:
        with pytest.raises(exc_type) as info:
            fn(torch)
        assert phrase in str(info.value), f"torch says: {info.value}"
    else:
        _skipped()
    with pytest.raises(exc_type) as info:
        fn(ember)
    assert phrase in str(info.value), f"ember says: {info.value}"


def leaf(lib, values, dtype=None):
    return lib.tensor(values, requires_grad=True, dtype=dtype)


def gfn(t):
    return None if t.grad_fn is None else type(t.grad_fn).__name__


def same_values(fn, *arrays, rtol=1e-6, atol=1e-8, dtype_check=True):
    """``fn(lib, *tensors)`` agrees on ember and torch (no gradients; any output structure)."""
    e = fn(ember, *[ember.tensor(a) if isinstance(a, np.ndarray) else a for a in arrays])
    if torch is None:
        _skipped()
        return e
    t = fn(torch, *[torch.tensor(a) if isinstance(a, np.ndarray) else a for a in arrays])
    _compare(e, t, rtol, atol, dtype_check)
    return e


def same_grads(fn, *arrays, rtol=1e-6, atol=1e-8):
    """Value and first gradients of ``fn`` agree with PyTorch at points (such as the edges of
    a domain) where finite differences are not meaningful. Without PyTorch only ember runs (its
    gradients must exist and have the inputs' shapes) and the comparison counts as skipped."""
    ins_e = [ember.tensor(a, requires_grad=True) for a in arrays]
    oe = fn(ember, *ins_e)
    ge = ember.autograd.grad(oe.sum(), ins_e)
    assert [tuple(g.shape) for g in ge] == [np.shape(a) for a in arrays]
    if torch is None:
        _skipped()
        return
    ins_t = [torch.tensor(a, requires_grad=True) for a in arrays]
    ot = fn(torch, *ins_t)
    _compare(oe, ot, rtol, atol, True)
    gt = torch.autograd.grad(ot.sum(), ins_t)
    for a, b in zip(ge, gt):
        _compare(a, b, rtol, atol, True)


def _compare(e, t, rtol, atol, dtype_check):
    if isinstance(t, (tuple, list)):
        assert len(e) == len(t)
        for a, b in zip(e, t):
            _compare(a, b, rtol, atol, dtype_check)
        return
    if isinstance(t, torch.Tensor):
        if dtype_check:
            assert str(e.dtype) == str(t.dtype), (e.dtype, t.dtype)
        assert tuple(e.shape) == tuple(t.shape), (e.shape, t.shape)
        np.testing.assert_allclose(to_numpy(e), to_numpy(t), rtol=rtol, atol=atol,
                                   equal_nan=True)
    else:
        assert e == t, (e, t)


def grads_match(fn, *arrays, expected=None):
    """Values and first gradients (for a ones cotangent) against PyTorch, without finite
    differences: for points where the function has a kink (ties, clamp bounds), where PyTorch's
    chosen subgradient is the reference. ``expected`` (list of gradient lists) is checked always.
    """
    check(fn, *arrays, grad=False)
    xs = [ember.tensor(a, requires_grad=True) for a in arrays]
    out = fn(ember, *xs)
    out = out[0] if isinstance(out, tuple) else out
    gs = ember.autograd.grad(out.sum(), xs, allow_unused=True)
    got = [np.zeros(a.shape) if g is None else to_numpy(g) for g, a in zip(gs, arrays)]
    if expected is not None:
        for g, e in zip(got, expected):
            np.testing.assert_allclose(g, np.asarray(e, dtype=float))
    if torch is not None:
        ts = [torch.tensor(a, requires_grad=True) for a in arrays]
        out = fn(torch, *ts)
        out = out[0] if isinstance(out, tuple) else out
        tg = torch.autograd.grad(out.sum(), ts, allow_unused=True)
        for g, t, a in zip(got, tg, arrays):
            np.testing.assert_allclose(g, np.zeros(a.shape) if t is None else to_numpy(t))
    else:
        _skipped()
    return got


# ---- programs: subprocesses that import this checkout's ember, and the programs in examples/
SRC = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))


def ember_env(**extra):
    """The environment for a subprocess that imports this checkout's ember: ``os.environ`` with
    ``extra`` set and src/ first on PYTHONPATH, before what it held (so the lane without PyTorch
    hides PyTorch from the subprocess too)."""
    env = dict(os.environ, **extra)
    env["PYTHONPATH"] = os.pathsep.join([SRC] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH")
                                                  else []))
    return env


EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples")


def run_example(name, lib=None):
    """Run ``examples/<name>.py`` as its own program (``import ember as torch``), or with ``lib``
    (ember or torch) imported in ember's place; the global RNG is left as it was. Returns the
    program's globals and what it printed. Each call defines the program's classes anew."""
    path = os.path.join(EXAMPLES, name + ".py")
    with open(path, encoding="utf-8") as f:
        src = f.read()
    if lib is not None:
        src = src.replace("import ember", "import " + lib.__name__)
    lib = lib or ember
    ns, out = {"__name__": "__main__", "__file__": path}, io.StringIO()
    with lib.random.fork_rng(), contextlib.redirect_stdout(out):
        exec(compile(src, path, "exec"), ns)  # noqa: S102 - the example program itself
    return ns, out.getvalue()


def custom_function(name, forward, backward, lib=None, saves=None, setup_context=False,
                    **attrs):
    """A ``lib.autograd.Function`` (ember's by default) named ``name``: its forward returns
    ``forward(*inputs)``, saving the inputs (``saves="inputs"``), the output (``saves="output"``)
    or nothing; its backward returns ``backward(*saved, *grads)``. Old style (``forward(ctx,
    ...)``), or with ``setup_context=True`` the new one (``forward(...)`` and a
    ``setup_context`` that saves). ``attrs``: further class attributes, functions among them
    made staticmethods (``jvp``, ``vmap``, ``generate_vmap_rule=True``)."""
    lib = lib or ember

    def save(ctx, inputs, out):
        if saves is not None:
            ctx.save_for_backward(*(inputs if saves == "inputs" else (out,)))

    def fwd(ctx, *inputs):
        out = forward(*inputs)
        save(ctx, inputs, out)
        return out

    body = {"backward": lambda ctx, *grads: backward(*ctx.saved_tensors, *grads), **attrs}
    if setup_context:
        body.update(forward=forward, setup_context=save)
    else:
        body["forward"] = fwd
    return type(name, (lib.autograd.Function,), {
        k: staticmethod(v) if callable(v) else v for k, v in body.items()})
