"""``torch.random``: seeding and the RNG state of the default generator, and ``fork_rng``.

Example::

    with torch.random.fork_rng():
        torch.manual_seed(0)
        a = torch.rand(2)
    # the global RNG continues as if the block had not run
"""

from __future__ import annotations

import contextlib

from .ops.random import (  # noqa: F401
    default_generator, Generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
)

__all__ = ["Generator", "default_generator", "fork_rng", "get_rng_state", "initial_seed",
           "manual_seed", "seed", "set_rng_state"]


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices",
             device_type="cuda"):
    """Save the CPU RNG state, run the block, restore it (no CUDA RNG to fork in ember)."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)
