"""Tests that need a tool outside Python (Graphviz, Chromium, MPI) skip with the reason where it
is missing, and FAIL instead where CI installed it and says so (``EMBER_REQUIRE_<TOOL>=1``), so
a broken install can never pass as a skip.

Example::

    from needs import unavailable
    if shutil.which("dot") is None:
        unavailable("GRAPHVIZ", "Graphviz's dot is not installed (apt-get install graphviz)")
"""

from __future__ import annotations

import os

import pytest


def unavailable(tool, reason):
    """Skip with ``reason``, or fail when ``EMBER_REQUIRE_<tool>=1``."""
    if os.environ.get(f"EMBER_REQUIRE_{tool}") == "1":
        pytest.fail(f"EMBER_REQUIRE_{tool}=1 but {reason}")
    pytest.skip(reason)
