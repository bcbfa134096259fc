"""MkDocs hooks for ember's site (``mkdocs.yml`` names this file under ``hooks:``).

* Pages other engineers add (``fx.md``, ``onnx.md``, ``distributed.md``, ``architecture.md``,
  or any other ``docs/*.md``) join the navigation when the file exists, so every page is
  reachable and the build stays ``--strict``-clean either way.
* The API reference is generated at build time: one page per package (``ember``, ``ember.nn``,
  ``ember.nn.functional``, ``ember.optim``, ``ember.autograd``, ``ember.func``,
  ``ember.utils.data``, ``ember.profiler``), one entry per public name. An entry is a
  mkdocstrings ``::: path`` directive when griffe (mkdocstrings' static reader) can find the
  object's source; names made at import time (the in-place ``abs_`` family, legacy tensor
  types) get an entry written from the live object's signature and docstring instead. So every
  public name has an entry, and a name that appears later gets one without editing anything.
"""

from __future__ import annotations

import importlib
import inspect
import os
import re
import sys
import types

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "src")

OPTIONAL_PAGES = [  # (nav title, file), added after "Architecture" when present
    ("Architecture", "architecture.md"),
    ("ember.fx", "fx.md"),
    ("ONNX export", "onnx.md"),
    ("Distributed", "distributed.md"),
]

API_MODULES = ["ember", "ember.nn", "ember.nn.functional", "ember.nn.init", "ember.optim",
               "ember.optim.lr_scheduler", "ember.autograd", "ember.autograd.graph",
               "ember.func", "ember.utils.data", "ember.profiler"]

_griffe_pkg = None


def public_names(modname):
    """The public names of a module: ``__all__`` when it has one, else every name in ``dir``
    that does not start with ``_`` and is not a module or a ``__future__`` feature."""
    if SRC not in sys.path:
        sys.path.insert(0, SRC)
    mod = importlib.import_module(modname)
    names = getattr(mod, "__all__", None)
    if names is None:
        names = [n for n in dir(mod) if not n.startswith("_")]
    out = []
    for n in names:
        obj = getattr(mod, n, None)
        if isinstance(obj, types.ModuleType) or type(obj).__name__ == "_Feature":
            continue
        out.append(n)
    return sorted(set(out), key=lambda s: (s.lower(), s))


def _griffe():
    global _griffe_pkg
    if _griffe_pkg is None:
        import griffe

        _griffe_pkg = griffe.load("ember", search_paths=[SRC], resolve_aliases=False)
    return _griffe_pkg


def _lookup(path):
    import griffe

    obj = _griffe()
    try:
        for p in path.split(".")[1:]:
            obj = obj[p]
        seen = 0
        while obj.is_alias and seen < 20:
            obj = obj.final_target
            seen += 1
    except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError, AttributeError):
        return None
    return obj


def static_path(modname, name):
    """The path mkdocstrings can render for ``modname.name``: where griffe (reading the
    source) finds it, through the package's imports or, failing that (a wildcard import), at
    the live object's own ``__module__.__qualname__``. None when griffe cannot see it, or sees
    only a value where the live object is a function made by a factory."""
    live = getattr(importlib.import_module(modname), name)
    obj = _lookup(f"{modname}.{name}")
    if obj is None:
        home = getattr(live, "__module__", None)
        qual = getattr(live, "__qualname__", None)
        if not (home and qual and home.startswith("ember")) or "<" in qual:
            return None
        obj = _lookup(f"{home}.{qual}")
        if obj is None:
            return None
    if obj.is_attribute and callable(live):
        return None  # made by a factory call (``abs = _unary_fn(...)``): griffe sees a value
    return obj.path


def _signature(obj, name):
    try:
        return f"{name}{inspect.signature(obj)}"
    except (TypeError, ValueError):
        return name


def _rst_to_markdown(doc) -> str:
    """A docstring's reStructuredText habits as Markdown: ````x```` -> ```x```, and a paragraph
    ending in ``::`` followed by an indented block -> that block fenced as Python."""
    out, lines, i = [], doc.splitlines(), 0
    while i < len(lines):
        line = lines[i]
        if line.rstrip().endswith("::") and i + 1 < len(lines):
            head = line.rstrip()[:-1]
            out.append(head.replace("``", "`") if head.strip() != ":" else "")
            block, i = [], i + 1
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith(" ")):
                block.append(lines[i])
                i += 1
            while block and not block[-1].strip():
                block.pop()
            out += ["", "```python", *inspect.cleandoc("\n".join(block)).splitlines(), "```", ""]
            continue
        out.append(line.replace("``", "`"))
        i += 1
    return "\n".join(out)


def runtime_entry(modname, name) -> str:
    """An entry written from the live object: heading, signature, docstring."""
    mod = importlib.import_module(modname)
    obj = getattr(mod, name)
    kind = "class" if isinstance(obj, type) else ("function" if callable(obj) else "attribute")
    lines = [f"### `{modname}.{name}` {{ #{modname}.{name} }}", "", f"*{kind}*", ""]
    if callable(obj):
        lines += ["```python", _signature(obj, name), "```", ""]
    else:
        lines += ["```python", f"{name} = {obj!r}"[:200], "```", ""]
    doc = inspect.getdoc(obj) if (callable(obj) or isinstance(obj, type)) else None
    if doc and not (isinstance(obj, type) and doc == inspect.getdoc(type(obj))):
        lines += [_rst_to_markdown(doc), ""]
    elif name.endswith("_") and hasattr(mod, name[:-1]):
        lines += [f"In-place form of `{modname}.{name[:-1]}`: writes the result into its first "
                  "argument and returns it, as PyTorch's.", ""]
    else:
        lines += [f"PyTorch's `torch{modname[5:]}.{name}`, with the same arguments and "
                  "behaviour (see [Differences from PyTorch](../differences.md)).", ""]
    return "\n".join(lines)


def api_page(modname) -> str:
    names = public_names(modname)
    head = [f"# `{modname}`", ""]
    mod = importlib.import_module(modname)
    doc = inspect.getdoc(mod)
    if doc:
        head += [doc.split("\n\n")[0], ""]
    head += [f"{len(names)} public names. Entries are generated from the docstrings.", ""]
    body = []
    for n in names:
        path = static_path(modname, n)
        if path is not None:
            if path != f"{modname}.{n}":  # rendered from where it is defined
                body += [f'<a id="{modname}.{n}"></a>', ""]
            body += [f"::: {path}", "    options:", "      heading_level: 3",
                     "      show_root_full_path: true", ""]
        else:
            body.append(runtime_entry(modname, n))
    return "\n".join(head + body) + "\n"


def api_file_name(modname) -> str:
    return f"api/{modname}.md"


# ------------------------------------------------------------------------------ differences
_DIFF_START = re.compile(r"^(Differences? from PyTorch|Differs from PyTorch)", re.I)
DIFF_MARKER = "<!-- differences from docstrings -->"


def docstring_differences():
    """``[(qualified name, paragraph)]``: every docstring paragraph in ``src/ember`` that starts
    with "Difference(s) from PyTorch" or "Differs from PyTorch", in file order."""
    import ast

    found = []
    base = os.path.join(SRC, "ember")
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames.sort()
        for fn in sorted(filenames):
            if not fn.endswith(".py"):
                continue
            path = os.path.join(dirpath, fn)
            mod = os.path.relpath(path, SRC)[:-3].replace(os.sep, ".")
            mod = mod[: -len(".__init__")] if mod.endswith(".__init__") else mod
            with open(path, encoding="utf-8") as f:
                try:
                    tree = ast.parse(f.read())
                except SyntaxError:
                    continue
            items = [(mod, tree)]
            for node in ast.walk(tree):
                if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
                    if not node.name.startswith("_") or node.name == "__init__":
                        items.append((f"{mod}.{node.name}", node))
            for qual, node in items:
                doc = ast.get_docstring(node)
                if not doc:
                    continue
                for para in doc.split("\n\n"):
                    lines = para.splitlines()
                    for k, line in enumerate(lines):  # the note may end a paragraph
                        if _DIFF_START.match(line.strip()):
                            found.append((qual, " ".join(" ".join(lines[k:]).split())))
                            break
    return found


def differences_markdown() -> str:
    lines = []
    for qual, para in docstring_differences():
        text = _DIFF_START.sub("", para).lstrip(" :").replace("``", "`")
        lines.append(f"- **`{qual}`**: {text}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------ mkdocs hooks
def _nav_files(nav):
    out = set()
    for item in nav:
        if isinstance(item, dict):
            for v in item.values():
                out |= _nav_files(v) if isinstance(v, list) else {v}
        elif isinstance(item, str):
            out.add(item)
    return out


def _title(path, default):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("# "):
                return line[2:].strip().strip("`")
    return default


def on_config(config, **kwargs):
    """Pages not named in ``mkdocs.yml`` join the navigation before "Benchmarks": the known
    optional ones in their order, then any other top-level page, by its first heading."""
    docs = config["docs_dir"]
    nav = config["nav"]
    listed = _nav_files(nav)
    extra = [{title: f} for title, f in OPTIONAL_PAGES
             if f not in listed and os.path.exists(os.path.join(docs, f))]
    known = listed | {f for _, f in OPTIONAL_PAGES}
    for f in sorted(os.listdir(docs)):
        if f.endswith(".md") and f not in known:
            extra.append({_title(os.path.join(docs, f), f[:-3]): f})
    for i, item in enumerate(nav):
        if isinstance(item, dict) and "Benchmarks" in item:
            nav[i:i] = extra
            break
    else:
        nav.extend(extra)
    api = [{m: api_file_name(m)} for m in API_MODULES]
    for item in nav:
        if isinstance(item, dict) and "API reference" in item:
            item["API reference"] = api
    return config


def on_files(files, config, **kwargs):
    from mkdocs.structure.files import File

    for m in API_MODULES:
        files.append(File.generated(config, api_file_name(m), content=api_page(m)))
    return files


BENCH_MARKER = "<!-- benchmark tables -->"
BENCH_DIR = os.path.join(ROOT, "benchmarks", "results")


def benchmark_markdown() -> str:
    """A section per ``benchmarks/results/*.json`` (what ``bench_workloads.py --json``
    writes), tables formatted by ``benchmarks/plot_results.py``."""
    sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
    try:
        import plot_results
    finally:
        sys.path.pop(0)
    names = sorted(f for f in os.listdir(BENCH_DIR) if f.endswith(".json")) \
        if os.path.isdir(BENCH_DIR) else []
    if not names:
        return "*(no results in `benchmarks/results/` yet)*\n"
    out = []
    for f in names:
        out += [f"### `benchmarks/results/{f}`", "",
                plot_results.markdown_tables(plot_results.load(os.path.join(BENCH_DIR, f)))]
    return "\n".join(out)


def on_page_markdown(markdown, page, config, files, **kwargs):
    if DIFF_MARKER in markdown:
        markdown = markdown.replace(DIFF_MARKER, differences_markdown())
    if BENCH_MARKER in markdown:
        markdown = markdown.replace(BENCH_MARKER, benchmark_markdown())
    return markdown
