"""The demo (examples/demo.py) runs end to end in a shortened form: a few epochs of the CNN on
scikit-learn's digits, well above chance, with the weights saved, reloaded and the plot drawn."""

from __future__ import annotations

import os
import sys

import pytest

pytest.importorskip("sklearn")
pytest.importorskip("tqdm")
pytest.importorskip("matplotlib")

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples"))


def test_demo_short_run(tmp_path):
    import demo

    r = demo.main(epochs=3, out_dir=str(tmp_path), progress=False)
    assert r["test_acc"] > 0.8  # chance is 0.1; three epochs reach about 0.9
    assert r["restored_acc"] == r["test_acc"]  # the saved weights load back exactly
    assert len(r["history"]["loss"]) == 3
    assert r["history"]["loss"][-1] < r["history"]["loss"][0]
    assert os.path.getsize(r["weights"]) > 0
    with open(r["plot"], "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
