"""``torch.backends``: the flags and availability checks programs touch (``cudnn``, ``mps``).

On ember they describe a CPU-only build: nothing is available; the cuDNN flags are plain
attributes a program may set, with PyTorch's defaults.
"""

from . import cuda, cudnn, mps, openmp  # noqa: F401
