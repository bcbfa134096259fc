"""The documentation site: ``mkdocs build --strict`` passes, every public name has an API
entry, and every ``python`` code block on the site's pages runs; the README's examples run as written on a
machine without Graphviz.

Code blocks run page by page, top to bottom, in one namespace per page (as a reader would run
them), in a scratch directory. A ```text block right after a python block is that block's
printed output and is checked: each of its lines must appear in what the block printed (a line
with ``...`` matches up to the ``...``). Outputs that vary from run to run (timings) are fenced
as ```txt and not checked. The tutorials have their own test (tests/programs/test_tutorial.py, which
checks they match a fresh run), so they are not run here.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import re
import subprocess
import sys

import pytest
from oracle import ember_env

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOCS = os.path.join(ROOT, "docs")
sys.path.insert(0, os.path.join(ROOT, "src"))
SKIP_PAGES = {"tutorial.en.md", "tutorial.zh.md"}  # tested by tests/programs/test_tutorial.py

_FENCE = re.compile(r"^```([\w.+-]*)[^\n]*\n(.*?)^```\s*$", re.S | re.M)


def pages():
    return sorted(f for f in os.listdir(DOCS) if f.endswith(".md") and f not in SKIP_PAGES)


def blocks(text):
    """[(python source, expected output or None, line number)] in page order."""
    out = []
    found = list(_FENCE.finditer(text))
    for k, m in enumerate(found):
        if m.group(1) != "python":
            continue
        expected = None
        if k + 1 < len(found):
            nxt = found[k + 1]
            between = text[m.end():nxt.start()]
            if nxt.group(1) == "text" and not between.strip():
                expected = nxt.group(2)
        out.append((m.group(2), expected, text[:m.start()].count("\n") + 1))
    return out


def _matches(expected, printed):
    missing = []
    for line in expected.splitlines():
        line = line.rstrip()
        if not line:
            continue
        if "..." in line:
            if line.split("...")[0] not in printed:
                missing.append(line)
        elif line not in printed:
            missing.append(line)
    return missing


@pytest.mark.parametrize("page", pages())
def test_code_blocks_run(page, tmp_path, monkeypatch):
    with open(os.path.join(DOCS, page), encoding="utf-8") as f:
        text = f.read()
    found = blocks(text)
    if not found:
        return  # a page without Python examples: nothing to run
    monkeypatch.chdir(tmp_path)
    ns = {"__name__": "__main__"}
    for src, expected, line in found:
        buf = io.StringIO()
        code = compile(src, f"docs/{page}:{line}", "exec")
        with contextlib.redirect_stdout(buf):
            exec(code, ns)  # noqa: S102 - the site's own examples
        if expected is not None:
            missing = _matches(expected, buf.getvalue())
            assert not missing, (f"docs/{page} line {line}: printed output differs; missing "
                                 f"lines {missing}\n--- printed:\n{buf.getvalue()}")


def test_pages_have_checked_outputs():
    """The block parser finds the examples and their outputs (a wrong parser would skip
    everything silently)."""
    with open(os.path.join(DOCS, "seeing-autograd.md"), encoding="utf-8") as f:
        found = blocks(f.read())
    assert len(found) >= 8
    assert sum(1 for _, exp, _ in found if exp is not None) >= 5


# --------------------------------------------------------------------------- the README
def _expected_prints(src):
    """The values the comments of ``print(...)`` lines show (``# tensor(...)``, ``# True``; a
    comment that explains rather than shows is not an expected output)."""
    out = []
    for line in src.splitlines():
        m = re.match(r"^print\(.*\)\s+#\s+(.*)$", line)
        if m:
            shown = m.group(1).split(": ")[0].strip()
            if shown.startswith("tensor(") or shown in ("True", "False"):
                out.append(shown)
    return out


def test_readme_examples_run_without_graphviz(tmp_path):
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        found = blocks(f.read())
    assert len(found) >= 2  # the taste and "Seeing autograd"
    program = "\n".join(src for src, _, _ in found)
    env = ember_env(PATH=os.path.dirname(sys.executable))
    res = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    wanted = _expected_prints(program)
    assert len(wanted) >= 3
    for want in wanted:
        assert want in res.stdout, f"README says a line prints {want!r}; it printed:\n{res.stdout}"
    assert (tmp_path / "graph.html").exists()


def _mkdocs():
    try:
        importlib.import_module("mkdocs")
        importlib.import_module("material")
        importlib.import_module("mkdocstrings_handlers.python")
    except ImportError as e:
        msg = (f"MkDocs is not installed ({e}); install the docs extra: "
               "pip install -e '.[docs]'")
        print(msg)
        pytest.skip(msg)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    _mkdocs()
    out = tmp_path_factory.mktemp("site")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    res = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q",
                          "--site-dir", str(out)], cwd=ROOT, capture_output=True, text=True,
                         env=env)
    assert res.returncode == 0, f"mkdocs build --strict failed:\n{res.stdout}\n{res.stderr}"
    return out


def test_mkdocs_build_strict(site):
    for page in ("index.html", "getting-started/index.html", "seeing-autograd/index.html",
                 "profiler/index.html", "differences/index.html", "benchmarks/index.html",
                 "tutorial.en/index.html", "tutorial.zh/index.html"):
        assert (site / page).exists(), page
    assert (site / "img" / "graph_custom_relu.png").exists()


@pytest.mark.parametrize("module", ["ember", "ember.nn", "ember.optim", "ember.autograd",
                                    "ember.func", "ember.utils.data", "ember.profiler"])
def test_every_public_name_has_an_api_entry(site, module):
    sys.path.insert(0, DOCS)
    try:
        from site_hooks import public_names
    finally:
        sys.path.remove(DOCS)
    html = (site / "api" / module / "index.html").read_text(encoding="utf-8")
    names = public_names(module)
    assert len(names) > 5
    missing = [n for n in names if f'id="{module}.{n}"' not in html]
    assert not missing, f"{module}: no reference entry for {missing}"


def test_differences_are_collected_from_docstrings():
    sys.path.insert(0, DOCS)
    try:
        from site_hooks import DIFF_MARKER, differences_markdown, docstring_differences
    finally:
        sys.path.remove(DOCS)
    found = dict(docstring_differences())
    assert "ember.profiler.profiler" in found  # a module docstring's note
    assert found["ember.profiler.profiler"].startswith("Differences from PyTorch: CPU only")
    assert any(q.endswith(".view_as_real") for q in found)  # a note ending a paragraph
    md = differences_markdown()
    assert md.count("\n- **`") + 1 == len(found)
    with open(os.path.join(DOCS, "differences.md"), encoding="utf-8") as f:
        assert DIFF_MARKER in f.read()


def test_architecture_page_lists_every_op_file():
    """docs/architecture.md's "Where each op lives" names every module under src/ember/ops, so a
    newcomer finds any op in one step (a new file without a row fails here)."""
    with open(os.path.join(DOCS, "architecture.md"), encoding="utf-8") as f:
        page = f.read()
    ops = os.path.join(ROOT, "src", "ember", "ops")
    missing = []
    for folder, _, files in os.walk(ops):
        for name in files:
            if name.endswith(".py") and name != "__init__.py":
                rel = os.path.relpath(os.path.join(folder, name), ROOT).replace(os.sep, "/")
                if f"`{rel}`" not in page:
                    missing.append(rel)
    assert not missing, f"docs/architecture.md has no row for {missing}"
