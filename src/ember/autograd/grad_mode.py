"""Grad mode: whether ops record a graph. Thread-local, as in PyTorch.

``no_grad``, ``enable_grad``, ``set_grad_enabled`` and ``inference_mode`` work as context managers
and as decorators (with or without parentheses).

``_state.enabled`` is what ops read: record or not. Inside ``inference_mode`` it stays False even
under ``enable_grad`` (PyTorch: inference mode turns autograd off whatever the grad mode says);
the grad mode the user set there is kept in ``_state.grad_mode`` for ``is_grad_enabled()``.
Tensors made inside ``inference_mode`` are inference tensors: they carry an
``_InferenceVersion`` instead of a version counter, which refuses to be read (saved for
backward) or bumped outside inference mode, as PyTorch does.
"""

from __future__ import annotations

import functools
import inspect
import threading


class _State(threading.local):
    enabled = True
    inference = False  # inside inference_mode (this thread)
    grad_mode = False  # the grad mode set inside inference_mode (it records nothing)


_state = _State()
# inference_mode blocks open in all threads together: a hint for tensor._make, which looks at
# this thread's state only when it is non-zero (guarded by the lock)
inference_blocks = [0]
_blocks_lock = threading.Lock()


def is_grad_enabled() -> bool:
    """True when grad mode is on (ops on tensors that require grad record the graph, except
    inside ``inference_mode``)."""
    s = _state
    return s.grad_mode if s.inference else s.enabled


def _set_grad(mode):
    s = _state
    if s.inference:
        s.grad_mode = mode
    else:
        s.enabled = mode


_SAVE_MSG = (
    "Inference tensors cannot be saved for backward. Please do not use Tensors created in "
    "inference mode in computation tracked by autograd. To work around this, you can make a "
    "clone to get a normal tensor and use it in autograd, or use `torch.no_grad()` instead of "
    "`torch.inference_mode()`."
)
_INPLACE_MSG = (
    "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a "
    "clone to get a normal tensor before doing inplace update.See "
    "https://github.com/pytorch/rfcs/pull/17 for more details."
)


class _InferenceVersion(list):
    """The version "counter" of an inference tensor (and its views). Inside inference mode it
    behaves as a counter; outside, reading it (which saving for backward does) raises."""

    __slots__ = ()

    def __getitem__(self, i):
        if _state.inference:
            return list.__getitem__(self, i)
        raise RuntimeError(_SAVE_MSG)


def _new_version():
    """A new tensor's version counter while some thread is in inference mode."""
    return _InferenceVersion((0,)) if _state.inference else [0]


def check_inference_inplace(t):
    """PyTorch refuses in-place updates of an inference tensor outside inference mode."""
    if t._vc.__class__ is _InferenceVersion and not _state.inference:
        raise RuntimeError(_INPLACE_MSG)


class _DecoratorContextManager:
    """A context manager that also decorates functions (and generator functions)."""

    def __call__(self, func):
        if inspect.isclass(func):
            raise RuntimeError("Torch decorators cannot be used on classes")
        if inspect.isgeneratorfunction(func):
            @functools.wraps(func)
            def gen_wrapper(*args, **kwargs):
                gen = func(*args, **kwargs)
                # the mode holds only while the generator runs, not between its yields; its
                # StopIteration ends the wrapper (PEP 479 would turn it into a RuntimeError)
                try:
                    with self.clone():
                        response = gen.send(None)
                    while True:
                        try:
                            request = yield response
                        except GeneratorExit:
                            with self.clone():
                                gen.close()
                            raise
                        except BaseException as exc:
                            with self.clone():
                                response = gen.throw(exc)
                        else:
                            with self.clone():
                                response = gen.send(request)
                except StopIteration as e:
                    return e.value
            return gen_wrapper

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)

        return wrapper

    def clone(self):
        return self.__class__()


class _BareDecoratable(_DecoratorContextManager):
    """``@no_grad`` without parentheses decorates too (PyTorch's ``__new__(orig_func)``)."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_BareDecoratable):
    """Disable graph recording inside the block (or the decorated function).

    Example::

        with ember.no_grad():
            y = x * 2          # y.requires_grad is False
    """

    def __init__(self, orig_func=None):
        self.prev = False

    def __enter__(self):
        self.prev = is_grad_enabled()
        _set_grad(False)

    def __exit__(self, *exc):
        _set_grad(self.prev)


class enable_grad(_BareDecoratable):
    """Enable graph recording inside the block, even within ``no_grad``."""

    def __init__(self, orig_func=None):
        self.prev = True

    def __enter__(self):
        self.prev = is_grad_enabled()
        _set_grad(True)

    def __exit__(self, *exc):
        _set_grad(self.prev)


class set_grad_enabled(_DecoratorContextManager):
    """Set grad mode on or off: immediately when called, restored when used with ``with``."""

    def __init__(self, mode: bool):
        self.prev = is_grad_enabled()
        self.mode = bool(mode)
        _set_grad(self.mode)

    def __call__(self, func):
        _set_grad(self.prev)
        return super().__call__(func)

    def __enter__(self):
        _set_grad(self.mode)

    def __exit__(self, *exc):
        _set_grad(self.prev)

    def clone(self):
        return self.__class__(self.mode)


class inference_mode(_DecoratorContextManager):
    """Like ``no_grad``, and tensors made inside are inference tensors: ``t.is_inference()``,
    and using them later where autograd would save them (or changing them in place) raises.
    ``enable_grad`` inside does not turn recording back on; ``inference_mode(False)`` does
    (and leaves inference mode), as in PyTorch.

    Example::

        with ember.inference_mode():
            y = model(x)       # y.requires_grad is False, y.is_inference() is True
    """

    def __init__(self, mode: bool = True):
        self.mode = mode
        self.prev = None

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)  # used as a bare decorator: @inference_mode

    def __enter__(self):
        s = _state
        self.prev = (s.enabled, s.inference, s.grad_mode)
        if self.mode:
            s.enabled = s.grad_mode = False
            s.inference = True
            with _blocks_lock:
                inference_blocks[0] += 1
        else:
            s.enabled = True
            s.inference = False

    def __exit__(self, *exc):
        s = _state
        s.enabled, s.inference, s.grad_mode = self.prev
        if self.mode:
            with _blocks_lock:
                inference_blocks[0] -= 1

    def clone(self):
        return self.__class__(self.mode)


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()``."""
    return _state.inference
