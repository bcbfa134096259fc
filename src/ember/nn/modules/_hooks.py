"""The machinery behind ``Module.register_full_backward_hook``: identity nodes around a
module's call, whose node hooks see the gradients w.r.t. its outputs and then its inputs (the
design of PyTorch's ``torch.utils.hooks.BackwardHook``), and the hooks registered for every
module at once (``register_module_forward_hook``...)."""

from __future__ import annotations

import warnings
from collections import OrderedDict

from ...autograd.function import Function
from ...autograd.grad_mode import _state
from ...tensor import Tensor
from ...utils.hooks import RemovableHandle

_global_forward_pre_hooks: dict = OrderedDict()
_global_forward_hooks: dict = OrderedDict()
_global_backward_hooks: dict = OrderedDict()
_global_backward_pre_hooks: dict = OrderedDict()


class _Handle(RemovableHandle):
    """A handle that also clears the per-hook flag dicts (``with_kwargs``, ``always_call``)."""

    __slots__ = ("_extra",)

    def __init__(self, store, extra=()):
        RemovableHandle.__init__(self, store)
        self._extra = extra

    def remove(self) -> None:
        self._store.pop(self.id, None)
        for d in self._extra:
            d.pop(self.id, None)


def _register(store, hook, prepend=False, extra=()):
    handle = _Handle(store, extra)
    store[handle.id] = hook
    if prepend:
        store.move_to_end(handle.id, last=False)
    for d in extra:
        d[handle.id] = True
    return handle


def register_module_forward_pre_hook(hook) -> RemovableHandle:
    """A forward pre-hook run before every module's forward: ``hook(module, args)``."""
    return _register(_global_forward_pre_hooks, hook)


def register_module_forward_hook(hook, *, always_call=False) -> RemovableHandle:
    """A forward hook run after every module's forward: ``hook(module, args, output)``."""
    return _register(_global_forward_hooks, hook)


def register_module_full_backward_hook(hook) -> RemovableHandle:
    """A backward hook for every module: ``hook(module, grad_input, grad_output)``."""
    return _register(_global_backward_hooks, hook)


def register_module_full_backward_pre_hook(hook) -> RemovableHandle:
    """A backward pre-hook for every module: ``hook(module, grad_output)``."""
    return _register(_global_backward_pre_hooks, hook)


class BackwardHookFunction(Function):
    """y = x (for every tensor argument);  dy/dx = 1. Marks where a module's gradients pass,
    so hooks on its node see the module's grad_input / grad_output (PyTorch's design)."""

    @staticmethod
    def forward(ctx, *args):
        ctx.mark_non_differentiable(*[a for a in args if isinstance(a, Tensor)
                                      and not a.requires_grad])
        return args

    @staticmethod
    def backward(ctx, *args):
        return args


class _BackwardHook:
    """One call's state for ``register_full_backward_hook``: the output-side node records the
    gradient w.r.t. the outputs; the input-side node then calls the user hooks."""

    def __init__(self, module, user_hooks, user_pre_hooks):
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs = None
        self.n_outputs = -1
        self.output_tensors_index = None
        self.n_inputs = -1
        self.input_tensors_index = None

    @staticmethod
    def _pack_with_none(indices, values, size):
        res = [None] * size
        for idx, val in zip(indices, values):
            res[idx] = val
        return tuple(res)

    @staticmethod
    def _unpack_none(indices, values):
        return tuple(values[idx] for idx in indices)

    def _apply_on_tensors(self, fn, args):
        tensors_idx = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        tensors = [args[i] for i in tensors_idx]
        if not (_state.enabled and any(t.requires_grad for t in tensors)):
            return args, None
        new_tensors = BackwardHookFunction.apply(*tensors)
        if not isinstance(new_tensors, tuple):
            new_tensors = (new_tensors,)
        grad_fns = [t.grad_fn for t in new_tensors if t.grad_fn is not None
                    and type(t.grad_fn).__name__ == "BackwardHookFunctionBackward"]
        fn(grad_fns[0])
        arg_list = list(args)
        for idx, val in zip(tensors_idx, new_tensors):
            arg_list[idx] = val
        return tuple(arg_list), tensors_idx

    def setup_input_hook(self, args):
        def fn(grad_fn):
            def hook(grad_input, _):
                if self.grad_outputs is None:
                    return None  # the module's outputs took no part in this backward
                res = self._pack_with_none(self.input_tensors_index, grad_input, self.n_inputs)
                for user_hook in self.user_hooks:
                    out = user_hook(self.module, res, self.grad_outputs)
                    if out is None:
                        continue
                    if len(out) != len(res):
                        raise RuntimeError(
                            "Backward hook returned an invalid number of grad_input, got "
                            f"{len(out)}, but expected {len(res)}"
                        )
                    res = out
                self.grad_outputs = None
                return self._unpack_none(self.input_tensors_index, res)

            grad_fn.register_hook(hook)

        self.n_inputs = len(args)
        res, idx = self._apply_on_tensors(fn, args)
        self.input_tensors_index = idx
        return res

    def setup_output_hook(self, result):
        def fn(grad_fn):
            def hook(_, grad_output):
                self.grad_outputs = self._pack_with_none(self.output_tensors_index, grad_output,
                                                         self.n_outputs)
                for pre_hook in self.user_pre_hooks:
                    out = pre_hook(self.module, self.grad_outputs)
                    if out is None:
                        continue
                    if len(out) != len(self.grad_outputs):
                        raise RuntimeError(
                            "Backward pre hook returned an invalid number of grad_output, got "
                            f"{len(out)}, but expected {len(self.grad_outputs)}"
                        )
                    self.grad_outputs = out
                local = self.grad_outputs
                if self.input_tensors_index is None:
                    warnings.warn(
                        "Full backward hook is firing when gradients are computed with respect "
                        "to module outputs since no inputs require gradients. See "
                        "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html#torch."
                        "nn.Module.register_full_backward_hook for more details.", stacklevel=5)
                    grad_inputs = self._pack_with_none([], [], self.n_inputs)
                    for user_hook in self.user_hooks:
                        res = user_hook(self.module, grad_inputs, self.grad_outputs)
                        if res is not None and not (isinstance(res, tuple)
                                                    and all(el is None for el in res)):
                            raise RuntimeError(
                                "Backward hook for Modules where no input requires gradient "
                                "should always return None or None for all gradients."
                            )
                    self.grad_outputs = None
                return tuple(local[i] for i in self.output_tensors_index)

            grad_fn.register_hook(hook)

        single = not isinstance(result, tuple)
        args = (result,) if single else result
        self.n_outputs = len(args)
        res, idx = self._apply_on_tensors(fn, args)
        self.output_tensors_index = idx
        return res[0] if single else res
