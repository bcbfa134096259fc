"""Debug mode: check custom Functions as they are first used, and record where things happen.

``ember.autograd.set_debug(True)`` (or the environment variable ``EMBER_DEBUG=1`` at import,
for the main thread) turns on, for the calling thread, until ``set_debug(False)``:

* a gradient check of each custom ``Function`` class on its first ``apply``: in float64, on
  clones of the actual inputs, for each input that needs a gradient, the derivative of
  ``<v, forward(x + eps*d)>`` along a random direction ``d`` by central differences is
  compared with ``<backward(v), d>``. It costs two forwards per input and one backward,
  whatever the input size. A mismatch raises RuntimeError naming the class, the input and the
  error.
* a warning when ``forward`` saves a floating-point tensor that is neither an input nor an
  output: backward may use it, but double backward treats it as a constant and is silently
  wrong. In debug mode differentiating through such a Function's backward
  (``create_graph=True`` then backward again) raises an error naming the Function and the fix.
* recording the file:line of in-place operations (named by the "modified by an inplace
  operation" error) and of each backward call (named by the "backward through the graph a
  second time" error).

Debug mode costs nothing when off: it is a mode on the thread's dispatch stack (see
``dispatch.py``), absent when off. When on, every op records
its caller and every backward runs instrumented, so expect it to be several times slower.

Example::

    ember.autograd.set_debug(True)
    y = MyFunction.apply(x)    # first use: gradient-checked; raises if backward is wrong
"""

from __future__ import annotations

import os
import warnings
import weakref

import numpy as np

from . import function as _fn
from .grad_mode import _state
# (by name: the package attribute ``trace`` is the function, not this module)
from .trace import _refresh, watch

__all__ = ["GradientCheckError", "is_debug_enabled", "set_debug"]

_checked = weakref.WeakSet()   # custom Function classes already checked
_trapped = weakref.WeakKeyDictionary()  # class -> its guarded subclass (saves intermediates)
_tries = weakref.WeakKeyDictionary()  # class -> checks left undecided (forward at a kink)
_options = {"gradcheck": True}


class GradientCheckError(RuntimeError):
    """A custom Function's backward disagrees with the numerical derivative of its forward."""


def set_debug(mode: bool = True, *, gradcheck: bool = True) -> None:
    """Turn debug mode on or off (see the module docstring).

    Args:
        mode: True to turn it on.
        gradcheck: also gradient-check each custom Function on first use (default True);
            switch off for Functions whose forward is random (dropout-like).

    Checked classes are forgotten when debug mode is turned on again.
    """
    if mode and not watch.debug:
        _checked.clear()
        _tries.clear()
    watch.debug = bool(mode)
    if not mode:
        watch.last_backward = (None, None)  # what debug mode recorded goes stale once off
    _options["gradcheck"] = bool(gradcheck)
    _refresh()


def is_debug_enabled() -> bool:
    return watch.debug


# ----------------------------------------------------------------------------- the checks
def _on_custom_apply(cls, ctx, args, out):
    """Called (debug mode) after each custom Function's apply linked a node."""
    if cls in _checked or watch.quiet:
        guarded = _trapped.get(cls)
        if guarded is not None:
            ctx._forward_cls = guarded
        return out
    _checked.add(cls)
    tries = _tries.get(cls, 0)
    bad = _saved_intermediates(ctx, args, out) if tries == 0 else []
    if _options["gradcheck"]:
        watch.quiet += 1
        try:
            decided = _directional_check(cls, args, ctx.needs_input_grad)
        finally:
            watch.quiet -= 1
        if not decided and tries < 4:  # at a kink: check again on one of the next applies
            _tries[cls] = tries + 1
            _checked.discard(cls)
    if bad:
        from .graph import tensor_desc

        what = ", ".join(f"saved_tensors[{i}] ({tensor_desc(s)})" for i, s in bad)
        warnings.warn(
            f"ember debug: {cls.__name__}.forward saves {what}, which is neither an input nor "
            "an output of forward. backward can use it, but double backward (create_graph="
            "True) sees it as a constant and is silently wrong. Save the inputs (or outputs) "
            "and recompute it in backward, or decorate backward with @once_differentiable.",
            UserWarning, stacklevel=4)
        _trapped[cls] = _guarded(cls, what)
    guarded = _trapped.get(cls)
    if guarded is not None:
        ctx._forward_cls = guarded
    return out


def _saved_intermediates(ctx, args, out):
    saved = ctx._saved
    if saved is None or saved is _fn.FREED:
        return []
    outs = out if isinstance(out, tuple) else (out,)
    bad = []
    for i, s in enumerate(saved):
        if not isinstance(s, _fn.Tensor) or not _fn.grads_flow(s._data.dtype):
            continue
        if any(s is a for a in args) or any(s is o for o in outs) or s._grad_fn is ctx \
                or _fn.saved_output_nr(ctx, i) is not None:  # an output, kept without its node
            continue
        bad.append((i, s))
    return bad


def _guarded(cls, what):
    """A subclass of ``cls`` whose backward, when differentiated (create_graph), raises."""
    orig = cls.backward
    msg = (f"ember debug: differentiating twice through {cls.__name__}: its forward saved "
           f"{what}, neither an input nor an output, so the second derivative would silently "
           "treat it as a constant. Fix: save the inputs (or outputs) with "
           "ctx.save_for_backward and recompute the intermediate inside backward with "
           "differentiable ops, or mark backward @once_differentiable if you never need "
           "higher derivatives.")

    def backward(ctx, *grads):
        res = orig(ctx, *grads)
        if not _state.enabled:
            return res
        # the error node hangs off the forward's inputs (what the dropped dependence is on)
        # and off the incoming gradients
        ins = [_edge_tensor(e) for e in ctx._next if e is not None]
        ins += [g for g in grads if isinstance(g, _fn.Tensor) and g._requires_grad]
        if not ins:
            return res
        wrap = _fn._DelayedError.make(msg, ins)
        single = not isinstance(res, tuple)
        outs = (res,) if single else res
        outs = tuple(wrap(o) if isinstance(o, _fn.Tensor) else o for o in outs)
        return outs[0] if single else outs

    return type(cls.__name__, (cls,), {"backward": staticmethod(backward),
                                       "__module__": cls.__module__})


def _edge_tensor(e):
    """A stand-in tensor whose gradient flows along edge ``e`` (to a node or a leaf)."""
    t = _fn.Tensor._make(np.broadcast_to(np.zeros((), e[3]), e[2]))
    t._requires_grad = True
    if isinstance(e[0], _fn.AccumulateGrad):
        t._acc = e[0]
    else:
        t._grad_fn = e[0]
        t._output_nr = e[1]
    return t


def _directional_check(cls, args, needs):
    """Compare ``<backward(v), d>`` with central differences of ``<v, forward>`` along ``d``."""
    from . import grad as _grad
    from .grad_mode import enable_grad, no_grad

    Tensor = _fn.Tensor
    rng = np.random.default_rng(0)
    base = [a._data.astype(np.float64) if isinstance(a, Tensor) and a._data.dtype.kind == "f"
            else None for a in args]
    todo = [i for i, a in enumerate(base) if a is not None and i < len(needs) and needs[i]]
    if not todo:
        return True

    def call(arrs, with_grad):
        vals, leaves = [], []
        for i, a in enumerate(args):
            if arrs[i] is None:
                vals.append(a)
                continue
            t = Tensor._make(arrs[i].copy())
            if with_grad and i in todo:
                t._requires_grad = True
                leaves.append(t)
                t = t.clone()  # not a leaf, so a mark_dirty forward may write into it
            vals.append(t)
        res = cls.apply(*vals)
        res = res if isinstance(res, tuple) else (res,)
        return res, leaves

    try:
        with enable_grad():
            outs, leaves = call(base, True)
    except Exception as e:  # noqa: BLE001 - e.g. a forward that only accepts float32
        warnings.warn(f"ember debug: could not gradient-check {cls.__name__}: its forward "
                      f"failed on float64 copies of the inputs ({type(e).__name__}: {e})",
                      UserWarning, stacklevel=5)
        return True
    diff = [(k, o) for k, o in enumerate(outs) if isinstance(o, Tensor) and o._requires_grad]
    if not diff:
        return True
    all64 = all(o._data.dtype == np.float64 for _, o in diff)
    eps, rtol, atol = (1e-6, 1e-4, 1e-6) if all64 else (1e-3, 3e-2, 1e-3)
    vs = [rng.standard_normal(o._data.shape) for _, o in diff]
    with enable_grad():
        grads = _grad([o for _, o in diff],
                      leaves, grad_outputs=[Tensor._make(v.astype(o._data.dtype))
                                            for v, (_, o) in zip(vs, diff)],
                      allow_unused=True)
    names = _input_names(cls, len(args))
    undecided = False
    for j, i in enumerate(todo):
        d = rng.standard_normal(base[i].shape)
        g = grads[j]
        lhs = float(np.sum(g._data.astype(np.float64) * d)) if g is not None else 0.0
        plus, minus = list(base), list(base)
        plus[i] = base[i] + eps * d
        minus[i] = base[i] - eps * d
        with no_grad():
            op, _ = call(plus, False)
            om, _ = call(minus, False)
        right = left = 0.0  # one-sided directional derivatives of <v, forward>
        for v, (k, o) in zip(vs, diff):
            f0 = o._data.astype(np.float64)
            right += float(np.sum(v * (op[k]._data.astype(np.float64) - f0)) / eps)
            left += float(np.sum(v * (f0 - om[k]._data.astype(np.float64))) / eps)
        rhs = (right + left) / 2  # the central difference
        scale = max(abs(lhs), abs(rhs))
        if abs(right - left) > 10 * (atol + rtol * scale) + 1e3 * eps * max(1.0, scale):
            # forward has a kink here (relu at exactly 0, abs, max ties): no derivative to
            # compare with at this point; the next apply checks at other values
            undecided = True
            continue
        err = abs(lhs - rhs)
        if not np.isfinite(lhs) or err > atol + rtol * scale:
            who = f"input {i}" + (f" ('{names[i]}')" if names and i < len(names) else "")
            raise GradientCheckError(
                f"ember debug: the backward of {cls.__name__} disagrees with its forward for "
                f"{who}: along a random direction d, <backward(v), d> = {lhs:.6g} but the "
                f"central difference of <v, forward> is {rhs:.6g} (abs error {err:.3g}, "
                f"float64, eps={eps:g}). Check the formula of that input's gradient in "
                f"{cls.__name__}.backward (or set_debug(True, gradcheck=False) if forward is "
                "random or not differentiable here).")
    return not undecided


def _input_names(cls, n):
    import inspect

    try:
        params = list(inspect.signature(cls.forward).parameters.values())
    except (TypeError, ValueError):
        return None
    if not cls._new_style:
        params = params[1:]
    return [p.name for p in params][:n]


if os.environ.get("EMBER_DEBUG", "") not in ("", "0"):
    set_debug(True)
