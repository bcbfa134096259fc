"""Unpicklers for PyTorch's checkpoint pickles: a weights-only one that runs no code, and the
full one ``weights_only=False`` uses.

``WeightsUnpickler`` follows ``torch._weights_only_unpickler``: it interprets the pickle opcodes
itself, looks ``GLOBAL`` names up only in an allow-list (the tensor-rebuilding functions, storage
types, dtypes, ``torch.Size``, ``torch.device``, ``OrderedDict`` ... plus what the user adds
with ``add_safe_globals``), lets ``REDUCE``/``NEWOBJ``/``BUILD`` touch only allowed objects, and
raises ``pickle.UnpicklingError`` with PyTorch's text for anything else. So no file can run
code. Every malformed-stream failure (an empty stack, a missing memo entry, a truncated
string, bad argument types) is also an ``UnpicklingError``, never a bare library error.

``FullUnpickler`` is Python's unpickler with PyTorch's names mapped to ember's: ``torch.X.Y``
resolves to ``ember.X.Y``, so a whole pickled ``nn.Module`` written by either library loads
(when the user trusts the file and passes ``weights_only=False``).
"""

from __future__ import annotations

import codecs
import importlib
import pickle
import struct
from collections import Counter, OrderedDict

from . import _rebuild

# modules never allowed, even if the user allow-lists something from them (as in PyTorch)
_BLOCKED_MODULES = ("sys", "os", "posix", "nt")
_safe_globals: set = set()


def add_safe_globals(safe_globals: list) -> None:
    """Allow these globals (classes, functions, or ``(obj, "module.qualname")`` pairs) when
    loading with ``weights_only=True``, as ``torch.serialization.add_safe_globals``.

    Example::

        ember.serialization.add_safe_globals([MyConfig])
        ck = ember.load("ck.pt")       # may now build MyConfig objects
    """
    global _safe_globals
    _safe_globals = _safe_globals | set(safe_globals)


def get_safe_globals() -> list:
    """The globals added with ``add_safe_globals`` / ``safe_globals``."""
    return list(_safe_globals)


def clear_safe_globals() -> None:
    """Forget every global added with ``add_safe_globals``."""
    global _safe_globals
    _safe_globals = set()


def _remove_safe_globals(globals_to_remove) -> None:
    global _safe_globals
    _safe_globals = _safe_globals - set(globals_to_remove)


class safe_globals:
    """Context manager: allow these globals for the ``weights_only`` loads inside it.

    Example::

        with ember.serialization.safe_globals([MyConfig]):
            ck = ember.load("ck.pt")
    """

    def __init__(self, safe_globals: list):
        self.safe_globals = safe_globals

    def __enter__(self):
        add_safe_globals(self.safe_globals)

    def __exit__(self, type, value, tb):
        _remove_safe_globals(self.safe_globals)


def _user_allowed() -> dict:
    rc = {}
    for f in _safe_globals:
        if isinstance(f, tuple):
            if len(f) != 2:
                raise ValueError(
                    "Expected tuple of length 2 (global, str of callable full path), but got "
                    f"tuple of length: {len(f)}"
                )
            if type(f[1]) is not str:
                raise TypeError(
                    "Expected second item in tuple to be str of callable full path, but got: "
                    f"{type(f[1])}"
                )
            rc[f[1]] = f[0]
        else:
            rc[f"{f.__module__}.{f.__qualname__}"] = f
    return rc


_ALLOWED = None


def _allowed() -> dict:
    """PyTorch's default allow-list (torch._weights_only_unpickler._get_allowed_globals), by
    PyTorch's names, pointing at ember's objects."""
    global _ALLOWED
    if _ALLOWED is None:
        from .. import dtypes as _dt
        from ..device import device
        from ..nn.parameter import Parameter
        from ..tensor import Tensor

        rc = {
            "collections.OrderedDict": OrderedDict,
            "collections.Counter": Counter,
            "torch.nn.parameter.Parameter": Parameter,
            "torch.serialization._get_layout": _rebuild._get_layout,
            "torch.Size": _rebuild._size,
            "torch.Tensor": Tensor,
            "torch.device": device,
            "_codecs.encode": codecs.encode,
            "builtins.bytearray": _rebuild._bytearray,
            "builtins.set": set,
            "builtins.complex": complex,
            "torch._tensor._rebuild_from_type_v2": _rebuild._rebuild_from_type_v2,
        }
        for name, dt in _dt._NAMES.items():
            rc[f"torch.{name}"] = dt
        for name in _rebuild.STORAGE_NAMES:
            try:
                rc[f"torch.{name}"] = _rebuild.StorageType(name)
            except KeyError:  # bfloat16 without ml_dtypes
                pass
        for name, f in _rebuild.REBUILD_FUNCTIONS.items():
            rc[f"torch._utils.{name}"] = f
        _ALLOWED = rc
    return _ALLOWED


def _is_allowed_value(obj, user: dict) -> bool:
    return any(obj is v for v in _allowed().values()) or any(obj is v for v in user.values())


def _unsupported_global(full_path: str) -> pickle.UnpicklingError:
    if full_path.startswith("builtins."):
        full_path = full_path[len("builtins.") :]
    return pickle.UnpicklingError(
        f"Unsupported global: GLOBAL {full_path} was not an allowed global by default. "
        f"Please use `torch.serialization.add_safe_globals([{full_path}])` or the "
        f"`torch.serialization.safe_globals([{full_path}])` context manager to allowlist this "
        "global if you trust this class/function."
    )


# Python 2 names in protocol-2 pickles (the subset of torch._utils.IMPORT_MAPPING that matters)
_IMPORT_MAPPING = {"__builtin__": "builtins", "copy_reg": "copyreg", "_codecs": "_codecs"}

_OPS = {
    op[0]: name
    for name, op in vars(pickle).items()
    if name.isupper()
    and isinstance(op, bytes)
    and len(op) == 1
    and name not in ("HIGHEST_PROTOCOL",)
}


class WeightsUnpickler:
    """Loads the pickle in ``file`` building only allow-listed objects; ``persistent_load``
    resolves ``('storage', ...)`` ids."""

    def __init__(self, file, persistent_load):
        self.read = file.read
        self.readline = file.readline
        self.persistent_load = persistent_load
        self.memo: dict = {}
        self.user = _user_allowed()

    def load(self):
        try:
            return self._load()
        except (pickle.UnpicklingError, RuntimeError):
            raise
        except RecursionError:
            raise pickle.UnpicklingError("the pickle nests too deeply") from None
        except MemoryError:
            raise pickle.UnpicklingError("the pickle asks for more memory than exists") from None
        except Exception as e:  # a malformed stream: empty stack, bad memo index, bad args...
            raise pickle.UnpicklingError(f"malformed pickle ({type(e).__name__}: {e})") from None

    def _readn(self, n):
        data = self.read(n)
        if len(data) != n:
            raise pickle.UnpicklingError("pickle data was truncated")
        return data

    def _global(self, module, name):
        module = _IMPORT_MAPPING.get(module, module)
        full_path = f"{module}.{name}"
        if module in _BLOCKED_MODULES:
            raise pickle.UnpicklingError(
                f"Trying to load unsupported GLOBAL {full_path} whose module {module} is blocked."
            )
        allowed = _allowed()
        if full_path in allowed:
            return allowed[full_path]
        if full_path in self.user:
            return self.user[full_path]
        raise _unsupported_global(full_path)

    def _pop_mark(self):
        items = self.stack
        self.stack = self.metastack.pop()
        return items

    def _load(self):
        self.metastack = []
        self.stack = []
        read, unpack = self._readn, struct.unpack
        while True:
            key = self.read(1)
            if not key:
                raise EOFError("Ran out of input")
            op = _OPS.get(key[0])
            stack = self.stack
            if op == "GLOBAL":
                module = self.readline()[:-1].decode("utf-8")
                name = self.readline()[:-1].decode("utf-8")
                stack.append(self._global(module, name))
            elif op == "STACK_GLOBAL":
                name, module = stack.pop(), stack.pop()
                if type(name) is not str or type(module) is not str:
                    raise pickle.UnpicklingError("STACK_GLOBAL requires str")
                stack.append(self._global(module, name))
            elif op == "NEWOBJ":
                args, cls = stack.pop(), stack.pop()
                from ..nn.parameter import Parameter

                if cls is Parameter:
                    stack.append(Parameter(*args))
                elif isinstance(cls, type) and _is_allowed_value(cls, self.user):
                    stack.append(cls.__new__(cls, *args))
                else:
                    raise pickle.UnpicklingError(
                        "Can only create new object for nn.Parameter or classes allowlisted "
                        f"via `add_safe_globals` but got {cls}"
                    )
            elif op == "REDUCE":
                args = stack.pop()
                func = stack[-1]
                if not _is_allowed_value(func, self.user):
                    msg = f"Trying to call reduce for unrecognized function {func}"
                    if hasattr(func, "__self__"):
                        msg += f" which belongs to {func.__self__}"
                    raise pickle.UnpicklingError(msg)
                if type(args) is not tuple:
                    raise pickle.UnpicklingError("REDUCE arguments must be a tuple")
                stack[-1] = func(*args)
            elif op == "BUILD":
                state = stack.pop()
                self._build(stack[-1], state)
            elif op == "APPEND":
                item = stack.pop()
                if type(stack[-1]) is not list:
                    raise pickle.UnpicklingError(
                        f"Can only append to lists, but got {type(stack[-1])}"
                    )
                stack[-1].append(item)
            elif op == "APPENDS":
                items = self._pop_mark()
                if type(self.stack[-1]) is not list:
                    raise pickle.UnpicklingError(
                        f"Can only extend lists, but got {type(self.stack[-1])}"
                    )
                self.stack[-1].extend(items)
            elif op == "SETITEM":
                v, k = stack.pop(), stack.pop()
                self._check_dict("SETITEM")
                stack[-1][k] = v
            elif op == "SETITEMS":
                items = self._pop_mark()
                self._check_dict("SETITEMS")
                if len(items) % 2:
                    raise pickle.UnpicklingError("SETITEMS needs key/value pairs")
                target = self.stack[-1]
                for i in range(0, len(items), 2):
                    target[items[i]] = items[i + 1]
            elif op == "ADDITEMS":
                items = self._pop_mark()
                if type(self.stack[-1]) is not set:
                    raise pickle.UnpicklingError("Can only add items to sets")
                self.stack[-1].update(items)
            elif op == "MARK":
                self.metastack.append(stack)
                self.stack = []
            elif op == "POP_MARK":
                self._pop_mark()
            elif op == "POP":
                stack.pop()
            elif op == "DUP":
                stack.append(stack[-1])
            elif op == "TUPLE":
                items = self._pop_mark()
                self.stack.append(tuple(items))
            elif op == "LIST":
                items = self._pop_mark()
                self.stack.append(list(items))
            elif op == "DICT":
                items = self._pop_mark()
                if len(items) % 2:
                    raise pickle.UnpicklingError("DICT needs key/value pairs")
                self.stack.append({items[i]: items[i + 1] for i in range(0, len(items), 2)})
            elif op == "TUPLE1":
                stack[-1] = (stack[-1],)
            elif op == "TUPLE2":
                if len(stack) < 2:
                    raise pickle.UnpicklingError("stack underflow")
                stack[-2:] = [(stack[-2], stack[-1])]
            elif op == "TUPLE3":
                if len(stack) < 3:
                    raise pickle.UnpicklingError("stack underflow")
                stack[-3:] = [(stack[-3], stack[-2], stack[-1])]
            elif op == "NONE":
                stack.append(None)
            elif op == "NEWFALSE":
                stack.append(False)
            elif op == "NEWTRUE":
                stack.append(True)
            elif op == "EMPTY_TUPLE":
                stack.append(())
            elif op == "EMPTY_LIST":
                stack.append([])
            elif op == "EMPTY_DICT":
                stack.append({})
            elif op == "EMPTY_SET":
                stack.append(set())
            elif op == "BININT":
                stack.append(unpack("<i", read(4))[0])
            elif op == "BININT1":
                stack.append(read(1)[0])
            elif op == "BININT2":
                stack.append(unpack("<H", read(2))[0])
            elif op == "LONG1":
                stack.append(pickle.decode_long(read(read(1)[0])))
            elif op == "LONG4":
                n = unpack("<i", read(4))[0]
                if n < 0 or n > 1 << 16:
                    raise pickle.UnpicklingError("LONG4 integer is out of range")
                stack.append(pickle.decode_long(read(n)))
            elif op == "BINFLOAT":
                stack.append(unpack(">d", read(8))[0])
            elif op in ("BINUNICODE", "SHORT_BINUNICODE", "BINUNICODE8"):
                n = (
                    read(1)[0]
                    if op == "SHORT_BINUNICODE"
                    else unpack(
                        "<I" if op == "BINUNICODE" else "<Q", read(4 if op == "BINUNICODE" else 8)
                    )[0]
                )
                stack.append(str(read(n), "utf-8", "surrogatepass"))
            elif op in ("SHORT_BINSTRING", "SHORT_BINBYTES", "BINBYTES"):
                n = unpack("<I", read(4))[0] if op == "BINBYTES" else read(1)[0]
                stack.append(read(n))
            elif op == "BINPERSID":
                pid = stack.pop()
                if type(pid) is not tuple and type(pid) is not int:
                    raise pickle.UnpicklingError(
                        f"persistent_load id must be tuple or int, but got {type(pid)}"
                    )
                if type(pid) is tuple and len(pid) > 0 and _ascii(pid[0]) != "storage":
                    raise pickle.UnpicklingError(
                        f"Only persistent_load of storage is allowed, but got {type(pid[0])}"
                    )
                stack.append(self.persistent_load(pid))
            elif op in ("BINGET", "LONG_BINGET"):
                i = read(1)[0] if op == "BINGET" else unpack("<I", read(4))[0]
                if i not in self.memo:
                    raise pickle.UnpicklingError(f"Memo value not found at index {i}")
                stack.append(self.memo[i])
            elif op in ("BINPUT", "LONG_BINPUT"):
                i = read(1)[0] if op == "BINPUT" else unpack("<I", read(4))[0]
                self.memo[i] = stack[-1]
            elif op == "MEMOIZE":
                self.memo[len(self.memo)] = stack[-1]
            elif op == "FRAME":
                read(8)
            elif op == "PROTO":
                proto = read(1)[0]
                if proto > pickle.HIGHEST_PROTOCOL:
                    raise pickle.UnpicklingError(f"unsupported pickle protocol: {proto}")
            elif op == "STOP":
                if len(stack) != 1 or self.metastack:
                    raise pickle.UnpicklingError("the pickle ended with a malformed stack")
                return stack.pop()
            else:
                raise pickle.UnpicklingError(f"Unsupported operand {key[0]}")

    def _check_dict(self, opcode):
        if type(self.stack[-1]) not in (dict, OrderedDict, Counter):
            raise pickle.UnpicklingError(
                f"Can only {opcode} for dict, collections.OrderedDict, "
                f"collections.Counter, but got {type(self.stack[-1])}"
            )

    def _build(self, inst, state):
        from ..nn.parameter import Parameter
        from ..tensor import Tensor

        if type(inst) is OrderedDict:
            if not isinstance(state, dict):
                raise pickle.UnpicklingError("OrderedDict state must be a dict")
            inst.__dict__.update(state)
        elif type(inst) in (Tensor, Parameter):
            # PyTorch's Tensor.__setstate__ state: (storage-less legacy) or a dict of attributes
            if isinstance(state, tuple) and len(state) >= 2 and isinstance(state[-1], dict):
                state = state[-1]
            if isinstance(state, dict):
                inst.__dict__.update({k: v for k, v in state.items() if isinstance(k, str)})
            elif isinstance(state, tuple) and len(state) == 4:
                inst.requires_grad_(bool(state[2]))
            else:
                raise pickle.UnpicklingError("malformed tensor state")
        elif any(type(inst) is v for v in self.user.values()) or type(inst) in (Counter, set):
            if hasattr(inst, "__setstate__") and type(inst).__setstate__ is not object.__setstate__:
                inst.__setstate__(state)
            else:
                slotstate = None
                if isinstance(state, tuple) and len(state) == 2:
                    state, slotstate = state
                if state:
                    inst.__dict__.update(state)
                if slotstate:
                    for k, v in slotstate.items():
                        setattr(inst, k, v)
        else:
            raise pickle.UnpicklingError(
                "Can only build Tensor, Parameter, OrderedDict or types allowlisted "
                f"via `add_safe_globals`, but got {type(inst)}"
            )


def _ascii(v):
    return v.decode("ascii") if isinstance(v, bytes) else v


def globals_in_pickle(data: bytes) -> list:
    """Every ``module.name`` a pickle refers to, found without running it (for
    ``get_unsafe_globals_in_checkpoint``)."""
    import pickletools

    found, strings = [], []
    try:
        for op, arg, _ in pickletools.genops(data):
            if op.name == "GLOBAL":
                module, name = arg.split(" ", 1)
                found.append(f"{_IMPORT_MAPPING.get(module, module)}.{name}")
            elif op.name in ("SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE"):
                strings.append(arg)
            elif op.name == "STACK_GLOBAL" and len(strings) >= 2:
                found.append(f"{strings[-2]}.{strings[-1]}")
    except Exception as e:
        raise pickle.UnpicklingError(f"malformed pickle ({type(e).__name__}: {e})") from None
    return list(dict.fromkeys(found))


class FullUnpickler(pickle.Unpickler):
    """Python's unpickler (runs whatever the file says: only for trusted files) with
    ``torch.*`` names served by ember and storages from the archive."""

    def __init__(self, file, persistent_load, **kwargs):
        super().__init__(file, **kwargs)
        self._persistent = persistent_load

    def persistent_load(self, pid):
        return self._persistent(pid)

    def find_class(self, module, name):
        module = _IMPORT_MAPPING.get(module, module)
        if module == "torch._utils" and name in _rebuild.REBUILD_FUNCTIONS:
            return _rebuild.REBUILD_FUNCTIONS[name]
        full = f"{module}.{name}"
        allowed = _allowed()
        if module.split(".")[0] == "torch" and full in allowed:
            return allowed[full]
        if module == "torch" or module.startswith("torch."):
            try:
                mod = importlib.import_module("ember" + module[len("torch") :])
            except ImportError:
                raise pickle.UnpicklingError(
                    f"this checkpoint refers to {full}, and ember has no module "
                    f"ember{module[len('torch') :]}"
                ) from None
            obj = mod
            try:
                for part in name.split("."):
                    obj = getattr(obj, part)
            except AttributeError:
                raise pickle.UnpicklingError(
                    f"this checkpoint refers to {full}, which ember does not have"
                ) from None
            return obj
        return super().find_class(module, name)
