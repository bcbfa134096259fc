"""benchmarks/plot_results.py: benchmark JSON -> matplotlib plots and Markdown tables."""

from __future__ import annotations

import json
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))

import plot_results  # noqa: E402

DOC = {"info": {"cores": 2},
       "results": [
           {"model": "mlp", "title": "MLP", "threads": 1, "ember_ms": 6.0, "torch_ms": 8.0,
            "ratio": 0.75, "steps_per_round": 10, "loss_rel_diff": 0.0},
           {"model": "cnn", "title": "CNN", "threads": 1, "ember_ms": 9.0, "torch_ms": None,
            "ratio": None, "steps_per_round": 5, "loss_rel_diff": None},
           {"model": "mlp", "title": "MLP", "threads": 2, "ember_ms": 4.0, "torch_ms": 2.0,
            "ratio": 2.0, "steps_per_round": 10, "loss_rel_diff": 0.0},
           {"model": "micro:chain", "threads": 1, "unit": "us/op", "ember": 20.0,
            "torch": 10.0, "ratio": 2.0}]}


@pytest.fixture
def results(tmp_path):
    path = tmp_path / "bench.json"
    path.write_text(json.dumps(DOC))
    return plot_results.load(str(path))


def test_tables(results):
    md = plot_results.markdown_tables(results)
    assert "| MLP | 6.00 | 8.00 | 0.75 | ms/step |" in md
    assert "| CNN | 9.00 | - | - | ms/step |" in md  # no PyTorch: no ratio
    assert "| micro:chain | 20.00 | 10.00 | 2.00 | us/op |" in md
    assert "**1 thread**" in md and "**2 threads**" in md


def test_plots(results, tmp_path):
    pytest.importorskip("matplotlib", reason="matplotlib not installed (the examples extra)")
    paths = plot_results.plot(results, str(tmp_path / "img"))
    assert [os.path.basename(p) for p in paths] == ["bench_steps.png", "bench_ratio.png"]
    for p in paths:
        with open(p, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"
        assert os.path.getsize(p) > 5000


def test_committed_results_load():
    """Every file the docs page renders is benchmark output."""
    d = os.path.join(ROOT, "benchmarks", "results")
    names = [f for f in os.listdir(d) if f.endswith(".json")] if os.path.isdir(d) else []
    for f in names:
        doc = plot_results.load(os.path.join(d, f))
        assert doc["results"] and all(r["ember"] > 0 for r in doc["results"])
        assert "| workload |" in plot_results.markdown_tables(doc)


def test_compiled_column(results):
    results["results"][0]["compiled_ms"] = 5.0
    md = plot_results.markdown_tables(results)
    assert "ember compiled |" in md and "| MLP | 6.00 | 8.00 | 0.75 | ms/step | 5.00 |" in md


def test_not_benchmark_json(tmp_path):
    p = tmp_path / "x.json"
    p.write_text("{}")
    with pytest.raises(ValueError, match="not benchmark output"):
        plot_results.load(str(p))
