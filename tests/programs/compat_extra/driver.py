"""Run compat case programs with real torch or with ember standing in for it.

    python driver.py torch|ember OUT.json CASE.py [CASE.py ...]

The library is imported once; each case then runs in a forked child (a fresh copy of
the interpreter state) whose stdout goes to a file, so every case is isolated as a
standalone program would be.  With ``ember``, a meta-path finder makes ``torch`` and
every ``torch.X.Y`` resolve to the very module ``ember.X.Y`` (as the shared compat shim
does).  Writes {case_name: {"status": ..., "result"|"error": ...}} to OUT.json."""

import importlib
import importlib.abc
import importlib.machinery
import json
import os
import runpy
import sys
import tempfile
import types


class _Loader(importlib.abc.Loader):
    def __init__(self, finder, target):
        self.finder, self.target, self.spec = finder, target, None

    def create_module(self, spec):
        mod = self.finder.resolve(self.target)
        self.spec = getattr(mod, "__spec__", None)
        return mod

    def exec_module(self, module):
        if self.spec is not None:
            module.__spec__ = self.spec
        self.finder.alias_children(module, self.target)


class AliasFinder(importlib.abc.MetaPathFinder):
    def __init__(self, lib):
        self.lib = lib

    def resolve(self, target):
        try:
            return importlib.import_module(target)
        except ModuleNotFoundError as exc:
            if exc.name != target:
                raise
            parent, _, child = target.rpartition(".")
            obj = getattr(sys.modules.get(parent), child, None) if parent else None
            if isinstance(obj, types.ModuleType):
                return obj
            raise ModuleNotFoundError("No module named %r" % ("torch" + target[len(self.lib):]),
                                      name="torch" + target[len(self.lib):]) from None

    def alias_children(self, module, target, depth=0, seen=None):
        seen = set() if seen is None else seen
        if id(module) in seen or depth > 4:
            return
        seen.add(id(module))
        alias = "torch" + target[len(self.lib):]
        prefix = target + "."
        children = {n[len(prefix):]: m for n, m in list(sys.modules.items())
                    if m is not None and n.startswith(prefix) and "." not in n[len(prefix):]}
        for attr, obj in list(vars(module).items()):
            name = getattr(obj, "__name__", "") if isinstance(obj, types.ModuleType) else ""
            if attr not in children and (name == self.lib or name.startswith(self.lib + ".")):
                children[attr] = obj
        for child, mod in children.items():
            if alias + "." + child not in sys.modules:
                sys.modules[alias + "." + child] = mod
                self.alias_children(mod, target + "." + child, depth + 1, seen)

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "torch" and not fullname.startswith("torch."):
            return None
        tname = self.lib + fullname[len("torch"):]
        return importlib.machinery.ModuleSpec(fullname, _Loader(self, tname), origin="alias:" + tname)


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
    if lib != "torch":
        for name in [n for n in sys.modules if n == "torch" or n.startswith("torch.")]:
            del sys.modules[name]
        sys.meta_path.insert(0, AliasFinder(lib))
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
