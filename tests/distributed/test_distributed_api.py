"""ember.distributed without a process group: lazy mpi4py, errors, names (no MPI job)."""

import subprocess
import sys

import pytest
from distributed_helpers import SRC

import ember
import ember.distributed as dist


def _python(code):
    env = {"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env=env,
    )


def test_mpi4py_is_imported_lazily_and_its_absence_says_how_to_install():
    r = _python(
        "import sys, ember, ember.distributed, ember.nn.parallel, ember.utils.data\n"
        "print('mpi4py' in sys.modules, 'mpi4py.MPI' in sys.modules)\n"
        "sys.modules['mpi4py'] = None  # as if it were not installed\n"
        "import ember.distributed as dist\n"
        "print(dist.is_available(), dist.is_gloo_available())\n"
        "try:\n    dist.init_process_group('gloo')\n"
        "except RuntimeError as e:\n    print('ERR', e)\n"
    )
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "False False"  # importing ember (and ember.distributed) loads no MPI
    assert lines[1] == "False False"
    assert "pip install 'ember[distributed]'" in lines[2]


@pytest.mark.parametrize(
    "call",
    [
        lambda: dist.get_rank(),
        lambda: dist.get_world_size(),
        lambda: dist.get_backend(),
        lambda: dist.all_reduce(ember.ones(2)),
        lambda: dist.barrier(),
        lambda: dist.broadcast(ember.ones(2), src=0),
        lambda: dist.new_group([0]),
        lambda: dist.destroy_process_group(),
    ],
)
def test_calls_before_init_raise_pytorch_error(call):
    assert not dist.is_initialized()
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        call()


def test_ddp_before_init_raises():
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        ember.nn.parallel.DistributedDataParallel(ember.nn.Linear(2, 2))


def test_names_and_aliases():
    assert dist.Backend("GLOO") == "gloo" and dist.Backend.MPI == "mpi"
    assert (
        repr(dist.ReduceOp.SUM) == "<RedOpType.SUM: 0>"
        and str(dist.ReduceOp.MAX) == "RedOpType.MAX"
    )
    assert (
        ember.nn.parallel.distributed.DistributedDataParallel
        is ember.nn.parallel.DistributedDataParallel
    )
    assert not dist.is_nccl_available()
    with pytest.raises(ValueError, match="Invalid backend"):
        dist.Backend("undefined")
    with pytest.raises(TypeError, match="timedelta"):
        dist.init_process_group("gloo", timeout=5)
    with pytest.raises(RuntimeError, match="not available in ember"):
        dist.init_process_group("ucc")
