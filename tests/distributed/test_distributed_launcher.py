"""``python -m ember.distributed.run``: torchrun's environment, crashes, and its errors."""

import os
import re
import sys

import pytest
from distributed_helpers import PROGRAMS, job_env, launch, require_mpi, run


def test_ranks_from_the_launcher_agree_with_mpi_and_torchrun_variables_are_set():
    # run as a module (-m), found through PYTHONPATH, as torchrun -m does
    env = job_env(PYTHONPATH=PROGRAMS + os.pathsep + job_env()["PYTHONPATH"])
    env.pop("OMP_NUM_THREADS")  # the launcher sets it to 1 for several processes
    rc, out, err = launch(
        3, "report_env", "--lr", "0.1", env=env, flags=["--master-port", "29555", "-m"]
    )
    assert rc == 0, err[-3000:]
    lines = sorted(line for line in out.splitlines() if line.startswith("ENV"))
    assert len(lines) == 3, out
    run_ids = set()
    for r, line in enumerate(lines):
        rank, size, total = line.split()[1:4]
        assert (rank, size, total) == (str(r), "3", "3")
        assert f"RANK={r} LOCAL_RANK={r} WORLD_SIZE=3 LOCAL_WORLD_SIZE=3" in line
        assert "MASTER_ADDR=127.0.0.1 MASTER_PORT=29555" in line
        assert "OMP_NUM_THREADS=1" in line and "ARGS=--lr,0.1" in line and "ELASTIC=True" in line
        run_ids.add(re.search(r"TORCHELASTIC_RUN_ID=(\S+)", line).group(1))
    assert len(run_ids) == 1


def test_a_crashed_rank_shows_its_traceback_and_stops_the_others():
    rc, out, err = launch(2, os.path.join(PROGRAMS, "crash_one_rank.py"), timeout=60)
    assert rc != 0
    assert "[rank 1] ValueError: boom on rank 1" in err, err
    assert 'crash_one_rank.py", line' in err  # the traceback points into the script
    assert "passed the barrier" not in out
    for pid in re.findall(r"PID \d (\d+)", out):  # no orphans left running
        assert not os.path.exists(f"/proc/{pid}") or _is_zombie(pid), f"rank process {pid} alive"


def _is_zombie(pid):
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split(")")[-1].split()[0] == "Z"


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--nnodes", "2", "x.py"], "needs --hostfile"),
        (["--node-rank", "1", "x.py"], "run the launcher once"),
        (["--nproc-per-node", "0", "x.py"], "at least 1"),
    ],
)
def test_launcher_refuses_what_mpi_cannot_do(argv, message, capsys):
    from ember.distributed.run import main

    with pytest.raises(SystemExit) as info:
        main(argv)
    assert message in str(info.value)


def test_launcher_command_for_several_machines():
    from ember.distributed.run import build, get_args_parser

    require_mpi()  # build() looks for mpiexec

    args = get_args_parser().parse_args(
        ["--nnodes", "2", "--nproc-per-node", "4", "--hostfile", "hosts", "train.py", "--x"]
    )
    cmd, env = build(args)
    assert cmd[1:3] == ["-n", "8"] and "--hostfile" in cmd and "ppr:4:node" in cmd
    assert cmd[-2:] == ["train.py", "--x"] and env["WORLD_SIZE"] == "8"
    assert "-x" in cmd and "MASTER_ADDR" in cmd  # the variables travel to the other machines


def test_init_refuses_a_rank_that_disagrees_with_mpi():
    require_mpi()
    code = "import ember.distributed as d; d.init_process_group('gloo')"
    rc, _, err = run(
        [sys.executable, "-c", code], timeout=60, env=job_env(RANK="1", WORLD_SIZE="2")
    )
    assert rc != 0
    assert "rank=1 (from RANK) but MPI started this process as rank=0" in err, err
