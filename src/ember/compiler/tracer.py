"""Array-level capture: every NumPy call a step makes, recorded as it runs.

While a :class:`Recorder` is active, the arrays inside the tracked tensors are replaced by
:class:`TracedArray` views of themselves. A ``TracedArray`` is an ``ndarray`` subclass, so the
step runs for real on the same memory (eager results, eager side effects); NumPy hands every
ufunc (``__array_ufunc__``) and every dispatching function (``__array_function__``) touching one
to this module, and the view-making methods that bypass both (``reshape``, ``T``, indexing...)
are overridden. Each call becomes an :class:`Instr` in the recorder, and its results are new
``TracedArray`` objects numbered by slot. Creation functions (``zeros``, ``empty``...) reach
the recorder through ember's backend: ops get their array module from their inputs
(``xp_of``), and the module for a ``TracedArray`` is ``recording_xp.recording_xp``.

What cannot be replayed is not guessed at: a Python value read out of a traced array
(``float(a)``, ``a.item()``, ``if a.any()``) or a traced array made by a path that bypassed the
recorder marks the capture as failed (with the reason), and the caller stays eager. Plain
arrays that meet traced ones are constants of the program (held by reference).
"""

from __future__ import annotations

import operator
import threading

import numpy as np

_tls = threading.local()


def _unwrap(a):
    """The plain ndarray view of a traced array (never recorded)."""
    return np.ndarray.view(a, np.ndarray)


def _where():
    """file:line of the innermost caller outside the compiler and NumPy."""
    import sys

    f = sys._getframe(1)
    while f is not None:
        name = f.f_code.co_filename
        if "compiler" not in name and "numpy" not in name:
            return f"{name.rsplit('/', 2)[-2]}/{name.rsplit('/', 1)[-1]}:{f.f_lineno} " \
                f"in {f.f_code.co_name}"
        f = f.f_back
    return "?"


def active():
    """The recorder of this thread, or None."""
    return getattr(_tls, "rec", None)


class Instr:
    """One recorded call: ``outs = fn(*args, **kwargs)``; traced arguments are held as
    :class:`Slot` markers. ``writes``: slots this call modifies in place (``out=``, item
    assignment, in-place methods); ``scalar``: the call returned a NumPy scalar that capture
    turned into a 0-d array (replay does the same)."""

    __slots__ = ("args", "fn", "kwargs", "multi", "outs", "scalar", "site", "writes")

    def __init__(self, fn, args, kwargs, outs, writes, scalar, multi):
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.outs, self.writes, self.scalar, self.multi = outs, writes, scalar, multi
        # where a guard was read (for the message when it makes the program unsafe)
        self.site = _where() if getattr(fn, "is_guard", False) else None


class Slot:
    """A reference to slot ``i`` inside a recorded call's arguments."""

    __slots__ = ("i",)

    def __init__(self, i):
        self.i = i

    def __repr__(self):
        return f"s{self.i}"


class Recorder:
    """The program being captured: ``n`` slots, the calls in order, and whether (and why)
    the capture failed."""

    def __init__(self):
        self.n = 0
        self.instrs = []
        self.failed = None
        self.wrapping = False
        self.roots = []  # per slot: the ndarray that owns its memory (kept alive while capturing)
        self.fresh = []  # per slot: a C-contiguous array owning its memory

    def __enter__(self):
        if active() is not None:
            raise RuntimeError("ember.compile: a capture is already running on this thread")
        _tls.rec = self
        return self

    def __exit__(self, *exc):
        _tls.rec = None
        return False

    def fail(self, reason):
        if self.failed is None:
            self.failed = f"{reason} (at {_where()})"

    def new_slot(self, arr):
        """Number ``arr`` (an ndarray or NumPy scalar): returns its TracedArray view."""
        if not isinstance(arr, np.ndarray):
            arr = np.asarray(arr)
        self.wrapping = True
        try:
            t = arr.view(TracedArray)
        finally:
            self.wrapping = False
        t._rec = self
        t._slot = self.n
        self.n += 1
        root = arr
        while isinstance(root.base, np.ndarray):
            root = root.base
        self.roots.append(root)
        self.fresh.append(root is arr and arr.flags.c_contiguous)
        return t

    def new_scalar(self, value):
        """Number a Python float computed from traced data: its TracedScalar."""
        t = TracedScalar(value)
        t._rec = self
        t._slot = self.n
        self.n += 1
        self.roots.append([])  # its own identity: aliases nothing
        self.fresh.append(False)
        return t

    def leaf(self, arr):
        """A tracked input array: a new slot whose value replay takes from the tensor."""
        return self.new_slot(arr)

    # ------------------------------------------------------------------ recording a call
    def _arg(self, a):
        """Argument -> (template, plain value). Traced arrays become Slots; lists/tuples one
        level deep are looked into (``concatenate([a, b])``, ``out=(a,)``, index tuples)."""
        c = a.__class__
        if c is TracedArray:
            if a._rec is self:
                if a._slot < 0:
                    self.fail("an array derived from a traced one outside the recorder "
                              "(an unsupported ndarray method) was used")
                return Slot(a._slot), _unwrap(a)
            return _unwrap(a), _unwrap(a)  # stale: a constant
        if c is TracedScalar:
            v = float.__float__(a)
            return (Slot(a._slot), v) if a._rec is self else (v, v)
        if c is tuple or c is list:
            if any(b.__class__ in _TRACED or b.__class__ in (tuple, list) for b in a):
                pairs = [self._arg(b) for b in a]
                return c(p[0] for p in pairs), c(p[1] for p in pairs)
        return a, a

    def call(self, fn, args, kwargs, writes=()):
        """Run ``fn`` on the plain arrays behind ``args`` and record it; returns the results
        as traced arrays (``writes``: the traced arguments modified in place, returned as
        themselves)."""
        targs, pargs = [], []
        for a in args:
            t, p = self._arg(a)
            targs.append(t)
            pargs.append(p)
        tkw, pkw = {}, {}
        for k, v in kwargs.items():
            t, p = self._arg(v)
            tkw[k] = t
            pkw[k] = p
        res = fn(*pargs, **pkw)
        if res is None and not writes and args and isinstance(args[0], np.ndarray):
            writes = (args[0],)  # returns nothing: it exists to modify its first argument
        wslots = tuple(w._slot for w in writes if w.__class__ is TracedArray and w._rec is self)
        if len(wslots) < len(writes):
            wslots += (-1,)  # writes memory the program does not own (a cached scratch buffer)
        multi = res.__class__ in (tuple, list)
        scalar = False
        plain_out = _plain_writes(pargs, pkw)
        if plain_out and _is_one_of(res, plain_out):
            # an ``out=`` result: hand back the caller's own traced objects
            out = _map_out(res, plain_out, _out_writes(kwargs))
            outs = ()
            multi = False
        elif multi:
            outs_arr = []
            for r in res:
                if isinstance(r, (np.ndarray, np.generic)):
                    outs_arr.append(self.new_slot(r))
                else:
                    self.fail(f"{_name(fn)} returned a {type(r).__name__} inside a sequence")
                    outs_arr.append(r)
            out = res.__class__(outs_arr)
            outs = tuple(o._slot if o.__class__ is TracedArray else -1 for o in outs_arr)
        elif res is None:
            out, outs = None, ()
        elif isinstance(res, (np.ndarray, np.generic)):
            scalar = not isinstance(res, np.ndarray)
            out = self.new_slot(res)
            outs = (out._slot,)
        elif res.__class__ is float:
            out = self.new_scalar(res)
            outs = (out._slot,)
        elif isinstance(res, (bool, int, float, complex, str)):
            # a fact about the arguments (``may_share_memory``, ``ndim``): replay re-asks it
            self.instrs.append(Instr(_CheckedCall(fn, res), tuple(targs), tkw, (), wslots,
                                     False, False))
            return res
        else:
            self.fail(f"{_name(fn)} returned a Python {type(res).__name__}")
            return res
        self.instrs.append(Instr(fn, tuple(targs), tkw, outs, wslots, scalar, multi))
        return out


def _plain_writes(pargs, pkw):
    out = pkw.get("out")
    if out is None:
        return ()
    return out if isinstance(out, tuple) else (out,)


def _is_one_of(res, plain_out):
    if res.__class__ is tuple:
        return len(res) == len(plain_out) and all(r is p for r, p in zip(res, plain_out))
    return any(res is p for p in plain_out)


def _map_out(res, plain_out, traced_out):
    if res.__class__ is tuple:
        return tuple(traced_out)
    for p, t in zip(plain_out, traced_out):
        if res is p:
            return t
    return res


def _name(fn):
    return getattr(fn, "__qualname__", None) or getattr(fn, "__name__", repr(fn))


def _rec_of(args, kwargs=None):
    """The active recorder if one of the arguments is traced by it (one level deep)."""
    rec = active()
    if rec is None or rec.wrapping:
        return None
    for a in args:
        c = a.__class__
        if c in _TRACED and a._rec is rec:
            return rec
        if (c is tuple or c is list) and any(
                b.__class__ in _TRACED and b._rec is rec for b in a):
            return rec
    if kwargs:
        return _rec_of(tuple(kwargs.values()))
    return None


def _out_writes(kwargs):
    out = kwargs.get("out")
    if out is None:
        return ()
    return out if isinstance(out, tuple) else (out,)


def _setitem(a, key, value):
    a[key] = value


def _fill(a, value):
    a.fill(value)


class TracedArray(np.ndarray):
    """An ndarray that reports what is done to it to the active :class:`Recorder` (and
    behaves as a plain ndarray when none is active)."""

    _rec = None
    _slot = -1

    def __array_finalize__(self, obj):
        # A traced array made by NumPy itself (a view method this class does not override):
        # it has no slot, so using it in a recorded call fails the capture.
        if obj is not None and obj.__class__ is TracedArray:
            rec = active()
            if rec is not None and not rec.wrapping and obj._rec is rec:
                self._rec = rec
                self._slot = -1

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        rec = _rec_of(inputs, kwargs)
        if rec is None:
            plain_in = tuple(_unwrap(i) if i.__class__ is TracedArray else i
                             for i in inputs)
            out = kwargs.get("out")
            if out is not None:
                kwargs["out"] = tuple(_unwrap(o) if o.__class__ is TracedArray else o
                                      for o in out)
                getattr(ufunc, method)(*plain_in, **kwargs)
                return out[0] if len(out) == 1 else out
            return getattr(ufunc, method)(*plain_in, **kwargs)
        fn = ufunc if method == "__call__" else getattr(ufunc, method)
        writes = _out_writes(kwargs)
        if method == "at":
            writes = (inputs[0],)
        return rec.call(fn, inputs, kwargs, writes)

    def __array_function__(self, func, types, args, kwargs):
        rec = _rec_of(args, kwargs)
        if rec is None:
            return super().__array_function__(func, types, args, kwargs)
        writes = _out_writes(kwargs)
        if func is np.copyto:
            writes = (args[0],)
        elif func is np.take_along_axis or func is np.put_along_axis:
            along = _along_axis(func, args, kwargs)
            if along is not None:
                return rec.call(*along)
        return rec.call(func, args, kwargs, writes)

    # ---- methods NumPy implements without either protocol --------------------------------
    def _method(name, writes_self=False):
        base = getattr(np.ndarray, name)

        def method(self, *args, **kwargs):
            rec = _rec_of((self,))
            if rec is None:
                return base(self, *args, **kwargs)
            return rec.call(base, (self,) + args, kwargs, (self,) if writes_self else ())

        method.__name__ = name
        return method

    for _n in ("reshape", "transpose", "swapaxes", "squeeze", "ravel", "flatten", "astype",
               "copy", "view", "__getitem__", "argmax", "argmin", "argsort", "dot",
               "diagonal", "repeat", "take", "cumsum", "cumprod", "round", "conj",
               "searchsorted", "max", "min", "sum",
               "mean", "prod", "any", "all", "clip", "std", "var", "trace"):
        locals()[_n] = _method(_n)
    for _n in ("sort", "partition", "put", "resize", "setfield"):
        locals()[_n] = _method(_n, writes_self=True)
    del _n

    def view(self, *args, **kwargs):
        rec = _rec_of((self,))
        if rec is None:
            return np.ndarray.view(self, *args, **kwargs)
        return rec.call(np.ndarray.view, (self,) + args, kwargs)

    def __setitem__(self, key, value):
        rec = _rec_of((self, key, value))
        if rec is None:
            np.ndarray.__setitem__(_unwrap(self), _plain(key), _plain(value))
            return
        rec.call(_setitem, (self, key, value), {}, (self,))

    def fill(self, value):
        rec = _rec_of((self, value))
        if rec is None:
            np.ndarray.fill(self, value)
            return
        rec.call(_fill, (self, value), {}, (self,))

    @property
    def T(self):
        return self.transpose()

    @property
    def mT(self):
        return self.swapaxes(-1, -2)

    # ---- values read into Python -------------------------------------------------------
    # A scalar read (``if bad.any():``, ``int(n)``) becomes a guard of the program: replay
    # recomputes it and stops (the call then runs eagerly) when it differs from what capture
    # saw. Reads of whole arrays into Python data cannot be replayed: the capture fails.
    def _guarded(name):
        base = getattr(np.ndarray, name)

        def method(self, *args, **kwargs):
            value = base(_unwrap(self), *args, **kwargs)
            rec = active()
            if rec is not None and not rec.wrapping and self._rec is rec:
                if self._slot < 0:
                    rec.fail("a Python value was read from an untracked view")
                else:
                    rec.instrs.append(Instr(_check_value, (Slot(self._slot), value), {}, (),
                                            (), False, False))
            return value

        method.__name__ = name
        return method

    def _py(name):
        base = getattr(np.ndarray, name)

        def method(self, *args, **kwargs):
            rec = active()
            if rec is not None and self._rec is rec:
                rec.fail(f"a Python value was read from a traced array ({name}): the step "
                         "depends on the data, so it is not replayed")
            return base(_unwrap(self), *args, **kwargs)

        method.__name__ = name
        return method

    def _read_float(name, guarded):

        def method(self, *args, **kwargs):
            rec = active()
            if rec is None or rec.wrapping or self._rec is not rec or self._slot < 0 or \
                    self.dtype.kind != "f" or args or kwargs:
                return guarded(self, *args, **kwargs)
            return rec.call(_to_float, (self,), {})  # a TracedScalar: replay reads it anew

        method.__name__ = name
        return method

    # ``item()`` may return a TracedScalar; ``float(a)`` may not (Python turns a float
    # subclass returned by ``__float__`` into a plain float), so it is a guarded read.
    locals()["item"] = _read_float("item", _guarded("item"))
    for _n in ("__float__", "__int__", "__bool__", "__index__", "__complex__"):
        locals()[_n] = _guarded(_n)
    for _n in ("tolist", "nonzero", "__iter__", "tobytes"):
        locals()[_n] = _py(_n)
    del _n, _method, _py, _guarded, _read_float


class GuardFailed(Exception):
    """A value the captured step read into Python differs at replay."""


def _check_value(a, expected):
    got = a.item() if isinstance(a, (np.ndarray, np.generic)) else a
    if got != expected:
        raise GuardFailed(f"read {got!r}, captured {expected!r}")


_check_value.__qualname__ = "check_value"
_check_value.is_guard = True


class _CheckedCall:
    """A call whose Python result the captured step used: replay calls it again and stops
    when the answer changed."""

    is_guard = True

    def __init__(self, fn, expected):
        self.fn, self.expected = fn, expected
        self.__name__ = f"check_{_name(fn)}"

    def __call__(self, *args, **kwargs):
        got = self.fn(*args, **kwargs)
        if got != self.expected:
            raise GuardFailed(f"{_name(self.fn)} gave {got!r}, captured {self.expected!r}")


def _along_axis(func, args, kwargs):
    """``take_along_axis`` / ``put_along_axis`` as the fancy index NumPy builds for them, with
    the aranges of the other axes made once (shapes are guarded): ``(fn, args, kwargs,
    writes)`` for the recorder, or None to record NumPy's own call (bad arguments, axis=None)."""
    names = ("arr", "indices", "values", "axis") if func is np.put_along_axis else \
        ("arr", "indices", "axis")
    if len(args) > len(names) or any(k not in names for k in kwargs):
        return None
    bound = dict(zip(names, args), **kwargs)
    arr, indices, axis = bound.get("arr"), bound.get("indices"), bound.get("axis", -1)
    if not (isinstance(arr, np.ndarray) and isinstance(indices, np.ndarray)) or \
            axis.__class__ is not int or indices.dtype.kind not in "iu" or \
            indices.ndim != arr.ndim or not -arr.ndim <= axis < arr.ndim:
        return None
    axis %= arr.ndim
    ones = (1,) * arr.ndim
    fixed = tuple(None if d == axis else
                  np.arange(n).reshape(ones[:d] + (-1,) + ones[d + 1:])
                  for d, n in enumerate(arr.shape))
    if func is np.take_along_axis:
        return _take_along, (arr, indices, fixed, axis), {}, ()
    if "values" not in bound or "axis" not in bound:
        return None  # NumPy's own error
    return _put_along, (arr, indices, bound["values"], fixed, axis), {}, (arr,)


def _take_along(arr, indices, fixed, axis):
    index = list(fixed)
    index[axis] = indices
    return arr[tuple(index)]


def _put_along(arr, indices, values, fixed, axis):
    index = list(fixed)
    index[axis] = indices
    arr[tuple(index)] = values


_take_along.__qualname__ = "take_along_axis"
_put_along.__qualname__ = "put_along_axis"


def _plain(x):
    if x.__class__ is TracedArray:
        return _unwrap(x)
    if x.__class__ is tuple:
        return tuple(_plain(i) for i in x)
    return x


_setitem.__qualname__ = "setitem"
_ = operator  # (operator.setitem would need the key as a positional argument too)




def _to_float(a):
    return float(a)


_to_float.__qualname__ = "float"


def _scalar_op(fn, a, b):
    rec = active()
    if rec is None or rec.wrapping or _rec_of((a, b)) is None:
        return fn(_pyf(a), _pyf(b))
    return rec.call(fn, (a, b), {})


def _pyf(x):
    return float.__float__(x) if x.__class__ is TracedScalar else x


def _compare(fn, a, b):
    """A comparison steers Python control flow: replay checks it gives the same answer."""
    res = fn(_pyf(a), _pyf(b))
    rec = active()
    if rec is not None and not rec.wrapping and _rec_of((a, b)) is rec:
        targs = tuple(rec._arg(x)[0] for x in (a, b))
        rec.instrs.append(Instr(_CheckedCall(fn, res), targs, {}, (), (), False, False))
    return res


class TracedScalar(float):
    """A Python float read from traced data (``float(step)`` in Adam): arithmetic on it is
    recorded, so replay recomputes the value instead of reusing the captured one."""

    __slots__ = ("_rec", "_slot")

    def __float__(self):
        # Python makes whatever __float__ returns a plain float: the value becomes a constant
        # of the program, guarded
        return _guarded_scalar(self, float)

    def __int__(self):
        return _guarded_scalar(self, int)

    def __bool__(self):
        return _guarded_scalar(self, bool)

    def __round__(self, ndigits=None):
        return _guarded_scalar(self, round) if ndigits is None else \
            _scalar_op(round, self, ndigits)

    def __hash__(self):
        return float.__hash__(self)

    def __reduce__(self):
        return (float, (float.__float__(self),))


def _guarded_scalar(x, fn):
    res = fn(float.__float__(x))
    rec = active()
    if rec is not None and not rec.wrapping and x._rec is rec:
        rec.instrs.append(Instr(_CheckedCall(fn, res), (Slot(x._slot),), {}, (), (), False,
                                False))
    return res


def _binary(fn):
    return (lambda self, other: _scalar_op(fn, self, other),
            lambda self, other: _scalar_op(fn, other, self))


for _name_, _fn in (("add", operator.add), ("sub", operator.sub), ("mul", operator.mul),
                    ("truediv", operator.truediv), ("floordiv", operator.floordiv),
                    ("mod", operator.mod), ("pow", operator.pow)):
    _f, _r = _binary(_fn)
    setattr(TracedScalar, f"__{_name_}__", _f)
    setattr(TracedScalar, f"__r{_name_}__", _r)
def _comparison(fn):
    return lambda self, other: _compare(fn, self, other)


def _unary(fn):
    def op(a, _unused):
        return fn(a)

    return lambda self: _scalar_op(op, self, None)


for _name_, _fn in (("lt", operator.lt), ("le", operator.le), ("gt", operator.gt),
                    ("ge", operator.ge), ("eq", operator.eq), ("ne", operator.ne)):
    setattr(TracedScalar, f"__{_name_}__", _comparison(_fn))
for _name_, _fn in (("neg", operator.neg), ("pos", operator.pos), ("abs", operator.abs)):
    setattr(TracedScalar, f"__{_name_}__", _unary(_fn))
del _name_, _fn, _f, _r

_TRACED = (TracedArray, TracedScalar)
