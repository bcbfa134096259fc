"""How ``python -m ember`` runs a script as ``__main__`` — and how a worker process started
with the ``spawn`` method runs it again as ``__mp_main__`` with torch served by ember.

``run_path`` executes the script in a fresh module named ``__main__`` whose ``__spec__`` names
this module. A spawned child (multiprocessing's ``spawn``/``forkserver``) re-creates the
parent's main module by running the module its spec names: it runs this file as
``__mp_main__``, which installs the torch alias first and then executes the script (found in
``EMBER_MAIN_SCRIPT``) under that name, so its ``if __name__ == "__main__":`` block does not
run again and its classes and functions unpickle, as with ``python script.py``.
"""

from __future__ import annotations

import builtins
import importlib.machinery
import os
import runpy
import sys
import types

_ENV = "EMBER_MAIN_SCRIPT"


def _compile(path):
    with open(path, "rb") as fh:
        source = fh.read()
    return compile(source, path, "exec", dont_inherit=True)


def _fresh_main(path) -> types.ModuleType:
    mod = types.ModuleType("__main__")
    mod.__file__ = path
    mod.__builtins__ = builtins
    mod.__cached__ = None
    mod.__spec__ = importlib.machinery.ModuleSpec(__name__, None, origin=path)
    mod.__loader__ = importlib.machinery.SourceFileLoader("__main__", path)
    sys.modules["__main__"] = mod
    return mod


def run_path(script: str) -> None:
    path = os.path.abspath(script)
    os.environ[_ENV] = path
    code = _compile(path)
    mod = _fresh_main(path)
    exec(code, mod.__dict__)


def run_module(name: str) -> None:
    runpy.run_module(name, run_name="__main__", alter_sys=True)


def run_code(source: str) -> None:
    mod = types.ModuleType("__main__")
    mod.__builtins__ = builtins
    sys.modules["__main__"] = mod
    exec(compile(source, "<string>", "exec", dont_inherit=True), mod.__dict__)


if __name__ == "__mp_main__" and os.environ.get(_ENV):
    # a spawned worker re-creating the parent's main module
    from ember.torch_alias import install_as_torch

    install_as_torch()
    __file__ = os.environ[_ENV]
    exec(_compile(__file__), globals())
