"""The tutorial's outputs are real and current, and both languages show the same code and
the same outputs."""

import os
import subprocess
import sys

import pytest

DOCS = os.path.join(os.path.dirname(__file__), "..", "..", "docs")
sys.path.insert(0, DOCS)

import make_tutorial  # noqa: E402


def _read(name):
    with open(os.path.join(DOCS, name), encoding="utf-8") as f:
        return f.read()


def test_same_code_and_outputs_in_both_languages():
    en, zh = _read("tutorial.en.md"), _read("tutorial.zh.md")
    assert make_tutorial.code_blocks(en) == make_tutorial.code_blocks(zh)
    assert make_tutorial.output_blocks(en) == make_tutorial.output_blocks(zh)
    assert len(make_tutorial.code_blocks(en)) >= 10
    outs = "\n".join(make_tutorial.output_blocks(en))
    # the tools' real output is in the docs: graph, saved memory, trace, debug, explain
    for needle in ("CustomReLUBackward #1", "AccumulateGrad", "'fc.weight'",
                   "total saved for backward", "saved read", "backward 0 called at",
                   "returned an incorrect number of gradients (expected 2, got 1)",
                   "disagrees with its forward", "block10.py:4: `s.mul_(2)`",
                   "freed by the backward call", ".grad is None"):
        assert needle in outs, needle


def test_docs_are_current():
    if os.environ.get("EMBER_DEBUG", "") not in ("", "0"):
        pytest.skip("the tutorial shows debug mode off by default")
    res = subprocess.run([sys.executable, os.path.join(DOCS, "make_tutorial.py"), "--check"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-4000:]


def test_check_mode_detects_a_stale_output(tmp_path, monkeypatch):
    text = _read("tutorial.en.md")
    stale = text.replace("Gradient of input tensor: tensor([1., 0., 1., 1., 0.])",
                         "Gradient of input tensor: tensor([0., 0., 0., 0., 0.])")
    assert stale != text
    (tmp_path / "tutorial.en.md").write_text(stale, encoding="utf-8")
    (tmp_path / "tutorial.zh.md").write_text(_read("tutorial.zh.md"), encoding="utf-8")
    monkeypatch.setattr(make_tutorial, "HERE", str(tmp_path))
    assert make_tutorial.main(["--check"]) == 1
    assert make_tutorial.main([]) == 0  # rewrites it
    assert (tmp_path / "tutorial.en.md").read_text(encoding="utf-8") == text
