"""Benchmark JSON -> plots and tables for the docs: ember vs PyTorch, side by side.

Reads what ``bench_workloads.py --json`` writes (``{"info": {...}, "results": [...]}``; a row
is a model step, ``ember_ms``/``torch_ms``, or a micro case, ``ember``/``torch`` with a
``unit``) and draws, with matplotlib:

* ``bench_steps.png``: milliseconds per training step, ember and PyTorch bars per workload,
  one group per thread count;
* ``bench_ratio.png``: ember / PyTorch per workload and thread count (below 1: ember faster).

``--markdown`` prints the results as Markdown tables (the docs site renders the same tables
from the JSON when it is built).

    python3 benchmarks/bench_workloads.py --json docs/data/benchmarks.json
    python3 benchmarks/plot_results.py benchmarks/results/workloads_before_1thread.json
"""

from __future__ import annotations

import argparse
import json
import os

__all__ = ["load", "markdown_tables", "plot"]


def load(path) -> dict:
    """The JSON, with every row given ``ember``/``torch`` times and a ``unit``."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    if "results" not in doc:
        raise ValueError(f"{path}: not benchmark output (no 'results' list)")
    for r in doc["results"]:
        if "ember_ms" in r:
            r.setdefault("ember", r["ember_ms"])
            r.setdefault("torch", r.get("torch_ms"))
            r.setdefault("unit", "ms/step")
        r.setdefault("title", r["model"])
        if r.get("ratio") is None and r.get("torch"):
            r["ratio"] = r["ember"] / r["torch"]
    return doc


def _fmt(x, nd=2) -> str:
    return "-" if x is None else f"{x:.{nd}f}"


def markdown_tables(doc) -> str:
    """One Markdown table per thread count: workload, ember, PyTorch, ratio, unit (and
    ember's compiled step, ``compiled_ms``, when the results have it)."""
    info = doc.get("info", {})
    out = []
    if info:
        out.append("Measured with " + ", ".join(f"{k} {v}" for k, v in info.items()) + ".")
        out.append("")
    compiled = any(r.get("compiled_ms") for r in doc["results"])
    threads = sorted({r["threads"] for r in doc["results"]})
    for n in threads:
        head = "| workload | ember | PyTorch | ember / PyTorch | unit |"
        rule = "|---|---:|---:|---:|---|"
        if compiled:
            head, rule = head + " ember compiled |", rule + "---:|"
        out += [f"**{n} thread{'s' if n != 1 else ''}**", "", head, rule]
        for r in doc["results"]:
            if r["threads"] == n:
                line = (f"| {r['title']} | {_fmt(r['ember'])} | {_fmt(r['torch'])} | "
                        f"{_fmt(r.get('ratio'))} | {r['unit']} |")
                if compiled:
                    line += f" {_fmt(r.get('compiled_ms'))} |"
                out.append(line)
        out.append("")
    return "\n".join(out)


def plot(doc, out_dir) -> list:
    """Write the two PNGs into ``out_dir``; returns their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    os.makedirs(out_dir, exist_ok=True)
    rows = doc["results"]
    threads = sorted({r["threads"] for r in rows})
    steps = [r for r in rows if r["unit"] == "ms/step"]
    paths = []

    if steps:
        models = list(dict.fromkeys(r["model"] for r in steps))
        fig, axes = plt.subplots(1, len(threads), figsize=(5.5 * len(threads), 3.8),
                                 squeeze=False)
        for ax, n in zip(axes[0], threads):
            by = {r["model"]: r for r in steps if r["threads"] == n}
            xs = range(len(models))
            e = [by[m]["ember"] if m in by else 0 for m in models]
            t = [(by[m]["torch"] or 0) if m in by else 0 for m in models]
            ax.bar([x - 0.2 for x in xs], e, 0.4, label="ember", color="#e8590c")
            ax.bar([x + 0.2 for x in xs], t, 0.4, label="PyTorch", color="#4263eb")
            ax.set_xticks(list(xs))
            ax.set_xticklabels(models, rotation=20)
            ax.set_yscale("log")  # steps range from milliseconds to seconds
            ax.set_ylabel("ms per training step (log scale)")
            ax.set_title(f"{n} thread{'s' if n != 1 else ''}")
            ax.legend()
        fig.tight_layout()
        p = os.path.join(out_dir, "bench_steps.png")
        fig.savefig(p, dpi=110)
        plt.close(fig)
        paths.append(p)

    ratios = [r for r in rows if r.get("ratio")]
    if ratios:
        models = list(dict.fromkeys(r["model"] for r in ratios))
        fig, ax = plt.subplots(figsize=(max(6.0, 0.9 * len(models) + 2), 3.8))
        w = 0.8 / len(threads)
        for k, n in enumerate(threads):
            by = {r["model"]: r["ratio"] for r in ratios if r["threads"] == n}
            xs = [i + (k - (len(threads) - 1) / 2) * w for i in range(len(models))]
            ax.bar(xs, [by.get(m, 0) for m in models], w,
                   label=f"{n} thread{'s' if n != 1 else ''}")
        ax.axhline(1.0, color="#333", lw=1, ls="--")
        ax.set_xticks(range(len(models)))
        ax.set_xticklabels(models, rotation=20)
        ax.set_ylabel("ember time / PyTorch time")
        ax.set_title("below the line: ember is faster")
        ax.legend()
        fig.tight_layout()
        p = os.path.join(out_dir, "bench_ratio.png")
        fig.savefig(p, dpi=110)
        plt.close(fig)
        paths.append(p)
    return paths


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("json", help="output of bench_workloads.py --json")
    ap.add_argument("--out", default="docs/img", help="directory for the PNGs")
    ap.add_argument("--markdown", action="store_true", help="print Markdown tables too")
    args = ap.parse_args(argv)
    doc = load(args.json)
    for p in plot(doc, args.out):
        print("wrote", p)
    if args.markdown:
        print(markdown_tables(doc))


if __name__ == "__main__":
    main()
