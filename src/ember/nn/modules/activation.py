"""Activation modules: thin wrappers holding the arguments of the ``nn.functional`` forms."""

from __future__ import annotations

from ...ops.factories import empty
from .. import functional as F
from ..parameter import Parameter
from .module import Module

__all__ = [
    "ReLU", "ReLU6", "LeakyReLU", "PReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish",
    "Softplus", "Softsign", "Hardtanh", "Hardsigmoid", "Hardswish", "Tanh", "Sigmoid",
    "LogSigmoid", "Softmax", "LogSoftmax", "Softmin", "Softmax2d", "Threshold", "GLU",
    "Tanhshrink", "Softshrink", "Hardshrink", "RReLU",
]


def _inplace_str(inplace, first=False):
    if not inplace:
        return ""
    return "inplace=True" if first else ", inplace=True"


class _InplaceOnly(Module):
    """An activation whose one option is ``inplace``: ``forward`` is ``_fn(input, inplace)``."""

    __constants__ = ["inplace"]
    _fn = None

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return type(self)._fn(input, self.inplace)

    def extra_repr(self) -> str:
        return _inplace_str(self.inplace, True)


class ReLU(_InplaceOnly):
    """y = max(x, 0).

    Example::

        ember.nn.ReLU()(ember.tensor([-1.0, 2.0]))   # tensor([0., 2.])
    """

    _fn = staticmethod(F.relu)


class Hardtanh(Module):
    """y = clamp(x, min_val, max_val)."""

    __constants__ = ["min_val", "max_val", "inplace"]

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False,
                 min_value=None, max_value=None) -> None:
        super().__init__()
        if min_value is not None:
            min_val = min_value
        if max_value is not None:
            max_val = max_value
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace
        if self.max_val <= self.min_val:
            raise AssertionError(
                f"max_val ({self.max_val}) must be greater than min_val ({self.min_val})"
            )

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}{_inplace_str(self.inplace)}"


class ReLU6(Hardtanh):
    """y = min(max(x, 0), 6)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return _inplace_str(self.inplace, True)


class LeakyReLU(Module):
    """y = x if x > 0 else negative_slope * x."""

    __constants__ = ["inplace", "negative_slope"]

    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}{_inplace_str(self.inplace)}"


class PReLU(Module):
    """y = x if x > 0 else a * x with learnable ``a`` (one, or one per channel)."""

    __constants__ = ["num_parameters"]

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None,
                 dtype=None) -> None:
        self.num_parameters = num_parameters
        super().__init__()
        self.init = init
        self.weight = Parameter(empty(num_parameters, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        from .. import init as _init

        _init.constant_(self.weight, self.init)

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class _AlphaInplace(Module):
    """ELU and CELU: options ``alpha`` and ``inplace``; ``forward`` is
    ``_fn(input, alpha, inplace)``."""

    __constants__ = ["alpha", "inplace"]
    _fn = None

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return type(self)._fn(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}{_inplace_str(self.inplace)}"


class ELU(_AlphaInplace):
    """y = x if x > 0 else alpha (exp(x) - 1)."""

    _fn = staticmethod(F.elu)


class CELU(_AlphaInplace):
    """y = x if x > 0 else alpha (exp(x / alpha) - 1)."""

    _fn = staticmethod(F.celu)


class SELU(_InplaceOnly):
    """y = scale * (x if x > 0 else alpha (exp(x) - 1)), self-normalising constants."""

    _fn = staticmethod(F.selu)


class GLU(Module):
    """y = a * sigmoid(b), the halves of the input along ``dim``."""

    __constants__ = ["dim"]

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class GELU(Module):
    """y = x * Phi(x) (``approximate='tanh'``: the tanh formula)."""

    __constants__ = ["approximate"]

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={repr(self.approximate)}"


class SiLU(_InplaceOnly):
    """y = x * sigmoid(x)."""

    _fn = staticmethod(F.silu)


class Mish(_InplaceOnly):
    """y = x * tanh(softplus(x))."""

    _fn = staticmethod(F.mish)


class Softplus(Module):
    """y = log(1 + exp(beta x)) / beta, linear past ``threshold``."""

    __constants__ = ["beta", "threshold"]

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardsigmoid(_InplaceOnly):
    """y = relu6(x + 3) / 6."""

    _fn = staticmethod(F.hardsigmoid)

    def extra_repr(self) -> str:  # PyTorch prints no options for these two
        return ""


class Hardswish(_InplaceOnly):
    """y = x * relu6(x + 3) / 6."""

    _fn = staticmethod(F.hardswish)

    def extra_repr(self) -> str:  # PyTorch prints no options for these two
        return ""


class _Stateless(Module):
    _fn = None

    def forward(self, input):
        return type(self)._fn(input)


class Softsign(_Stateless):
    """y = x / (1 + |x|)."""

    _fn = staticmethod(F.softsign)


class Tanh(_Stateless):
    """y = tanh(x)."""

    _fn = staticmethod(F.tanh)


class Sigmoid(_Stateless):
    """y = 1 / (1 + exp(-x))."""

    _fn = staticmethod(F.sigmoid)


class LogSigmoid(_Stateless):
    """y = log(sigmoid(x))."""

    _fn = staticmethod(F.logsigmoid)


class Tanhshrink(_Stateless):
    """y = x - tanh(x)."""

    _fn = staticmethod(F.tanhshrink)


class _Shrink(Module):
    """Softshrink and Hardshrink: option ``lambd``; ``forward`` is ``_fn(input, lambd)``."""

    __constants__ = ["lambd"]
    _fn = None

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return type(self)._fn(input, self.lambd)

    def extra_repr(self) -> str:
        return str(self.lambd)


class Softshrink(_Shrink):
    """y = x -/+ lambd outside [-lambd, lambd], else 0."""

    _fn = staticmethod(F.softshrink)


class Hardshrink(_Shrink):
    """y = x outside [-lambd, lambd], else 0."""

    _fn = staticmethod(F.hardshrink)


class Threshold(Module):
    """y = x if x > threshold else value."""

    __constants__ = ["threshold", "value", "inplace"]

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input):
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}{_inplace_str(self.inplace)}"


class _SoftmaxBase(Module):
    __constants__ = ["dim"]

    def __init__(self, dim=None) -> None:
        super().__init__()
        self.dim = dim

    def __setstate__(self, state):
        super().__setstate__(state)
        if not hasattr(self, "dim"):
            self.dim = None

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(_SoftmaxBase):
    """y = exp(x) / sum(exp(x)) along ``dim``."""

    def forward(self, input):
        return F.softmax(input, self.dim, _stacklevel=5)


class LogSoftmax(_SoftmaxBase):
    """y = log(softmax(x)) along ``dim``, computed stably."""

    def forward(self, input):
        return F.log_softmax(input, self.dim, _stacklevel=5)


class Softmin(_SoftmaxBase):
    """y = softmax(-x) along ``dim``."""

    def forward(self, input):
        return F.softmin(input, self.dim, _stacklevel=5)


class Softmax2d(Module):
    """Softmax over the channel dim of (N, C, H, W) or (C, H, W) input."""

    def forward(self, input):
        if input.dim() not in (3, 4):
            raise ValueError(
                f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D instead"
            )
        return F.softmax(input, -3, _stacklevel=5)


class RReLU(Module):
    """Randomized leaky ReLU: slope drawn from U(lower, upper) in training, the mean in eval."""

    __constants__ = ["lower", "upper", "inplace"]

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
                 inplace: bool = False) -> None:
        super().__init__()
        self.lower = lower
        self.upper = upper
        self.inplace = inplace

    def forward(self, input):
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}{_inplace_str(self.inplace)}"


def __getattr__(name):
    # PyTorch defines MultiheadAttention in this module: pickled models name this path. It lives in
    # transformer.py (which imports this module), so it is looked up on first use.
    if name == "MultiheadAttention":
        from .transformer import MultiheadAttention

        return MultiheadAttention
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
