"""PyTorch's named results (``torch.return_types.max(values=..., indices=...)``): the
tuple classes the reductions, sorts and decompositions return."""

from __future__ import annotations

from collections import namedtuple


class _ReturnType(tuple):
    """A named pair like PyTorch's ``torch.return_types.max(values=..., indices=...)``."""

    __slots__ = ()
    _fields = ("values", "indices")
    _name = ""

    def __new__(cls, *values):
        return tuple.__new__(cls, values)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"torch.return_types.{self._name}(\n{body})"

    def __reduce__(self):
        return (_make_return_type, (self._name, self._fields, tuple(self)))


def _field(i):
    return property(lambda self: tuple.__getitem__(self, i))


_RESULT_TYPES = {}


def return_type(name, fields=("values", "indices")):
    """The class of PyTorch's named result ``torch.return_types.<name>``."""
    cls = _RESULT_TYPES.get(name)
    if cls is None:
        attrs = {"__slots__": (), "_fields": tuple(fields), "_name": name}
        for i, f in enumerate(fields):
            attrs[f] = _field(i)
        cls = _RESULT_TYPES[name] = type(name, (_ReturnType,), attrs)
        cls.__module__ = "torch.return_types"
    return cls


def _make_return_type(name, fields, values):
    return return_type(name, fields)(*values)


def _named(values, indices, name):
    return return_type(name)(values, indices)


# ------------------------------------------------------------------------ named results
_NAMEDTUPLE_TYPES = {}


def _structseq_repr(self):
    body = ",\n".join(f"{k}={v!r}" for k, v in zip(self._fields, self))
    return f"torch.return_types.{type(self).__name__}(\n{body})"


def named_result(name, fields, values):
    """A ``torch.return_types.<name>`` named tuple (printed as PyTorch prints it)."""
    cls = _NAMEDTUPLE_TYPES.get(name)
    if cls is None:
        cls = namedtuple(name, fields)
        cls.__module__ = "torch.return_types"
        cls.__repr__ = _structseq_repr
        _NAMEDTUPLE_TYPES[name] = cls
    return cls(*values)
