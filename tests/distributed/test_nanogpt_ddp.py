"""nanoGPT's train.py (distributed parts unchanged, `import torch` served by ember) on one
process and, with --backend=gloo --device=cpu, on 2 processes under the launcher."""

import os
import re
import sys

from distributed_helpers import ALIAS, PROGRAMS, launch, run

TRAIN = os.path.join(PROGRAMS, "nanogpt_train.py")
RESULT = r"RESULT rank=(\d) first_loss=([\d.]+) last_loss=([\d.]+) checksum=(\S+)"


def test_nanogpt_trains_on_one_process():
    rc, out, err = run(
        [sys.executable, ALIAS, "ember", TRAIN, "--device=cpu", "--max_iters=12"], timeout=120
    )
    assert rc == 0, err[-3000:]
    ((_, first, last, _),) = re.findall(RESULT, out)
    assert float(last) < float(first) - 0.3, out


def test_nanogpt_trains_with_ddp_on_two_processes():
    rc, out, err = launch(
        2, ALIAS, "ember", TRAIN, "--backend=gloo", "--device=cpu", "--max_iters=12", timeout=120
    )
    assert rc == 0, err[-3000:]
    results = re.findall(RESULT, out)
    assert sorted(r[0] for r in results) == ["0", "1"], out
    assert results[0][3] == results[1][3]  # DDP kept the replicas identical
    assert all(float(last) < float(first) - 0.3 for _, first, last, _ in results), out
