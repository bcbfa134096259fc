"""Run compat case programs with real torch or with ember standing in for it.

    python driver.py torch|ember OUT.json CASE.py [CASE.py ...]

The library is imported once; each case then runs in a forked child (a fresh copy of
the interpreter state) whose stdout goes to a file, so every case is isolated as a
standalone program would be.  With ``ember``, ``ember.install_as_torch()`` makes ``torch``
and every ``torch.X.Y`` resolve to the very module ``ember.X.Y`` (as ``python -m ember``
does).  Writes {case_name: {"status": ..., "result"|"error": ...}} to OUT.json."""

import json
import os
import runpy
import sys
import tempfile


def run_one(path, workdir):
    out_path = os.path.join(workdir, "out.txt")
    err_path = os.path.join(workdir, "err.txt")
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            fo = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            fe = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(fo, 1)
            os.dup2(fe, 2)
            sys.argv = [path]
            os.chdir(os.path.dirname(path))
            runpy.run_path(path, run_name="__main__")
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            import traceback
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    with open(out_path) as fh:
        out = fh.read()
    with open(err_path) as fh:
        err = fh.read()
    if status != 0:
        return {"status": "ERROR", "error": "exit status %d" % status, "stderr": err[-4000:]}
    lines = [ln for ln in out.splitlines() if ln.strip()]
    try:
        result = json.loads(lines[-1])
    except (IndexError, ValueError) as exc:
        return {"status": "ERROR", "error": "no JSON result (%s)" % exc, "stderr": err[-4000:]}
    return {"status": "OK", "result": result}


def main():
    lib, out_file, cases = sys.argv[1], sys.argv[2], sys.argv[3:]
    if lib == "ember":
        import ember

        ember.install_as_torch()
    elif lib != "torch":
        raise SystemExit("unknown library %r" % lib)
    import numpy  # noqa: F401  (imported once, shared by the forked children)
    import torch  # noqa: F401
    import torch.autograd, torch.autograd.functional, torch.autograd.forward_ad  # noqa: F401,E401
    import torch.func, torch.utils.checkpoint  # noqa: F401,E401
    import torch.nn, torch.nn.functional, torch.optim, torch.optim.lr_scheduler  # noqa: F401,E401
    import torch.utils.data  # noqa: F401
    results = {}
    with tempfile.TemporaryDirectory() as workdir:
        for path in cases:
            results[os.path.splitext(os.path.basename(path))[0]] = run_one(os.path.abspath(path), workdir)
    with open(out_file, "w") as fh:
        json.dump(results, fh)


if __name__ == "__main__":
    main()
