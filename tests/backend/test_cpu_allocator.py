"""backend/cpu_allocator.py: on glibc, importing ember keeps freed heap pages for the next
step, so a step's temporaries do not fault in fresh pages every time (issue 14); the
environment variable turns it off. Counted in page faults, not time."""

import os
import platform
import subprocess
import sys

import pytest

glibc = pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                           reason="the policy applies to glibc's malloc only")

# Four 4 MiB temporaries live at once, then freed, as in a training step; the first two
# steps warm up. glibc's default policy trims the freed top of the heap every time.
STEP = """
import resource, numpy as np, ember
from ember.backend import cpu_allocator
def step():
    a = [np.ones(1 << 20, np.float32) for _ in range(4)]
    del a
step(); step()
f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    step()
print(cpu_allocator.applied["mallopt"], resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0)
"""


def run(cache_mb):
    env = dict(os.environ)
    env.pop("EMBER_MALLOC_CACHE_MB", None)
    if cache_mb is not None:
        env["EMBER_MALLOC_CACHE_MB"] = cache_mb
    out = subprocess.run([sys.executable, "-c", STEP], env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    applied, faults = out.stdout.split()
    return applied == "True", int(faults)


@glibc
def test_steps_reuse_freed_pages():
    applied, faults = run(None)
    assert applied
    # 10 steps x 16 MiB would be ~40,000 first touches of 4 KiB pages if they were trimmed
    assert faults < 500


@glibc
def test_zero_leaves_the_allocator_alone():
    applied, faults = run("0")
    assert not applied
    assert faults > 10_000  # the same steps, faulting pages in again every time (~20,000 here)


def test_bad_setting_is_a_clear_error():
    env = dict(os.environ, EMBER_MALLOC_CACHE_MB="lots")
    out = subprocess.run([sys.executable, "-c", "import ember"], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode != 0
    assert "EMBER_MALLOC_CACHE_MB must be a number of MiB, got 'lots'" in out.stderr
