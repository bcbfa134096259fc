"""``BatchedTensor``'s methods that are not Functions (comparison and bitwise operators,
dtype conversions, in-place methods, ``__setitem__``) and the data-dependent calls vmap refuses
(``.item()``, ``.numpy()``, ``bool()``), installed on the class when ``_batched`` is imported."""

from __future__ import annotations

from ._batched import Tensor, _pad, unwrap, wrap
from ._dispatch import BatchedTensor


def _binary_method(name):
    base = getattr(Tensor, name)

    def method(self, other):
        level = self._bt_level
        if not level.active:
            return base(self, other)
        v, _ = unwrap(self, level)
        o, ob = unwrap(other, level) if isinstance(other, Tensor) else (other, False)
        r = max(v.dim() - 1, (o.dim() - ob) if isinstance(o, Tensor) else 0)
        v = _pad(v, r - (v.dim() - 1))
        if ob:
            o = _pad(o, r - (o.dim() - 1))
        return wrap(base(v, o), level)

    method.__name__ = name
    return method


def _loop_method(name):
    base = getattr(Tensor, name)

    def method(self, *args, **kwargs):
        level = self._bt_level
        if not level.active:
            return base(self, *args, **kwargs)
        from ..ops.shape.join import stack

        v = self._bt_value
        return wrap(stack([base(v[i], *args, **kwargs) for i in range(level.batch_size)], 0),
                    level)

    method.__name__ = name
    return method


def _unary_method(name):
    base = getattr(Tensor, name)

    def method(self, *args, **kwargs):
        level = self._bt_level
        if not level.active:
            return base(self, *args, **kwargs)
        return wrap(base(self._bt_value, *args, **kwargs), level)

    method.__name__ = name
    return method


def _refresh(t):
    """Re-read a wrapper's per-example view after its value changed in place."""
    v = t._bt_value
    t._data = v._data[0] if v._data.shape[0] else v._data.reshape(v._data.shape[1:])
    t._requires_grad = v._requires_grad
    t._vc = v._vc


def _inplace_method(name):
    base = getattr(Tensor, name)

    def method(self, *args, **kwargs):
        level = self._bt_level
        if not level.active:
            return base(self, *args, **kwargs)
        v = self._bt_value
        rank = v.dim() - 1
        new = []
        for a in args:
            o, b = unwrap(a, level) if isinstance(a, Tensor) else (a, False)
            new.append(_pad(o, rank - (o.dim() - 1)) if b else o)
        getattr(v, name)(*new, **kwargs)  # in place on the whole batch
        _refresh(self)
        return self

    method.__name__ = name
    return method


def _setitem(self, key, value):
    level = self._bt_level
    if not level.active:
        return Tensor.__setitem__(self, key, value)
    v = self._bt_value
    key = key if isinstance(key, tuple) else (key,)
    if isinstance(value, Tensor):
        o, b = unwrap(value, level)
        if b:
            region = self._data[key].ndim if not any(isinstance(k, Tensor) for k in key) else \
                o.dim() - 1
            value = _pad(o, region - (o.dim() - 1))
    v[(slice(None),) + key] = value
    _refresh(self)


def _data_dependent(what):
    def method(self, *args, **kwargs):
        raise RuntimeError(what)

    return method


_ITEM_MSG = ("vmap: It looks like you're calling .item() on a Tensor. We don't support vmap over "
             "calling .item() on a Tensor, please try to rewrite what you're doing with other "
             "operations. If error is occurring somewhere inside PyTorch internals, please file a "
             "bug report.")
_CONTROL_MSG = ("vmap: It looks like you're attempting to use a Tensor in some data-dependent "
                "control flow. We don't support that yet, please shout over at "
                "https://github.com/pytorch/functorch/issues/257 .")

for _n in ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__and__", "__or__",
           "__xor__", "__rand__", "__ror__", "__rxor__", "__floordiv__", "__mod__"):
    if hasattr(Tensor, _n):
        setattr(BatchedTensor, _n, _binary_method(_n))
for _n in ("__invert__", "sign", "trunc", "detach", "float", "double", "long", "int", "bool",
           "half"):
    if hasattr(Tensor, _n):
        setattr(BatchedTensor, _n, _unary_method(_n))


def _patched_method(name, call):
    base = getattr(Tensor, name)

    def method(self, *args, **kwargs):
        level = self._bt_level
        if not level.active:
            return base(self, *args, **kwargs)
        from ._primitives import top_level

        level = top_level((self,) + args, kwargs)
        if level is None:
            return base(self, *args, **kwargs)
        return call(base, (self,) + args, kwargs, level)

    method.__name__ = name
    return method


def _install_patched_methods():
    from ._primitives import ELEMENTWISE, PER_EXAMPLE, _elementwise, _per_example

    for names, call in ((ELEMENTWISE, _elementwise), (PER_EXAMPLE, _per_example)):
        for n in names:
            if hasattr(Tensor, n):
                setattr(BatchedTensor, n, _patched_method(n, call))


_install_patched_methods()
_NOT_INPLACE = {"requires_grad_", "detach_", "share_memory_", "resize_", "resize_as_", "set_",
                "retain_grad_"}
for _n in dir(Tensor):
    if _n.endswith("_") and not _n.startswith("_") and _n not in _NOT_INPLACE and callable(
            getattr(Tensor, _n, None)):
        setattr(BatchedTensor, _n, _inplace_method(_n))
BatchedTensor.__setitem__ = _setitem
BatchedTensor.item = _data_dependent(_ITEM_MSG)
BatchedTensor.numpy = _data_dependent(_ITEM_MSG.replace(".item()", ".numpy()"))
BatchedTensor.tolist = _data_dependent(_ITEM_MSG)
BatchedTensor.__bool__ = _data_dependent(_CONTROL_MSG)
BatchedTensor.__hash__ = Tensor.__hash__
