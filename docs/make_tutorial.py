"""Run the tutorial's code blocks and write their real output into the markdown.

Each ```python block of ``docs/tutorial.en.md`` and ``docs/tutorial.zh.md`` runs, in order, in
one namespace per file (a fresh interpreter state: seeds are set by the blocks themselves).
What a block prints goes into the output section that follows it::

    <!-- output -->
    ```text
    ...
    ```
    <!-- /output -->

(added after the block if missing). Block k is compiled as file ``block<k>.py``, so the
file:line shown by traces and error messages is stable.

    python3 docs/make_tutorial.py           # rewrite the outputs in both files
    python3 docs/make_tutorial.py --check   # exit 1 (and show a diff) if a file is stale
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import io
import linecache
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))

FILES = ["tutorial.en.md", "tutorial.zh.md"]

_BLOCK = re.compile(r"```python\n(.*?)```\n", re.DOTALL)
_OUTPUT = re.compile(r"\n*<!-- output -->\n```text\n(.*?)```\n<!-- /output -->\n", re.DOTALL)


def code_blocks(text: str) -> list[str]:
    return _BLOCK.findall(text)


def output_blocks(text: str) -> list[str]:
    return _OUTPUT.findall(text)


def _run_blocks(blocks: list[str]) -> list[str]:
    """Run each block in one namespace; return what each printed."""
    import ember

    ns = {"__name__": "__tutorial__"}
    outs = []
    try:
        for k, code in enumerate(blocks):
            fname = f"block{k}.py"
            linecache.cache[fname] = (len(code), None, code.splitlines(True), fname)
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                exec(compile(code, fname, "exec"), ns)
            outs.append(buf.getvalue())
    finally:
        ember.autograd.set_debug(False)
    return outs


def render(text: str) -> str:
    """The markdown with every block's output section filled in from a fresh run."""
    blocks = code_blocks(text)
    outs = _run_blocks(blocks)
    pieces = []
    pos = 0
    for m, out in zip(_BLOCK.finditer(text), outs):
        pieces.append(text[pos:m.end()])
        pos = m.end()
        old = _OUTPUT.match(text, pos)
        if old is not None:
            pos = old.end()
        if out:
            pieces.append(f"\n<!-- output -->\n```text\n{out.rstrip()}\n```\n<!-- /output -->\n")
    pieces.append(text[pos:])
    return "".join(pieces)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if a file is out of date")
    args = ap.parse_args(argv)
    stale = 0
    for name in FILES:
        path = os.path.join(HERE, name)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        new = render(text)
        if new == text:
            continue
        if args.check:
            stale += 1
            sys.stdout.writelines(difflib.unified_diff(
                text.splitlines(True), new.splitlines(True), f"{name} (committed)",
                f"{name} (fresh run)"))
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(new)
            print(f"updated {name}")
    if stale:
        print(f"\n{stale} file(s) out of date: run python3 docs/make_tutorial.py")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
