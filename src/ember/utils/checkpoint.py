"""Activation checkpointing: trade compute for memory.

``checkpoint(fn, *args, use_reentrant=False)`` runs ``fn`` but keeps none of the tensors its ops
save for backward: each is replaced by its index (through saved-tensor hooks). The first time
backward needs one, ``fn`` is run again on the same inputs, under the same RNG state, and the
tensors that rerun saves are used instead. ``use_reentrant=True`` is PyTorch's older variant:
``fn`` runs without grad and backward reruns it and backpropagates through the rerun.

Example::

    from ember.utils.checkpoint import checkpoint
    y = checkpoint(block, x, use_reentrant=False)   # block's activations are not kept
    y.sum().backward()                               # block runs again here
"""

from __future__ import annotations

import warnings

from ..autograd.function import Function
from ..autograd.grad_mode import enable_grad, no_grad
from ..autograd.saved_hooks import saved_tensors_hooks
from ..tensor import Tensor

__all__ = ["checkpoint", "checkpoint_sequential", "noop_context_fn"]


def _rng_get():
    from ..ops.random import get_rng_state

    return get_rng_state()


def _rng_set(state):
    from ..ops.random import set_rng_state

    set_rng_state(state)


def _detach_like(args):
    out = []
    for a in args:
        if isinstance(a, Tensor):
            d = a.detach()
            d.requires_grad_(a.requires_grad)
            out.append(d)
        else:
            out.append(a)
    return out


class _Recompute:
    """The state shared by one checkpointed call's pack and unpack hooks."""

    def __init__(self, fn, args, kwargs, rng_state):
        self.fn, self.args, self.kwargs, self.rng_state = fn, args, kwargs, rng_state
        self.count = 0
        self.saved = None
        self.context = _Null()

    def pack(self, tensor):
        i = self.count
        self.count += 1
        return i

    def unpack(self, i):
        if self.saved is None:
            self._rerun()
        if i >= len(self.saved):
            raise RuntimeError(
                "torch.utils.checkpoint: Recomputed values for the following tensors have "
                "different metadata than during the forward pass. (the recomputation saved "
                f"{len(self.saved)} tensors, fewer than the {self.count} of the forward)"
            )
        return self.saved[i]

    def _rerun(self):
        saved = []

        def keep(t):
            saved.append(t)
            return len(saved) - 1

        cur = None
        if self.rng_state is not None:
            cur = _rng_get()
            _rng_set(self.rng_state)
        try:
            with enable_grad(), saved_tensors_hooks(keep, lambda i: saved[i]), self.context:
                self.fn(*_detach_like(self.args), **self.kwargs)
        finally:
            if cur is not None:
                _rng_set(cur)
        self.saved = saved


class CheckpointFunction(Function):
    """The reentrant variant: forward without grad, backward reruns and backpropagates."""

    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        ctx.run_function = run_function
        ctx.rng_state = _rng_get() if preserve_rng_state else None
        ctx.inputs = []
        ctx.tensor_indices = []
        tensors = []
        for i, a in enumerate(args):
            if isinstance(a, Tensor):
                tensors.append(a)
                ctx.tensor_indices.append(i)
                ctx.inputs.append(None)
            else:
                ctx.inputs.append(a)
        ctx.save_for_backward(*tensors)
        with no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx, *grad_outputs):
        inputs = list(ctx.inputs)
        for i, t in zip(ctx.tensor_indices, ctx.saved_tensors):
            inputs[i] = t
        detached = _detach_like(inputs)
        cur = None
        if ctx.rng_state is not None:
            cur = _rng_get()
            _rng_set(ctx.rng_state)
        try:
            with enable_grad():
                outputs = ctx.run_function(*detached)
        finally:
            if cur is not None:
                _rng_set(cur)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        outs, grads = [], []
        for o, g in zip(outputs, grad_outputs):
            if isinstance(o, Tensor) and o.requires_grad:
                outs.append(o)
                grads.append(g)
        if not outs:
            raise RuntimeError(
                "none of output has requires_grad=True, this checkpoint() is not necessary"
            )
        from .. import autograd

        autograd.backward(outs, grads)
        return (None, None) + tuple(d.grad if isinstance(d, Tensor) else None for d in detached)


def checkpoint(function, *args, use_reentrant=None, context_fn=None, determinism_check="default",
               debug=False, preserve_rng_state=True, **kwargs):
    """Run ``function(*args, **kwargs)`` without keeping its activations; backward reruns it.

    ``use_reentrant=False`` is the recommended variant (any backward or ``autograd.grad``
    works, keyword arguments allowed). Not passing ``use_reentrant`` warns and uses the
    reentrant variant, as PyTorch 2.13 does. ``preserve_rng_state`` reruns under the RNG state
    of the first run, so dropout draws the same mask.

    Example::

        h = checkpoint(lambda t: t.tanh().exp(), x, use_reentrant=False)
    """
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
            "Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise an "
            "exception. use_reentrant=False is recommended, but if you need to preserve the "
            "current default behavior, you can pass use_reentrant=True. Refer to docs for more "
            "details on the differences between the two variants.",
            stacklevel=2,
        )
        use_reentrant = True
    if use_reentrant:
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
        if context_fn is not None or debug is not False:
            raise ValueError(
                "Passing `context_fn` or `debug` is only supported when use_reentrant=False."
            )
        if not any(isinstance(a, Tensor) and a.requires_grad for a in args):
            warnings.warn(
                "None of the inputs have requires_grad=True. Gradients will be None",
                stacklevel=2,
            )
        return CheckpointFunction.apply(function, preserve_rng_state, *args)
    fwd_ctx, recompute_ctx = (context_fn or noop_context_fn)()
    rec = _Recompute(function, args, kwargs, _rng_get() if preserve_rng_state else None)
    rec.context = recompute_ctx
    with saved_tensors_hooks(rec.pack, rec.unpack), fwd_ctx:
        return function(*args, **kwargs)


class _Null:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return None


def noop_context_fn():
    """The default ``context_fn``: no extra context for the forward or the recomputation."""
    return _Null(), _Null()


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run a sequence of modules/functions in ``segments`` chunks, checkpointing all but the
    last chunk.

    Example::

        out = checkpoint_sequential(model, 2, x, use_reentrant=False)   # model: nn.Sequential
    """
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be "
            "passed explicitly. In version 2.9 we will raise an exception if use_reentrant is "
            "not passed. use_reentrant=False is recommended, but if you need to preserve the "
            "current default behavior, you can pass use_reentrant=True. Refer to docs for more "
            "details on the differences between the two variants.",
            stacklevel=2,
        )
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))

    def run_function(start, end, functions):
        def forward(x):
            for j in range(start, end + 1):
                x = functions[j](x)
            return x

        return forward

    if hasattr(functions, "children") and not isinstance(functions, (list, tuple)):
        functions = list(functions.children())
    segment_size = len(functions) // segments
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(run_function(start, end, functions), input,
                           use_reentrant=use_reentrant, preserve_rng_state=preserve)
    return run_function(end + 1, len(functions) - 1, functions)(input)
