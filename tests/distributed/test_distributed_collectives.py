"""Every collective on 2 and 3 processes against NumPy (the checks live in the worker)."""

import os
import re

from distributed_helpers import WORKERS, mpirun

WORKER = os.path.join(WORKERS, "collectives_worker.py")


def _checks(out, n):
    found = dict(re.findall(r"rank (\d+) CHECKS (\d+)", out))
    assert sorted(found) == [str(r) for r in range(n)], out
    return {int(r): int(c) for r, c in found.items()}


def test_collectives_on_2_processes_through_the_entry_point():
    rc, out, err = mpirun(2, WORKER)
    assert rc == 0, err[-4000:]
    checks = _checks(out, 2)
    assert min(checks.values()) > 130, checks  # each dtype x op, async, groups, objects, errors


def test_collectives_on_3_processes_started_by_plain_mpiexec():
    # no launcher environment (RANK unset): ranks come from MPI itself
    rc, out, err = mpirun(3, WORKER, entry=False)
    assert rc == 0, err[-4000:]
    checks = _checks(out, 3)
    assert min(checks.values()) > 130, checks
