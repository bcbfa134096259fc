"""Run one example program with ``import torch`` resolved to ember (or to real PyTorch).

    python _launch.py ember|torch PROGRAM.py [args...]
    python _launch.py ember|torch --batch PROGRAM.py [PROGRAM.py ...]   # outputs in files

With ``ember``, ``ember.install_as_torch()`` serves every ``torch`` / ``torch.X.Y`` import from
the very module object ``ember.X.Y`` (as ``python -m ember`` does), so the program runs
unchanged, the way ``import ember as torch`` would make it run.
"""

import os
import runpy
import sys


def _run_batch(programs):
    """Run each program in this one interpreter (so the library is imported once), with its
    own EXAMPLE_DIR (EXAMPLE_DIR/<name>), its stdout and stderr in <lib>.out / <lib>.err there
    and its exit status in <lib>.rc."""
    import contextlib
    import traceback

    base = os.environ.get("EXAMPLE_DIR", ".")
    lib = sys.argv[1]
    for program in programs:
        name = os.path.splitext(os.path.basename(program))[0]
        workdir = os.path.join(base, name)
        os.makedirs(workdir, exist_ok=True)
        os.environ["EXAMPLE_DIR"] = workdir
        sys.argv = [program]
        rc = 0
        with open(os.path.join(workdir, lib + ".out"), "w") as out, \
                open(os.path.join(workdir, lib + ".err"), "w") as err, \
                contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                runpy.run_path(program, run_name="__main__")
            except SystemExit as e:
                rc = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
            except BaseException:  # noqa: BLE001 - report every failure, go on with the next
                traceback.print_exc()
                rc = 1
        with open(os.path.join(workdir, lib + ".rc"), "w") as f:
            f.write(str(rc))
    os.environ["EXAMPLE_DIR"] = base


def main():
    lib, *rest = sys.argv[1:]
    batch = rest[:1] == ["--batch"]
    programs = rest[1:] if batch else rest[:1]
    args = [] if batch else rest[1:]
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(here, "..", "..", "src"))
    if lib == "ember":
        import ember

        ember.install_as_torch()
    elif lib != "torch":
        raise SystemExit(f"unknown library {lib!r}")
    for program in programs:
        sys.path.insert(0, os.path.dirname(os.path.abspath(program)))
    if batch:
        _run_batch(programs)
        return
    sys.argv = [programs[0]] + args
    runpy.run_path(programs[0], run_name="__main__")


if __name__ == "__main__":
    main()
