"""``ReduceOp`` and how each (op, dtype) pair maps onto an MPI reduction.

MPI reduces the fixed-width integer, float and complex types natively. The others go through
a wider buffer: float16 and bfloat16 are reduced in float32 and rounded once at the end (more
accurate than PyTorch's gloo, which accumulates in half precision), and bool is reduced as
uint8 with MAX for SUM (logical or) and MIN for PRODUCT (logical and), as PyTorch defines them.
``AVG`` is a SUM followed by a division by the group size (truncating for integers, as NCCL).
"""

from __future__ import annotations

import enum

import numpy as np

__all__ = ["ReduceOp"]


class RedOpType(enum.Enum):
    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7
    PREMUL_SUM = 8
    UNUSED = 9

    def __repr__(self):
        return f"<RedOpType.{self.name}: {self.value}>"

    def __str__(self):
        return f"RedOpType.{self.name}"


class ReduceOp:
    """The reductions of ``all_reduce``/``reduce``/``reduce_scatter``: ``ReduceOp.SUM`` ...

    Example: ``dist.all_reduce(t, op=dist.ReduceOp.MAX)``.
    """

    RedOpType = RedOpType
    SUM = RedOpType.SUM
    AVG = RedOpType.AVG
    PRODUCT = RedOpType.PRODUCT
    MIN = RedOpType.MIN
    MAX = RedOpType.MAX
    BAND = RedOpType.BAND
    BOR = RedOpType.BOR
    BXOR = RedOpType.BXOR
    PREMUL_SUM = RedOpType.PREMUL_SUM
    UNUSED = RedOpType.UNUSED


# dtype codes exchanged between ranks to check that they agree (and to name them in errors)
DTYPE_NAMES = [
    "bool",
    "uint8",
    "int8",
    "int16",
    "int32",
    "int64",
    "float16",
    "bfloat16",
    "float32",
    "float64",
    "complex64",
    "complex128",
    "uint16",
    "uint32",
    "uint64",
]
_CODE = {n: i for i, n in enumerate(DTYPE_NAMES)}


def dtype_code(dtype) -> int:
    return _CODE.get(np.dtype(dtype).name, 99)


def dtype_name(code: int) -> str:
    """The PyTorch name of a dtype code: ``torch.float32``."""
    return f"torch.{DTYPE_NAMES[code]}" if 0 <= code < len(DTYPE_NAMES) else "an unknown dtype"


def mpi_type(MPI, dtype):
    """The predefined MPI datatype for a NumPy dtype that MPI reduces natively."""
    table = {
        "uint8": MPI.UINT8_T,
        "int8": MPI.INT8_T,
        "int16": MPI.INT16_T,
        "int32": MPI.INT32_T,
        "int64": MPI.INT64_T,
        "uint16": MPI.UINT16_T,
        "uint32": MPI.UINT32_T,
        "uint64": MPI.UINT64_T,
        "float32": MPI.FLOAT,
        "float64": MPI.DOUBLE,
        "complex64": MPI.C_FLOAT_COMPLEX,
        "complex128": MPI.C_DOUBLE_COMPLEX,
    }
    return table[np.dtype(dtype).name]


def _as_op(op):
    if isinstance(op, RedOpType):
        return op
    raise TypeError(f"op must be a ReduceOp (e.g. ReduceOp.SUM), got {op!r}")


def plan(MPI, dtype, op, name):
    """``(work_dtype, mpi_type, mpi_op, average)`` for reducing ``dtype`` with ``op``.

    Raises PyTorch's errors for combinations it refuses (bitwise ops on floats, MIN/MAX on
    complex numbers).
    """
    op = _as_op(op)
    dtype = np.dtype(dtype)
    kind = dtype.kind
    if op in (RedOpType.PREMUL_SUM, RedOpType.UNUSED):
        raise ValueError(f"{name}: {op} is not supported by ember's MPI backend")
    if kind == "b":
        if op is RedOpType.AVG:
            raise RuntimeError(f"{name}: ReduceOp.AVG is not supported for bool tensors")
        mpi_op = {
            RedOpType.SUM: MPI.MAX,
            RedOpType.MAX: MPI.MAX,
            RedOpType.BOR: MPI.MAX,
            RedOpType.PRODUCT: MPI.MIN,
            RedOpType.MIN: MPI.MIN,
            RedOpType.BAND: MPI.MIN,
            RedOpType.BXOR: MPI.BXOR,
        }[op]
        return np.dtype(np.uint8), MPI.UINT8_T, mpi_op, False
    bitwise = op in (RedOpType.BAND, RedOpType.BOR, RedOpType.BXOR)
    if bitwise and kind not in "iu":
        raise RuntimeError(f"{name}: Cannot use {op} with non-integral dtype {dtype.name}")
    if kind == "c" and op in (RedOpType.MIN, RedOpType.MAX):
        raise RuntimeError(f"{name}: {op} is not supported for complex tensors")
    work = dtype
    if dtype.name in ("float16", "bfloat16"):
        work = np.dtype(np.float32)
    elif dtype.name not in _CODE:
        raise TypeError(f"{name}: tensors of dtype {dtype.name} cannot be reduced")
    mpi_op = {
        RedOpType.SUM: MPI.SUM,
        RedOpType.AVG: MPI.SUM,
        RedOpType.PRODUCT: MPI.PROD,
        RedOpType.MIN: MPI.MIN,
        RedOpType.MAX: MPI.MAX,
        RedOpType.BAND: MPI.BAND,
        RedOpType.BOR: MPI.BOR,
        RedOpType.BXOR: MPI.BXOR,
    }[op]
    return work, mpi_type(MPI, work), mpi_op, op is RedOpType.AVG


def average(buf, size):
    """Divide a summed buffer by the group size in place (truncating for integers)."""
    if buf.dtype.kind in "fc":
        buf /= size
    else:
        np.copyto(buf, np.trunc(buf / size).astype(buf.dtype))
