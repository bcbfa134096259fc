"""``python -m ember script.py [args...]``: run an unchanged PyTorch script on ember.

Every ``import torch`` / ``import torch.X`` in the script (and in what it imports) is served by
ember (``ember.install_as_torch``). The script runs as with ``python script.py``: ``sys.argv``
is ``[script.py, args...]``, ``sys.path[0]`` is the script's folder, ``__name__`` is
``"__main__"``, an uncaught exception prints a traceback that starts in the script and exits
with status 1, and ``sys.exit(n)`` exits with ``n``. ``python -m ember -m module args`` runs a
module the same way, ``python -m ember -c "code"`` a string.

Difference from ``python script.py``: ``__main__.__spec__`` names ``ember._script`` (so worker
processes started with the spawn method re-run the script with torch served by ember too).
"""

from __future__ import annotations

import os
import sys

USAGE = """usage: python -m ember script.py [args ...]
       python -m ember -m module [args ...]
       python -m ember -c "code" [args ...]

Runs a PyTorch program with every `import torch` served by ember."""


_HIDDEN = ("ember/__main__.py", "ember/_script.py", "ember/torch_alias.py", "/runpy.py")


def _strip_launcher_frames(tb):
    """The traceback without the entries of this launcher, runpy and the import hook, as
    `python script.py` shows only the user's frames."""
    kept = []
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename.replace(os.sep, "/")
        if not (name.endswith(_HIDDEN) or name.startswith("<frozen runpy")):
            kept.append(tb)
        tb = tb.tb_next
    for a, b in zip(kept, kept[1:] + [None]):
        a.tb_next = b
    return kept[0] if kept else None


def _report(e):
    tb = _strip_launcher_frames(e.__traceback__)
    sys.excepthook(type(e), e.with_traceback(tb), tb)


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE, file=sys.stderr if not argv else sys.stdout)
        return 2 if not argv else 0
    from . import _script
    from .torch_alias import install_as_torch

    install_as_torch()
    try:
        if argv[0] == "-m":
            if len(argv) < 2:
                print("Argument expected for the -m option", file=sys.stderr)
                return 2
            sys.argv = [argv[1], *argv[2:]]
            sys.path.insert(0, os.getcwd())
            _script.run_module(argv[1])
        elif argv[0] == "-c":
            if len(argv) < 2:
                print("Argument expected for the -c option", file=sys.stderr)
                return 2
            sys.argv = ["-c", *argv[2:]]
            sys.path.insert(0, "")
            _script.run_code(argv[1])
        else:
            script = argv[0]
            if not os.path.exists(script):
                print(
                    f"{sys.executable}: can't open file {os.path.abspath(script)!r}: "
                    "[Errno 2] No such file or directory",
                    file=sys.stderr,
                )
                return 2
            sys.argv = [script, *argv[1:]]
            sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
            _script.run_path(script)
    except SystemExit:
        raise
    except KeyboardInterrupt as e:
        _report(e)
        return 130
    except BaseException as e:  # noqa: BLE001 - report it as the interpreter would
        _report(e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
