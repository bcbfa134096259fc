"""Reading ember's first checkpoint format (ember 0.x before PyTorch's format was adopted).

That format is a zip holding ``ember/manifest.json`` (the object tree as JSON: dicts,
OrderedDicts, lists, tuples, str, int, float, bool, None, complex, bytes, dtypes, Sizes and
tensor references ``{"__tensor__": n, "dtype", "shape"}``) and one ``ember/data/<n>`` member of
raw little-endian bytes per tensor; an object that was not such a tree was pickled into
``ember/data.pkl``. Loading the tree parses JSON and copies bytes, nothing more: every
declared size is checked against the member before it is read, and any inconsistency is a
``RuntimeError``.
"""

from __future__ import annotations

import json
import math
import pickle
from collections import OrderedDict

from .. import dtypes as _dt
from ..tensor import Size, Tensor
from . import _map_location
from ._zip import Archive

MANIFEST = "ember/manifest.json"
_FORMAT = "ember-checkpoint"
_VERSION = 1
_PICKLE = "ember/data.pkl"
_MAX_DEPTH = 200  # deeper manifests are forged (a state_dict nests 3-4 levels)


def _corrupt(msg):
    return RuntimeError(f"ember.load: corrupt checkpoint: {msg}")


class _Reader:
    def __init__(self, archive: Archive, map_location):
        self.archive = archive
        self.map_location = map_location
        self.cache: dict[int, Tensor] = {}

    def tensor(self, d):
        ref = d.get("__tensor__")
        if type(ref) is not int or ref < 0:
            raise _corrupt("bad tensor reference")
        t = self.cache.get(ref)
        if t is not None:
            return t
        name = d.get("dtype")
        dt = _dt._NAMES.get(name) if isinstance(name, str) else None
        if dt is None:
            raise _corrupt(f"unknown dtype {name!r:.40}")
        shape = d.get("shape")
        if not isinstance(shape, list) or not all(type(s) is int and s >= 0 for s in shape):
            raise _corrupt(f"bad shape {shape!r:.60}")
        count = math.prod(shape)
        try:
            raw = self.archive.read_array(f"ember/data/{ref}", count * dt.itemsize)
        except RuntimeError as e:
            raise _corrupt(str(e)) from None
        arr = raw.view(dt.np.newbyteorder("<") if dt.itemsize > 1 else dt.np)
        t = Tensor._make(arr.astype(dt.np, copy=False).reshape(shape))
        ml = self.map_location
        if callable(ml) and not isinstance(ml, dict):
            out = ml(t, "cpu")
            t = out if isinstance(out, Tensor) else t
        else:  # this format holds cpu tensors only
            t = Tensor._make(_map_location.move(t._data, _map_location.target("cpu", ml)))
        if d.get("parameter"):
            from ..nn.parameter import Parameter

            t = Parameter(t, requires_grad=bool(d.get("requires_grad", False)))
        elif d.get("requires_grad"):
            t.requires_grad_(True)
        self.cache[ref] = t
        return t

    def decode(self, obj, depth=0):
        if depth > _MAX_DEPTH:
            raise _corrupt("the manifest nests too deeply")
        if obj is None or isinstance(obj, (bool, int, float, str)):
            return obj
        dec = self.decode
        if isinstance(obj, list):
            return [dec(v, depth + 1) for v in obj]
        if not isinstance(obj, dict) or len(obj) == 0:
            raise _corrupt("unexpected JSON value")
        if "__tensor__" in obj:
            return self.tensor(obj)
        if len(obj) != 1:
            raise _corrupt("unexpected JSON object")
        ((tag, val),) = obj.items()
        if tag in ("__dict__", "__odict__"):
            pairs = [_pair(p) for p in _list(val)]
            items = ((dec(k, depth + 1), dec(v, depth + 1)) for k, v in pairs)
            try:
                return OrderedDict(items) if tag == "__odict__" else dict(items)
            except TypeError:
                raise _corrupt("unhashable dict key") from None
        if tag == "__tuple__":
            return tuple(dec(v, depth + 1) for v in _list(val))
        if tag == "__float__":
            if val not in ("inf", "-inf", "nan"):
                raise _corrupt(f"bad float {val!r:.40}")
            return float(val)
        if tag == "__size__":
            vals = _list(val)
            if not all(type(v) is int and v >= 0 for v in vals):
                raise _corrupt("bad Size")
            return Size(vals)
        if tag == "__dtype__":
            if not isinstance(val, str) or val not in _dt._NAMES:
                raise _corrupt(f"unknown dtype {val!r:.40}")
            return _dt._NAMES[val]
        if tag == "__complex__":
            re, im = (dec(v, depth + 1) for v in _pair(val))
            if not all(isinstance(v, (int, float)) for v in (re, im)):
                raise _corrupt("bad complex")
            return complex(re, im)
        if tag == "__bytes__":
            try:
                return bytes.fromhex(val)
            except (TypeError, ValueError):
                raise _corrupt("bad bytes") from None
        raise _corrupt(f"unknown tag {tag!r:.40}")


def _list(val):
    if not isinstance(val, list):
        raise _corrupt("expected a list")
    return val


def _pair(val):
    if not isinstance(val, list) or len(val) != 2:
        raise _corrupt("expected a [key, value] pair")
    return val


def _check_map_location(map_location):
    _map_location.check(map_location)


def load_ember_v1(archive: Archive, map_location, weights_only, pickle_module, load_args):
    try:
        manifest = json.loads(archive.read_record(MANIFEST))
    except (ValueError, RecursionError) as e:
        raise _corrupt(f"unreadable manifest ({type(e).__name__})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != _FORMAT:
        raise _corrupt("manifest is not an ember checkpoint manifest")
    version = manifest.get("version", 0)
    if type(version) is not int:
        raise _corrupt("bad version")
    if version > _VERSION:
        raise RuntimeError(
            f"ember.load: checkpoint version {version} is newer than this ember supports "
            f"({_VERSION})"
        )
    if manifest.get("pickled"):
        if weights_only:
            raise pickle.UnpicklingError(
                "Weights only load failed. This file holds a pickled Python object "
                "(saved from something other than tensors in plain containers, e.g. a "
                "whole nn.Module); unpickling can run arbitrary code. If you trust its "
                "source, re-run ember.load with weights_only=False."
            )
        pm = pickle if pickle_module is None else pickle_module
        obj = pm.loads(archive.read_record(_PICKLE), **load_args)
        _check_map_location(map_location)
        return obj
    if "object" not in manifest:
        raise _corrupt("manifest has no object")
    return _Reader(archive, map_location).decode(manifest["object"])
