"""The array module ember's backend hands to an op whose input is a traced array."""

from __future__ import annotations

import numpy as np

from .tracer import _plain, _rec_of, active

_CREATORS = ("zeros", "ones", "empty", "full", "arange", "eye", "identity", "linspace",
             "zeros_like", "ones_like", "empty_like", "full_like", "tri", "frombuffer")
_CONVERTERS = ("asarray", "array", "ascontiguousarray", "asanyarray", "asfortranarray")


class _RecordingXP:
    """``numpy`` as ember's backend hands it to an op whose input is traced: creation and
    conversion functions are recorded (a fresh ``zeros`` each replay, not one shared constant);
    everything else is NumPy's own (ufuncs and dispatching functions record themselves)."""

    def __getattr__(self, name):
        attr = getattr(np, name)
        if name == "lib":
            fn = _Namespace(np.lib, {"stride_tricks": _Namespace(
                np.lib.stride_tricks, {"as_strided": _viewer(np.lib.stride_tricks.as_strided),
                                       "sliding_window_view": _viewer(
                                           np.lib.stride_tricks.sliding_window_view)})})
        elif name in _CREATORS:
            fn = _creator(attr)
        elif name in _CONVERTERS:
            fn = _converter(attr)
        else:
            return attr
        setattr(self, name, fn)
        return fn


def _creator(real):
    def create(*args, **kwargs):
        rec = active()
        if rec is None or rec.wrapping:
            return real(*args, **kwargs)
        return rec.call(real, args, kwargs)

    create.__name__ = real.__name__
    return create


def _converter(real):
    def convert(a, *args, **kwargs):
        rec = _rec_of((a,))
        if rec is None:
            rec = active()
            if rec is not None and not rec.wrapping and a.__class__ in (list, tuple):
                return rec.call(real, (a,) + args, kwargs)  # a fresh array from Python data
            return real(_plain(a), *args, **kwargs)
        if not args and not kwargs.get("dtype") and real is not np.array:
            return a  # already an array: asarray is the identity
        return rec.call(real, (a,) + args, kwargs)

    convert.__name__ = real.__name__
    return convert


class _Namespace:
    """A submodule of NumPy with some functions replaced by recording ones."""

    def __init__(self, module, replaced):
        self._module = module
        self.__dict__.update(replaced)

    def __getattr__(self, name):
        return getattr(self._module, name)


def _viewer(real):
    """``as_strided``-like functions: views made without either NumPy protocol."""

    def view(a, *args, **kwargs):
        rec = _rec_of((a,))
        if rec is None:
            return real(a, *args, **kwargs)
        return rec.call(real, (a,) + args, kwargs)

    view.__name__ = real.__name__
    return view


recording_xp = _RecordingXP()
