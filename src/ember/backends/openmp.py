"""``torch.backends.openmp``: NumPy's BLAS does its own threading; ember has no OpenMP."""


def is_available() -> bool:
    return False
