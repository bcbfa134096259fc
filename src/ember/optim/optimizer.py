"""``Optimizer``: parameter groups, per-parameter state, state_dict, zero_grad and step hooks.

Every optimizer follows PyTorch's single-tensor ("for-loop") implementation formula by formula,
but updates the parameters' arrays in place (``p._data``) with NumPy's ``out=`` arithmetic and a
few reusable scratch buffers, so a step allocates nothing once the state exists. State tensors
have PyTorch's keys and dtypes (``state[p]['step']`` is a 0-d float32 tensor, as in PyTorch), and
``state_dict()`` has PyTorch's layout: parameters are replaced by their indices.
"""

from __future__ import annotations

import functools
import warnings
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from copy import deepcopy
from itertools import chain
from typing import Any

from .. import dtypes as _dt
from ..autograd.grad_mode import enable_grad
from ..backend import guard_of as _guard_of
from ..backend import numpy as _np
from ..backend import xp_of
from ..tensor import Tensor
from ..utils.hooks import RemovableHandle

_ndarray = _np.ndarray

__all__ = [
    "Optimizer",
    "register_optimizer_step_post_hook",
    "register_optimizer_step_pre_hook",
    "required",
]


class _RequiredParameter:
    """Singleton class representing a required parameter for an Optimizer."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()

_global_optimizer_pre_hooks: dict = OrderedDict()
_global_optimizer_post_hooks: dict = OrderedDict()


def register_optimizer_step_pre_hook(hook) -> RemovableHandle:
    """``hook(optimizer, args, kwargs)`` runs before every optimizer's ``step``."""
    handle = RemovableHandle(_global_optimizer_pre_hooks)
    _global_optimizer_pre_hooks[handle.id] = hook
    return handle


def register_optimizer_step_post_hook(hook) -> RemovableHandle:
    """``hook(optimizer, args, kwargs)`` runs after every optimizer's ``step``."""
    handle = RemovableHandle(_global_optimizer_post_hooks)
    _global_optimizer_post_hooks[handle.id] = hook
    return handle


def _typename(obj) -> str:
    if isinstance(obj, Tensor):
        return "torch." + {"float32": "FloatTensor", "float64": "DoubleTensor"}.get(
            obj.dtype.name, "Tensor"
        )
    module = type(obj).__module__
    name = type(obj).__qualname__
    return name if module in ("builtins", None) else f"{module}.{name}"


def _hook_step(step):
    """Wrap a subclass's ``step`` so the registered pre/post hooks run around it."""

    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        pre = self._optimizer_step_pre_hooks
        if pre or _global_optimizer_pre_hooks:
            for hook in chain(_global_optimizer_pre_hooks.values(), pre.values()):
                result = hook(self, args, kwargs)
                if result is not None:
                    if isinstance(result, tuple) and len(result) == 2:
                        args, kwargs = result
                    else:
                        raise RuntimeError(
                            f"{step} must return None or a tuple of (new_args, new_kwargs), "
                            f"but got {result}."
                        )
        first = self.param_groups[0]["params"] if self.param_groups else ()
        if first and type(first[0]._data) is not _ndarray:
            with _guard_of(first[0]._data):  # cuda parameters: their device is current
                out = step(self, *args, **kwargs)
        else:
            out = step(self, *args, **kwargs)
        post = self._optimizer_step_post_hooks
        if post or _global_optimizer_post_hooks:
            for hook in chain(post.values(), _global_optimizer_post_hooks.values()):
                hook(self, args, kwargs)
        return out

    wrapper.hooked = True
    return wrapper


def _scalar_dtype():
    """PyTorch keeps ``step`` counters as float64 when that is the default dtype, else float32."""
    return _dt.float64.np if _dt.get_default_dtype() is _dt.float64 else _dt.float32.np


def _to_float(x):
    """A hyperparameter given as a 1-element Tensor, as a Python number."""
    return x.item() if isinstance(x, Tensor) else x


class Optimizer:
    """Base class of all optimizers.

    Args:
        params: an iterable of Tensors, of ``(name, Tensor)`` pairs, or of dicts (parameter
            groups, each with a ``'params'`` entry and options overriding ``defaults``).
        defaults: the default value of every option.

    A subclass implements ``step(closure=None)``; registered step hooks run around it.

    Example::

        opt = ember.optim.SGD([w], lr=0.1)
        opt.zero_grad(); loss(w).backward(); opt.step()
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "hooked", False):
            cls.step = _hook_step(step)

    def __init__(self, params, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        self._optimizer_state_dict_pre_hooks = OrderedDict()
        self._optimizer_state_dict_post_hooks = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks = OrderedDict()
        self._optimizer_load_state_dict_post_hooks = OrderedDict()
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                "dicts, but got " + _typename(params)
            )
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    # ----- pickling / copying ----------------------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for name in (
            "_optimizer_step_pre_hooks",
            "_optimizer_step_post_hooks",
            "_optimizer_state_dict_pre_hooks",
            "_optimizer_state_dict_post_hooks",
            "_optimizer_load_state_dict_pre_hooks",
            "_optimizer_load_state_dict_post_hooks",
        ):
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())
        self.defaults.setdefault("differentiable", False)

    def __repr__(self) -> str:
        format_string = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            format_string += "\n"
            format_string += f"Parameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    format_string += f"    {key}: {group[key]}\n"
        format_string += ")"
        return format_string

    # ----- hooks ---------------------------------------------------------------------------
    @staticmethod
    def _add(store, hook, prepend=False) -> RemovableHandle:
        handle = RemovableHandle(store)
        store[handle.id] = hook
        if prepend:
            store.move_to_end(handle.id, last=False)
        return handle

    def register_step_pre_hook(self, hook) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` runs before ``step``; it may return new
        ``(args, kwargs)``."""
        return self._add(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` runs after ``step``."""
        return self._add(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        return self._add(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        return self._add(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        return self._add(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        return self._add(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # ----- state_dict ----------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as ``{'state': {index: {...}}, 'param_groups': [...]}``.

        Parameters are replaced by their position across all groups, as in PyTorch; the state
        tensors are the optimizer's own (not copies).
        """
        for pre_hook in self._optimizer_state_dict_pre_hooks.values():
            pre_hook(self)
        param_mappings: dict[int, int] = {}
        start_index = 0

        def pack_group(group):
            nonlocal start_index
            packed = {k: v for k, v in group.items() if k != "params"}
            param_mappings.update(
                {
                    id(p): i
                    for i, p in enumerate(group["params"], start_index)
                    if id(p) not in param_mappings
                }
            )
            packed["params"] = [param_mappings[id(p)] for p in group["params"]]
            start_index += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {
            (param_mappings[id(k)] if isinstance(k, Tensor) else k): v
            for k, v in self.state.items()
        }
        state_dict = {"state": packed_state, "param_groups": param_groups}
        for post_hook in self._optimizer_state_dict_post_hooks.values():
            result = post_hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    @staticmethod
    def _process_value(param, value, key):
        """A loaded state tensor follows its parameter: same device (``step`` stays on the
        cpu, as PyTorch keeps it) and, for floating point parameters, same dtype."""
        if key == "step":
            return value
        if param.is_floating_point():
            return value.to(device=param.device, dtype=param.dtype)
        return value.to(device=param.device)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a state produced by ``state_dict()`` (parameters are matched by position)."""
        state_dict = state_dict.copy()
        for pre_hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = pre_hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of "
                "optimizer's group"
            )
        id_map = dict(
            zip(
                chain.from_iterable(g["params"] for g in saved_groups),
                chain.from_iterable(g["params"] for g in groups),
            )
        )

        def _cast(param, value, key=None):
            if isinstance(value, Tensor):
                return self._process_value(param, value, key)
            if isinstance(value, dict):
                return {k: _cast(param, v, key=k) for k, v in value.items()}
            if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
                return type(value)(_cast(param, v) for v in value)
            return value

        state: defaultdict = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = _cast(param, v)
            else:
                state[k] = v

        def update_group(group, new_group):
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            return new_group

        param_groups = [update_group(g, ng) for g, ng in zip(groups, saved_groups)]
        self.__setstate__({"state": state, "param_groups": param_groups})
        for post_hook in self._optimizer_load_state_dict_post_hooks.values():
            post_hook(self)

    # ----- gradients and groups ------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's ``.grad``: to None (default), or to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad
                if g is not None:
                    if set_to_none:
                        p._grad = None
                        p._grad_zeroed_by = type(self).__name__  # read by explain_grad
                    else:
                        if g._grad_fn is not None:
                            g.detach_()
                        else:
                            g._requires_grad = False
                        if not g._data.flags.writeable:  # a broadcast gradient: own it first
                            g._data = g._data.copy()
                        g._data[...] = 0
                        g._vc[0] += 1

    def step(self, closure=None):
        """Perform one optimization step (implemented by each optimizer)."""
        raise NotImplementedError

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a parameter group (a dict with ``'params'`` and optional options)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        else:
            param_group["params"] = list(params)
        tensors, names = [], []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) == len(tensors):
                param_group["param_names"] = names
            else:
                raise ValueError(
                    "all optimizer params should be with/without names. Some param names are "
                    "missing"
                )
        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is "
                    + _typename(param)
                )
            if not self.defaults.get("differentiable", None) and not (
                param.is_leaf or param.retains_grad
            ):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    "parameter group didn't specify a value of required optimization parameter "
                    f"{name}"
                )
            param_group.setdefault(name, default)
        params = param_group["params"]
        if len(params) != len(set(params)):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, "
                "this will cause an error; see github.com/pytorch/pytorch/issues/40967 for more "
                "information",
                stacklevel=3,
            )
        param_set: set = set()
        for group in self.param_groups:
            param_set.update(set(group["params"]))
            if ("param_names" in param_group) != ("param_names" in group):
                txt = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. "
                    f"cannot add param group {txt} to the optimizer"
                )
        if not param_set.isdisjoint(set(param_group["params"])):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # ----- helpers for the subclasses ----------------------------------------------------------
    def _setdefault_group_options(self, **options):
        """Give every group the options an older pickle or state_dict lacks (``__setstate__``)."""
        for group in self.param_groups:
            for name, value in options.items():
                group.setdefault(name, value)

    def _params_with_grad(self, group):
        """``(p, state)`` for each parameter of ``group`` that has a gradient; an empty state is
        first filled by the optimizer's ``_init_state(p, state, group)`` (PyTorch's
        ``_init_group``)."""
        state = self.state
        for p in group["params"]:
            if p._grad is None:
                continue
            st = state[p]
            if len(st) == 0:
                self._init_state(p, st, group)
            yield p, st

    def _init_step_and_zeros(self, p, st, *keys):
        """The usual state: ``'step'`` (a 0-d counter at 0), then a zero array like ``p`` under
        each of ``keys``."""
        st["step"] = self._step_tensor()
        for key in keys:
            st[key] = _zeros_like(p._data)

    def _updates(self, group, weight_decay):
        """The per-parameter loop of the single-tensor optimizers: for each parameter of
        ``group`` that has a gradient, add 1 to ``state['step']`` and yield
        ``(param, g, state, step)``: the parameter's array (updated in place by the loop's body),
        the gradient (negated when ``group['maximize']``, plus ``weight_decay * p``; a scratch
        array or ``p.grad``'s own, so read-only), both viewed as real numbers, the state and the
        new step count as a float. The parameter's version counter is bumped after the body."""
        for p, st in self._params_with_grad(group):
            g = _grad_array(self, p, 0, group["maximize"], weight_decay)
            step_t = st["step"]._data
            step_t += 1
            yield _real(p._data), _real(g), st, step_t.item()
            _bump(p)

    def _tmp(self, like, slot: int = 0):
        """A scratch array shaped like ``like``, reused across steps (never part of the state)."""
        scratch = self.__dict__.get("_scratch")
        if scratch is None:
            scratch = self.__dict__["_scratch"] = {}
        key = (like.shape, like.dtype, slot)
        buf = scratch.get(key)
        if buf is None:
            buf = scratch[key] = xp_of(like).empty(like.shape, like.dtype)
        return buf

    def _step_tensor(self, value: float = 0.0):
        import numpy as np  # state scalars live on the CPU, as PyTorch's non-capturable ones do

        return Tensor._make(np.array(value, dtype=_scalar_dtype()))


def _eval_closure(closure):
    """The loss from ``closure()``, evaluated with grad mode on; None without a closure."""
    if closure is None:
        return None
    with enable_grad():
        return closure()


def _check_lr(lr):
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def _check_nonnegative(**options):
    """PyTorch's ``Invalid <name> value: <value>`` ValueError for the first negative option."""
    for name, value in options.items():
        if not 0.0 <= value:
            raise ValueError(f"Invalid {'epsilon' if name == 'eps' else name} value: {value}")


def _defaults(**options):
    """An optimizer's ``defaults`` (its constructor's options, in PyTorch's order), refusing the
    options ember does not support."""
    _check_common(options)
    return options


def _check_common(defaults):
    """Options ember refuses rather than silently ignores (its steps are not differentiable)."""
    if defaults.get("differentiable"):
        raise RuntimeError(
            "ember: differentiable=True is not supported; optimizer steps update the "
            "parameters in place outside autograd"
        )
    if defaults.get("capturable"):
        raise RuntimeError("ember: capturable=True needs CUDA graphs, which ember does not have")


def _zeros_like(arr, fill=0):
    """State of ``arr``'s shape and dtype, on its device (CuPy allocates on the current one)."""
    if type(arr) is not _ndarray:
        with _guard_of(arr):
            return _new_state(xp_of(arr), arr, fill)
    return _new_state(_np, arr, fill)


def _new_state(xp, arr, fill):
    if fill == 0:
        return Tensor._make(xp.zeros(arr.shape, arr.dtype))
    return Tensor._make(xp.full(arr.shape, fill, arr.dtype))


def _state_arrays(state, *keys):
    """The arrays of ``state[key]`` for each key, viewed as real numbers (see ``_real``)."""
    return tuple(_real(state[key]._data) for key in keys)


def _real(a):
    """A complex array viewed as interleaved real numbers (``torch.view_as_real``); others as is."""
    if a.dtype.kind == "c":
        if not a.flags.c_contiguous:
            a = xp_of(a).ascontiguousarray(a)
        return a.view(a.real.dtype)
    return a


def _grad_array(opt, p, slot, maximize, weight_decay):
    """``grad`` (negated when maximizing, plus ``weight_decay * p``), as an array never written
    back into ``p.grad``: ``grad.add(param, alpha=weight_decay)`` in PyTorch's code."""
    g = p._grad._data
    if not maximize and weight_decay == 0:
        return g
    xp = xp_of(g)
    out = opt._tmp(g, slot)
    if weight_decay != 0:
        xp.multiply(p._data, weight_decay, out=out)
        if maximize:
            xp.subtract(out, g, out=out)
        else:
            xp.add(g, out, out=out)
    else:
        xp.negative(g, out=out)
    return out


def _lerp_(a, b, w, tmp):
    """``a.lerp_(b, w)`` with ATen's two-sided formula (exact at both ends)."""
    xp = xp_of(a)
    xp.subtract(b, a, out=tmp)
    if abs(w) < 0.5:
        tmp *= w
        a += tmp
    else:
        tmp *= w - 1
        xp.add(b, tmp, out=a)


def _addcmul_sq_(a, g, value, tmp):
    """``a.addcmul_(g, g, value=value)``: a += value * g * g."""
    xp = xp_of(a)
    xp.multiply(g, value, out=tmp)
    tmp *= g
    a += tmp


def _bump(p):
    p._vc[0] += 1
