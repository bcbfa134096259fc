"""Complex numbers: conj, real, imag, angle, complex, polar, view_as_real, view_as_complex."""

from __future__ import annotations

import math

from ...autograd.function import Function
from ...backend import xp_of
from .._util import _float, _ret, make
from .clamp import where


# ------------------------------------------------------------------------------ complex parts
class Conj(Function):
    """y = conj(x);  dx = conj(grad)"""

    _builtin = True
    _node_name = "ConjBackward0"

    @staticmethod
    def forward(ctx, x):
        d = x._data
        return make(xp_of(d).conj(d) if d.dtype.kind == "c" else d.copy())

    @staticmethod
    def backward(ctx, grad_output):
        return Conj.apply(grad_output)


class Real(Function):
    """y = Re(x);  dx = grad (as a complex number)"""

    _builtin = True
    _node_name = "RealBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.dtype = x.dtype
        return make(x._data.real.copy())

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.to(ctx.dtype)


class Imag(Function):
    """y = Im(x);  dx = grad * 1j"""

    _builtin = True
    _node_name = "ImagBackward0"

    @staticmethod
    def forward(ctx, x):
        if x._data.dtype.kind != "c":
            raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
        ctx.dtype = x.dtype
        return make(x._data.imag.copy())

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.to(ctx.dtype) * 1j


def conj(input):
    """The complex conjugate (a copy; real tensors come back as they are, as in PyTorch)."""
    if input._data.dtype.kind != "c":
        return input
    return Conj.apply(input)


def real(input):
    """The real part (the tensor itself for real tensors, as in PyTorch)."""
    if input._data.dtype.kind != "c":
        return input
    return Real.apply(input)


def imag(input):
    """The imaginary part of a complex tensor."""
    return Imag.apply(input)


# ---------------------------------------------------------------------------------- angle
class Angle(Function):
    """y = arg(x) (0 or pi for real x);  dy/dx = 0 for real x, i x / |x|**2 (conj.) for complex"""

    _builtin = True
    _node_name = "AngleBackward0"

    @staticmethod
    def forward(ctx, x):
        d = x._data
        xp = xp_of(d)
        ctx.save_for_backward(x)
        if d.dtype.kind == "c":
            return make(xp.asarray(xp.angle(d)))
        xd = _float(x)
        out = xp.where(xd < 0, xp.asarray(math.pi, xd.dtype), xp.asarray(0, xd.dtype))
        return make(xp.where(xp.isnan(xd), xd, out).astype(xd.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        if not x.is_complex():
            return grad_output * 0.0
        g = grad_output * x / (x.abs() ** 2) * 1j
        return where(x == 0, 0.0, g)


def angle(input, *, out=None):
    """The argument of each element (radians); for real input 0 or pi."""
    return _ret(Angle.apply(input), out, input)


class Complex(Function):
    """z = real + i imag;  d/dreal = Re(grad), d/dimag = Im(grad)"""

    _builtin = True
    _edges = (0, 1)
    _node_name = "ComplexBackward0"

    @staticmethod
    def forward(ctx, real, imag):
        r, i = real._data, imag._data
        if r.dtype != i.dtype:
            raise RuntimeError(f"Expected object of scalar type {real.dtype} but got scalar type "
                               f"{imag.dtype} for second argument")
        if r.dtype.kind != "f" or r.dtype.itemsize < 4:
            raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but "
                               f"got {real.dtype} and {imag.dtype}")
        xp = xp_of(r)
        ct = xp.complex64 if r.dtype == xp.float32 else xp.complex128
        out = xp.empty(xp.broadcast_shapes(r.shape, i.shape), ct)
        out.real = r
        out.imag = i
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.real, grad_output.imag


def complex(real, imag, *, out=None):
    """The complex tensor ``real + i * imag`` (float32 -> complex64, float64 -> complex128)."""
    res = Complex.apply(real, imag)
    return res if out is None else out.copy_(res)


def polar(abs, angle, *, out=None):
    """The complex tensor ``abs * (cos(angle) + i sin(angle))``."""
    res = complex(abs * angle.cos(), abs * angle.sin())
    return res if out is None else out.copy_(res)


class ViewAsReal(Function):
    """y[..., 0] = Re(z), y[..., 1] = Im(z);  dz = grad[..., 0] + i grad[..., 1]"""

    _builtin = True
    _node_name = "ViewAsRealBackward0"

    @staticmethod
    def forward(ctx, z):
        d = z._data
        if d.dtype.kind != "c":
            raise RuntimeError("view_as_real is only supported for complex tensors")
        xp = xp_of(d)
        return make(xp.stack([d.real, d.imag], -1))

    @staticmethod
    def backward(ctx, grad_output):
        return complex(grad_output.select(-1, 0), grad_output.select(-1, 1))


class ViewAsComplex(Function):
    """z = x[..., 0] + i x[..., 1];  dx = stack(Re(grad), Im(grad))"""

    _builtin = True
    _node_name = "ViewAsComplexBackward0"

    @staticmethod
    def forward(ctx, x):
        d = x._data
        if d.dtype.kind != "f" or d.dtype.itemsize < 4:
            raise RuntimeError("view_as_complex is only supported for float and double tensors, "
                               f"but got a tensor of scalar type: {x.dtype}")
        if d.ndim == 0 or d.shape[-1] != 2:
            raise RuntimeError("Tensor must have a last dimension of size 2")
        xp = xp_of(d)
        ct = xp.complex64 if d.dtype == xp.float32 else xp.complex128
        return make((d[..., 0] + 1j * d[..., 1]).astype(ct))

    @staticmethod
    def backward(ctx, grad_output):
        return view_as_real(grad_output)


def view_as_real(input):
    """A complex tensor as a real one with a last dim of size 2 (real, imaginary).
    Difference from PyTorch: a copy, not a view (writes do not reach ``input``)."""
    return ViewAsReal.apply(input)


def view_as_complex(input):
    """A real tensor whose last dim has size 2 as a complex one.
    Difference from PyTorch: a copy, not a view."""
    return ViewAsComplex.apply(input)
