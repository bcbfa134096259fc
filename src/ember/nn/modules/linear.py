"""``Linear``, ``Bilinear`` and ``Identity``, initialised as PyTorch initialises them."""

from __future__ import annotations

import math

from ...autograd.grad_mode import no_grad
from ...ops.factories import empty
from .. import functional as F
from .. import init
from ..parameter import Parameter, UninitializedParameter
from .module import Module

__all__ = ["Identity", "Linear", "Bilinear", "LazyLinear"]


class Identity(Module):
    """Returns its input unchanged; any constructor arguments are ignored.

    Example::

        ember.nn.Identity(54, unused="x")(ember.ones(2))   # tensor([1., 1.])
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """y = x W^T + b over the last dimension: ``Linear(in_features, out_features, bias=True)``.

    ``weight`` (out, in) is initialised with kaiming_uniform_(a=sqrt(5)), i.e. U(-1/sqrt(in),
    1/sqrt(in)), and ``bias`` with U(-1/sqrt(in), 1/sqrt(in)), as in PyTorch.

    Example::

        fc = ember.nn.Linear(3, 2)
        fc(ember.randn(4, 3)).shape    # torch.Size([4, 2])
    """

    __constants__ = ["in_features", "out_features"]

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(empty((out_features, in_features), device=device, dtype=dtype))
        self.register_parameter(
            "bias", Parameter(empty(out_features, device=device, dtype=dtype)) if bias else None
        )
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Bilinear(Module):
    """y = x1^T A x2 + b: ``Bilinear(in1_features, in2_features, out_features, bias=True)``;
    weight and bias drawn from U(-1/sqrt(in1), 1/sqrt(in1))."""

    __constants__ = ["in1_features", "in2_features", "out_features"]

    def __init__(self, in1_features: int, in2_features: int, out_features: int,
                 bias: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = Parameter(empty((out_features, in1_features, in2_features), device=device,
                                      dtype=dtype))
        self.register_parameter(
            "bias", Parameter(empty(out_features, device=device, dtype=dtype)) if bias else None
        )
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.weight.size(1))
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class LazyLinear(Linear):
    """A ``Linear`` whose ``in_features`` is read from the first input: ``LazyLinear(out)``.
    Until then its weight and bias are ``UninitializedParameter``s; the first call
    materializes them (same objects, so an optimizer built earlier sees them), initializes
    them as ``Linear`` does, and the module becomes a ``Linear``.

    Example::

        fc = ember.nn.LazyLinear(3)
        fc(ember.ones(2, 5)).shape     # torch.Size([2, 3]);  fc is now Linear(5, 3)
    """

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device=None, dtype=None) -> None:
        Module.__init__(self)
        self.in_features = 0
        self.out_features = out_features
        self.weight = UninitializedParameter(dtype=dtype)
        self.register_parameter("bias", UninitializedParameter(dtype=dtype) if bias else None)
        self._initialize_hook = self.register_forward_pre_hook(LazyLinear._infer_parameters)
        self._load_hook = self.register_load_state_dict_pre_hook(LazyLinear._lazy_load_hook)

    def has_uninitialized_params(self) -> bool:
        return any(isinstance(p, UninitializedParameter) for p in self._parameters.values())

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input) -> None:
        if self.has_uninitialized_params():
            with no_grad():
                self.in_features = input.shape[-1]
                self.weight.materialize((self.out_features, self.in_features))
                if self.bias is not None:
                    self.bias.materialize((self.out_features,))
                self.reset_parameters()

    @staticmethod
    def _infer_parameters(module, args):
        module.initialize_parameters(*args)
        if module.has_uninitialized_params():
            raise RuntimeError(
                f"module {module._get_name()} has not been fully initialized"
            )
        module._initialize_hook.remove()
        module._load_hook.remove()
        del module._initialize_hook
        del module._load_hook
        module.__class__ = module.cls_to_become

    @staticmethod
    def _lazy_load_hook(module, state_dict, prefix, local_metadata, strict, missing_keys,
                        unexpected_keys, error_msgs):
        for name, param in module._parameters.items():
            key = prefix + name
            if isinstance(param, UninitializedParameter) and key in state_dict:
                value = state_dict[key]
                if not isinstance(value, UninitializedParameter):
                    with no_grad():
                        param.materialize(value._data.shape)


def __getattr__(name):
    # PyTorch defines NonDynamicallyQuantizableLinear in this module: pickled models name this path. It lives in
    # transformer.py (which imports this module), so it is looked up on first use.
    if name == "NonDynamicallyQuantizableLinear":
        from .transformer import NonDynamicallyQuantizableLinear

        return NonDynamicallyQuantizableLinear
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
