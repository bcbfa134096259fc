"""``torch.version``: ember's version and the build facts programs check (no CUDA, no ROCm)."""

from . import __version__  # noqa: F401

cuda = None
hip = None
git_version = "unknown"
debug = False
