"""``ember.compile``: run a module or a training step once under a recorder, then replay the
NumPy calls it made as one straight-line function (see :mod:`.compiled` for the stages and
the guards, :mod:`.tracer` for the capture, :mod:`.program` for the replayed code).

Example::

    model = ember.nn.Linear(4, 2)
    opt = ember.optim.SGD(model.parameters(), lr=0.1)

    @ember.compile
    def step(x, y):
        opt.zero_grad()
        loss = ember.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        return loss

    for x, y in batches:
        step(x, y)          # calls 1-3 run eagerly (warm-up, capture, check); then replays
"""

from __future__ import annotations

from .compiled import CompiledFunction


def _optimized_module_class():
    from ..nn.modules.module import Module

    class OptimizedModule(Module):
        """What ``compile(module)`` returns, as PyTorch's: a Module holding the original as
        ``_orig_mod`` (so ``state_dict`` keys start with ``_orig_mod.``); calls replay the
        original's forward; other attributes are the original's."""

        def __init__(self, mod, compiled):
            super().__init__()
            self._orig_mod = mod
            self.__dict__["_compiled"] = compiled

        def forward(self, *args, **kwargs):
            return self.__dict__["_compiled"](*args, **kwargs)

        def __getattr__(self, name):
            try:
                return super().__getattr__(name)
            except AttributeError:
                return getattr(self._orig_mod, name)

    OptimizedModule.__module__ = __name__
    OptimizedModule.__qualname__ = "OptimizedModule"
    return OptimizedModule


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None,
            options=None, disable=False):
    """Compile a function or an ``nn.Module`` (PyTorch's ``torch.compile`` signature).

    Works as ``compile(fn)``, ``@compile`` and ``@compile(mode=...)``. ``backend``, ``mode``,
    ``options`` and ``dynamic`` are accepted and ignored (there is one backend: replay of the
    recorded NumPy calls; a new shape is a new guard key). ``disable=True`` returns ``model``
    unchanged. ``fullgraph=True`` raises instead of warning when a call cannot be replayed.
    """
    if model is None:
        return lambda m: compile(m, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                                 mode=mode, options=options, disable=disable)
    if not callable(model):
        raise RuntimeError("torch.compile: the model must be callable")  # noqa: TRY004 - PyTorch's type
    if disable:
        return model
    from ..nn.modules.module import Module

    compiled = CompiledFunction(model, fullgraph=fullgraph)
    if isinstance(model, Module):
        return __getattr__("OptimizedModule")(model, compiled)
    return compiled


def __getattr__(name):
    # made on first use: importing ember.compiler must not import ember.nn first
    if name == "OptimizedModule":
        cls = globals().get("_OptimizedModule")
        if cls is None:
            cls = globals()["_OptimizedModule"] = _optimized_module_class()
        return cls
    raise AttributeError(name)


__all__ = ["CompiledFunction", "OptimizedModule", "compile"]
