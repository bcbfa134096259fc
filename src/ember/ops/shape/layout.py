"""Memory layout and in-place shape changes: stride, storage_offset, is_contiguous, the matrix
transposes mT/mH/T/H, and squeeze_/unsqueeze_/t_/transpose_."""

from __future__ import annotations

from ...tensor import Tensor
from .._util import wrap_dim
from .views import permute, transpose, unsqueeze


def _ints(args):
    if len(args) == 1 and not isinstance(args[0], int):
        a = args[0]
        if isinstance(a, Tensor):
            return tuple(int(v) for v in a._data.reshape(-1))
        return tuple(int(v) for v in a)
    return tuple(int(v) for v in args)


# --------------------------------------------------------------------------- layout queries
def stride(input, dim=None):
    """Strides in elements (not bytes), as PyTorch reports them."""
    d = input._data
    item = d.itemsize
    s = [st // item for st in d.strides]
    for i in range(d.ndim - 1, -1, -1):
        if d.shape[i] == 1 and s[i] == 0:
            # NumPy gives new size-1 dims (None, unsqueeze) stride 0; PyTorch the stride
            # they would have if contiguous with the next dim
            s[i] = s[i + 1] * d.shape[i + 1] if i + 1 < d.ndim else 1
    s = tuple(s)
    if dim is None:
        return s
    return s[wrap_dim(dim, d.ndim)]


def storage_offset(input) -> int:
    """How many elements into its base's memory this tensor starts."""
    base = input._base
    if base is None:
        return 0
    d = input._data
    if d.size == 0:
        return 0
    return (_address(d) - _address(base._data)) // d.itemsize


def _address(a):
    iface = getattr(a, "__array_interface__", None)
    if iface is not None:
        return iface["data"][0]
    return a.data.ptr  # CuPy


def is_contiguous(input, memory_format=None) -> bool:
    return bool(input._data.flags.c_contiguous)


def _is_view(input) -> bool:
    return input._base is not None


# --------------------------------------------------------------------------- transposes
def mT(input):
    n = input._data.ndim
    if n < 2:
        raise RuntimeError(
            f"tensor.mT is only supported on matrices or batches of matrices. Got {n}-D tensor."
        )
    return transpose(input, -2, -1)


def mH(input):
    n = input._data.ndim
    if n < 2:
        raise RuntimeError(
            f"tensor.mH is only supported on matrices or batches of matrices. Got {n}-D tensor."
        )
    out = transpose(input, -2, -1)
    return out.conj() if input._data.dtype.kind == "c" else out


_T_WARNED = set()  # PyTorch warns once per process


def T(input):
    n = input._data.ndim
    if n != 2:
        key = n == 0
        if key not in _T_WARNED:
            import warnings

            _T_WARNED.add(key)
            warnings.warn(
                "Tensor.T is deprecated on 0-D tensors. This function is the identity in these "
                "cases." if key else
                "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
                "deprecated and it will throw an error in a future release. Consider `x.mT` to "
                "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` "
                "to reverse the dimensions of a tensor.", UserWarning, stacklevel=3)
    return permute(input, tuple(range(n - 1, -1, -1)))


def H(input):
    n = input._data.ndim
    if n != 2 and n != 0:
        raise RuntimeError(
            f"tensor.H is only supported on matrices (2-D tensors). Got {n}-D tensor."
        )
    out = T(input)
    return out.conj() if input._data.dtype.kind == "c" else out


def squeeze_(input, dim=None):
    from .views import squeeze

    r = squeeze(input, dim)
    return _set_shape_(input, r)


def unsqueeze_(input, dim):
    return _set_shape_(input, unsqueeze(input, dim))


def t_(input):
    from .views import t

    return _set_shape_(input, t(input))


def transpose_(input, dim0, dim1):
    return _set_shape_(input, transpose(input, dim0, dim1))


def _set_shape_(input, r):
    """In-place shape changes: the tensor takes the view's metadata (array and history)."""
    if input._grad_fn is None and input._requires_grad and r._grad_fn is not None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation."
        )
    input._data = r._data
    input._vc[0] += 1  # PyTorch counts a metadata change as an in-place change
    if r._grad_fn is not None:
        input._grad_fn = r._grad_fn
        input._output_nr = r._output_nr
    return input
