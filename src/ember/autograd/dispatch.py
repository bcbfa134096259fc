"""The one door: every op reaches the graph through here, and every feature is a mode.

Two entry levels, as in PyTorch:

* **Public calls** (``ember.add``, ``F.linear``, ``x.exp()``, ``x * y``...). While a mode that
  defines ``__ember_op__`` is active (``TorchFunctionMode``, the profiler, fx capture), or an
  argument's type defines ``__torch_function__`` (a Tensor subclass, an fx ``Proxy``), the call
  goes to :func:`api_dispatch` instead of running: modes first (innermost first, each popped
  while it runs, as PyTorch's ``TorchFunctionMode``), then the arguments' types.
* **Graph-level ops**: ``Function.apply`` of every built-in and custom Function, and the few
  primitives that have no Function (comparisons, random draws: :func:`primitive`). While a mode
  that defines ``__ember_apply__`` is active (vmap and the grad transforms, forward AD, anomaly
  mode, saved-tensor hooks, trace and debug mode, compile capture) the op goes to
  :func:`apply_dispatch`; the innermost such mode decides. It stays active while it decides
  (vmap's batching rules run ops that must still reach it) and runs the op beneath itself with
  :func:`below`. With no mode, ``Function.apply`` links the node itself (``function.py``).

The backward engine and ``nn.Module.__call__`` consult the same stack (``__ember_backward__``,
``__ember_accumulate__``, ``__ember_saved_read__``, ``__ember_execute__``,
``__ember_module_call__``).

The stack is thread-local: a mode entered in one thread is invisible to the others. ``busy`` is
a process-wide *hint* only: False means no thread has any mode and no ``__torch_function__``
type was ever seen, so the hot paths skip the thread-local lookup (one global read); when it is
True they look at this thread's stack, which alone decides what happens.
"""

from __future__ import annotations

import functools
import threading

busy = False  # hint (see the module docstring); read as ``dispatch.busy`` by the hot paths
_count_lock = threading.Lock()
_modes_in_use = 0  # modes entered in all threads together (guarded by _count_lock)
_override_seen = False  # a type with its own __torch_function__ has been met


class _Stack(threading.local):
    """This thread's modes, innermost last, and the views the entry points read."""

    def __init__(self):
        self.modes = ()
        self.api = ()      # modes defining __ember_op__
        self.apply = ()    # modes defining __ember_apply__
        self.engine = ()   # modes defining an engine method
        self.module = ()   # modes defining __ember_module_call__
        self.bump = ()     # modes defining __ember_version_bump__
        self.no_subclass = 0  # DisableTorchFunctionSubclass depth
        self.no_tf = 0        # DisableTorchFunction depth


tls = _Stack()

_ENGINE_METHODS = ("__ember_backward__", "__ember_accumulate__", "__ember_saved_read__",
                   "__ember_execute__")


def _overrides(mode, name):
    return getattr(type(mode), name) is not getattr(DispatchMode, name)


_FLAGS = {}  # mode class -> which entry points it overrides (api, apply, engine, module, bump)


def _flags(cls):
    f = _FLAGS.get(cls)
    if f is None:
        def over(name):
            return getattr(cls, name) is not getattr(DispatchMode, name)

        f = _FLAGS[cls] = (over("__ember_op__"), over("__ember_apply__"),
                           any(over(n) for n in _ENGINE_METHODS),
                           over("__ember_module_call__"), over("__ember_version_bump__"))
    return f


_VIEWS = {}  # mode classes in stack order -> the positions each view takes (classes only:
# the cache keeps no mode alive)


def _set_stack(modes):
    s = tls
    s.modes = modes
    key = tuple(type(m) for m in modes)
    idx = _VIEWS.get(key)
    if idx is None:
        flags = [_flags(c) for c in key]
        idx = tuple(tuple(i for i, f in enumerate(flags) if f[k]) for k in range(5))
        if len(_VIEWS) > 256:
            _VIEWS.clear()
        _VIEWS[key] = idx
    s.api, s.apply, s.engine, s.module, s.bump = (
        tuple(modes[i] for i in ix) if ix else () for ix in idx)


def _recount(delta):
    global busy, _modes_in_use
    with _count_lock:
        _modes_in_use += delta
        busy = _modes_in_use > 0 or _override_seen


def push(mode):
    """Enter ``mode`` on this thread (innermost)."""
    _set_stack(tls.modes + (mode,))
    _recount(1)


def pop(mode):
    """Leave ``mode`` (the innermost occurrence) on this thread."""
    modes = tls.modes
    for i in range(len(modes) - 1, -1, -1):
        if modes[i] is mode:
            _set_stack(modes[:i] + modes[i + 1:])
            _recount(-1)
            return
    raise RuntimeError(f"{type(mode).__name__} is not active on this thread")


def active_modes():
    """This thread's modes, innermost last."""
    return tls.modes


class _Without:
    """Run with one mode taken off this thread's stack (PyTorch runs a mode's handler that
    way, so the handler's own ops do not come back to it)."""

    __slots__ = ("mode", "saved")

    def __init__(self, mode):
        self.mode = mode

    def __enter__(self):
        self.saved = tls.modes
        _set_stack(tuple(m for m in self.saved if m is not self.mode))

    def __exit__(self, *exc):
        _set_stack(self.saved)


def without(mode):
    return _Without(mode)


class DispatchMode:
    """Base class of every mode. ``with mode:`` enters it on this thread's stack.

    A subclass overrides only the methods it needs; a mode is consulted only where it
    overrides one. ``__ember_op__`` runs with the mode popped off the stack (as PyTorch's
    ``TorchFunctionMode``); the others run with it still active.
    """

    def __enter__(self):
        push(self)
        return self

    def __exit__(self, *exc):
        pop(self)
        return False

    def __ember_op__(self, func, args, kwargs):
        """A public call: ``func`` is the public callable (``ember.add``, ``Tensor.__mul__``)."""
        return func(*args, **kwargs)

    def __ember_apply__(self, op, args, kwargs):
        """A graph-level op: a Function class or a primitive function. The mode is still
        active: ``below(self, op, args, kwargs)`` runs the op beneath it."""
        return below(self, op, args, kwargs)

    def __ember_backward__(self, node, run, grads):
        """The engine runs ``node``: ``run(grads)`` calls its backward."""
        return run(grads)

    def __ember_accumulate__(self, node, grad, run, store):
        """The engine reaches a leaf's AccumulateGrad node: ``run()`` adds ``grad`` into
        ``.grad`` when ``store``, else returns it (``autograd.grad``)."""
        return run()

    def __ember_saved_read__(self, node, saved):
        """A node's saved tensors were read (inside its backward, usually)."""

    def __ember_execute__(self, roots, run):
        """One backward call (``backward()``/``autograd.grad``); ``run()`` does it."""
        return run()

    def __ember_module_call__(self, module, forward, args, kwargs):
        """``module(*args)``; ``forward`` runs it with its hooks."""
        return forward(*args, **kwargs)

    def __ember_version_bump__(self, tensor):
        """An in-place op changed ``tensor`` (its version counter went up)."""


# --------------------------------------------------------------------------- public calls
_PROCEED = object()  # api_dispatch's answer when nothing took the call: run it
_plain_types = set()  # types met as arguments that have no __torch_function__ of their own
_tensor_tf = None     # Tensor.__torch_function__ (set by tensor.py)


def note_override_type(cls):
    """Remember that ``cls`` has its own ``__torch_function__`` (the hot paths start checking)."""
    global _override_seen
    _override_seen = True
    _recount(0)


def _has_tf(cls):
    """Whether values of ``cls`` take part in ``__torch_function__`` dispatch."""
    if cls in _plain_types:
        return False
    tf = getattr(cls, "__torch_function__", None)
    if tf is None or getattr(tf, "__func__", tf) is _default_tf_func():
        _plain_types.add(cls)
        return False
    # torch._C._disabled_torch_function_impl (Parameter's) opts out; so do PyTorch's own types
    # (a torch.Tensor handed to ember.from_dlpack): their __torch_function__ is PyTorch's door
    impl = getattr(tf, "__func__", tf)
    mod = getattr(impl, "__module__", None) or ""
    if impl is _disabled_impl or mod == "torch" or mod.startswith("torch."):
        _plain_types.add(cls)
        return False
    if not _override_seen:
        note_override_type(cls)
    return True


def _default_tf_func():
    return getattr(_tensor_tf, "__func__", _tensor_tf)


def _disabled_impl(cls, func, types, args=(), kwargs=None):
    """``torch._C._disabled_torch_function_impl``: a subclass with this opts out."""
    with DisableTorchFunctionSubclass():
        return func(*args, **(kwargs or {}))


def _override_args(args, kwargs):
    """The arguments (one level into lists/tuples) whose type overrides, types deduplicated,
    subclasses before their bases (PyTorch's order)."""
    found = []

    def see(a):
        c = a.__class__
        if c not in _plain_types and _has_tf(c) and c not in found:
            found.append(c)

    for a in args:
        if a.__class__ in (list, tuple):
            for b in a:
                see(b)
        else:
            see(a)
    if kwargs:
        for a in kwargs.values():
            see(a)
    ordered = []
    for c in found:
        for i, o in enumerate(ordered):
            if issubclass(c, o):
                ordered.insert(i, c)
                break
        else:
            ordered.append(c)
    return ordered


def api_dispatch(func, args, kwargs):
    """A public call while ``busy``: the innermost ``__ember_op__`` mode, else the overriding
    argument types' ``__torch_function__``; ``_PROCEED`` when neither takes it."""
    s = tls
    if s.api and not s.no_tf:
        mode = s.api[-1]
        with _Without(mode):
            return mode.__ember_op__(func, args, kwargs or {})
    if s.no_tf:
        return _PROCEED
    types = _override_args(args, kwargs)
    if not types:
        return _PROCEED
    if s.no_subclass:
        # inside Tensor.__torch_function__: only non-Tensor types still dispatch
        types = [t for t in types if not issubclass(t, _tensor_cls())]
        if not types:
            return _PROCEED
    kw = kwargs or {}
    for t in types:
        res = t.__torch_function__(func, tuple(types), args, kw)
        if res is not NotImplemented:
            return res
    from ..overrides import resolve_name

    raise TypeError(
        f"no implementation found for '{resolve_name(func)}' on types that implement "
        f"__torch_function__: {[t for t in types]}"
    )


def _tensor_cls():
    from .function import Tensor

    return Tensor


def public(fn=None, *, name=None, qualname=None, module=None, aliases=None, check=None):
    """Make ``fn`` an entry of the public layer (``__torch_function__`` and ``__ember_op__``).

    Usable as ``@public`` or ``public(fn, name=..., qualname=..., module=...)`` (the names the
    entry shows: a Tensor method is ``Tensor.<name>``). ``aliases`` maps accepted keyword
    spellings to ``fn``'s own (PyTorch's ``axis`` for ``dim``: see ``ops/_args.py``); they are
    looked at only when ``fn`` refuses the keywords, so a call without them pays nothing.
    ``check(args, kwargs)`` validates the arguments before ``fn`` runs (not when a mode or an
    overriding type takes the call).

    When idle the entry costs one global read and the call."""
    if fn is None:
        return functools.partial(public, name=name, qualname=qualname, module=module,
                                 aliases=aliases, check=check)

    # Three bodies, chosen here so that each call runs only the branches its entry needs. When
    # idle (``busy`` False: no mode and no __torch_function__ type met yet in this process) the
    # body calls ``fn`` at once; an argument whose type overrides __torch_function__ cannot pass
    # for a tensor, so the first one is noticed where ``fn`` fails on it (then ``busy`` stays
    # True and later calls dispatch first).
    if check is None and aliases is None:
        def op(*args, **kwargs):
            if busy:
                res = _public_call(op, args, kwargs, None)
                if res is not _PROCEED:
                    return res
                return fn(*args, **kwargs)
            try:
                return fn(*args, **kwargs)
            except Exception as e:
                if not _unseen(args, kwargs):
                    return _failed(fn, args, kwargs, e)
            res = _public_call(op, args, kwargs, None)
            return fn(*args, **kwargs) if res is _PROCEED else res
    elif check is None:
        def op(*args, **kwargs):
            if busy:
                res = _public_call(op, args, kwargs, aliases)
                if res is not _PROCEED:
                    return res
            else:
                try:
                    return fn(*args, **kwargs)
                except Exception as e:
                    if _unseen(args, kwargs):
                        res = _public_call(op, args, kwargs, aliases)
                        if res is not _PROCEED:
                            return res
                    elif not (kwargs and e.__class__ is TypeError and
                              not aliases.keys().isdisjoint(kwargs)):
                        return _failed(fn, args, kwargs, e)
            try:
                return fn(*args, **kwargs)
            except TypeError:
                if not kwargs or aliases.keys().isdisjoint(kwargs):
                    raise
            args, kwargs = _renamed(op, aliases, args, kwargs)
            return fn(*args, **kwargs)
    else:
        def op(*args, **kwargs):
            if busy:
                res = _public_call(op, args, kwargs, aliases)
                if res is not _PROCEED:
                    return res
            else:
                try:
                    a, k = _aliased(op, aliases, args, kwargs)
                    check(a, k)
                    return fn(*a, **k)
                except Exception as e:
                    if not _unseen(args, kwargs):
                        return _failed(fn, args, kwargs, e)
                res = _public_call(op, args, kwargs, aliases)
                if res is not _PROCEED:
                    return res
            args, kwargs = _aliased(op, aliases, args, kwargs)
            check(args, kwargs)
            return fn(*args, **kwargs)

    op.__name__ = name or fn.__name__
    op.__qualname__ = qualname or (name if name else fn.__qualname__)
    op.__module__ = module or fn.__module__
    op.__doc__ = fn.__doc__
    op.__wrapped__ = fn
    op.__ember_impl__ = fn
    op.__ember_public__ = True
    return op


def _failed(fn, args, kwargs, e):
    """An idle entry's ``fn`` raised ``e``: PyTorch's mixed-device error when the arguments
    are on different devices (or the call redone on their device), else ``e`` itself."""
    if not isinstance(e, (TypeError, ValueError)):
        raise e
    from ..backend import retry_on_device

    return retry_on_device(lambda a: fn(*a, **kwargs), args, e)


def _public_call(op, args, kwargs, aliases):
    """The dispatching half of a public entry (its keyword aliases spelt as the entry's own)."""
    if aliases is not None and kwargs and not aliases.keys().isdisjoint(kwargs):
        args, kwargs = _renamed(op, aliases, args, kwargs)
    return api_dispatch(op, args, kwargs)


def _aliased(fn, aliases, args, kwargs):
    if aliases is not None and kwargs and not aliases.keys().isdisjoint(kwargs):
        return _renamed(fn, aliases, args, kwargs)
    return args, kwargs


def _renamed(op, aliases, args, kwargs):
    """The arguments with the alias spellings replaced by the entry's own: ``{alias: name}``
    renames a keyword, ``{name: n}`` passes the keyword ``name`` as the variadic positional
    arguments after the first ``n`` (``x.view(size=(2, 3))`` for ``view(input, *shape)``)."""
    out = {}
    for k, v in kwargs.items():
        own = aliases.get(k, k)
        if own.__class__ is int:
            if len(args) != own:
                raise TypeError(f"{op.__name__}() got multiple values for argument '{k}'")
            args = (*args, v)
            continue
        if own in out or (own != k and own in kwargs):
            # PyTorch's argument parser: both spellings of one parameter
            raise TypeError(f"{op.__name__}() got an unexpected keyword argument '{k}'")
        out[own] = v
    return args, out


def _unseen(args, kwargs=None):
    """True when an argument's type is neither Tensor nor known to be plain (so it may
    override ``__torch_function__``); learns plain types as it meets them."""
    for a in (args if not kwargs else (*args, *kwargs.values())):
        c = a.__class__
        if c not in _plain_types:
            if c in (list, tuple):
                for b in a:
                    if b.__class__ not in _plain_types and _has_tf(b.__class__):
                        return True
            elif _has_tf(c):
                return True
    return False


class DisableTorchFunctionSubclass:
    """Inside, Tensor subclasses' ``__torch_function__`` is not called (modes still are)."""

    def __enter__(self):
        tls.no_subclass += 1

    def __exit__(self, *exc):
        tls.no_subclass -= 1


class DisableTorchFunction:
    """Inside, neither modes' nor subclasses' ``__torch_function__`` is called."""

    def __enter__(self):
        tls.no_tf += 1

    def __exit__(self, *exc):
        tls.no_tf -= 1


# --------------------------------------------------------------------------- graph-level ops
def apply_dispatch(op, args, kwargs):
    """A graph-level op while this thread has ``__ember_apply__`` modes: the innermost one
    handles it."""
    return tls.apply[-1].__ember_apply__(op, args, kwargs)


def call(op, args, kwargs=None):
    """Run a graph-level op through the door (with the modes now on the stack): a Function
    class through its ``apply``, a primitive through its entry."""
    f = op.apply if isinstance(op, type) else op
    return f(*args, **kwargs) if kwargs else f(*args)


def below(mode, op, args, kwargs=None):
    """Run a graph-level op with ``mode`` off the stack (the modes outside it still see it)."""
    with _Without(mode):
        return call(op, args, kwargs)


def primitive(kind):
    """Make a function with no Function of its own (a comparison, a random draw) a
    graph-level op, so modes such as vmap see it as they see ``Function.apply``.

    ``kind`` tells a mode what the op is: ``"random"`` (draws), ``"elementwise"`` (computes
    on whole arrays: batched arguments can run as one), ``"per_example"`` (a reduction whose
    result shape depends on the data)."""

    def decorate(fn):
        @functools.wraps(fn)
        def op(*args, **kwargs):
            if busy and tls.apply:
                return apply_dispatch(op, args, kwargs)
            return fn(*args, **kwargs)

        op.__ember_impl__ = fn
        op.__ember_kind__ = kind
        return op

    return decorate


def saved_read(node, saved):
    """``Node.saved_tensors`` calls this (when ``busy``) with what it returns."""
    for m in tls.engine:
        m.__ember_saved_read__(node, saved)


def version_bumped(t):
    """In-place ops call this (when ``busy``) after bumping ``t``'s version counter."""
    for m in tls.bump:
        m.__ember_version_bump__(t)


# --------------------------------------------------------------------------- modules
def module_call(module, forward, args, kwargs):
    """``nn.Module.__call__`` while this thread has ``__ember_module_call__`` modes. Each mode
    stays active while the module runs (so the submodules it calls reach it too); the
    innermost is asked first and ``forward`` leads to the next one out."""
    f = forward
    for m in tls.module:  # outermost first: the innermost ends up called first
        f = functools.partial(_module_call, m, module, f)
    return f(*args, **kwargs)


def _module_call(mode, module, forward, *args, **kwargs):
    return mode.__ember_module_call__(module, forward, args, kwargs)
