"""``ember.utils.tensorboard.SummaryWriter`` (issue 10, class 9) writes the same events as
``torch.utils.tensorboard.SummaryWriter``: both runs are read back with TensorBoard's own
event loader and compared field by field (wall times aside)."""

from __future__ import annotations

import glob
import os
import subprocess
import sys

import numpy as np
import pytest
from oracle import ember_env

import ember

pytest.importorskip("tensorboard", reason="the optional tensorboard extra is not installed")
from tensorboard.backend.event_processing.event_file_loader import EventFileLoader  # noqa: E402

from ember.utils.tensorboard import SummaryWriter  # noqa: E402


def _events(logdir):
    """{relative run dir: [(step, summary value dicts...)]} of every event file under logdir."""
    from google.protobuf.json_format import MessageToDict

    out = {}
    for path in sorted(glob.glob(os.path.join(logdir, "**", "events.out.tfevents.*"),
                                 recursive=True)):
        run = os.path.relpath(os.path.dirname(path), logdir)
        if os.path.basename(run).replace(".", "").isdigit():  # add_hparams' time-named run
            run = os.path.join(os.path.dirname(run), "<time>")
        evs = []
        for ev in EventFileLoader(path).Load():
            d = MessageToDict(ev)
            d.pop("wallTime", None)
            for v in d.get("summary", {}).get("value", []):
                # images (which the loader turns into [width, height, png...] string tensors):
                # compare decoded pixels, not the PNG encoder's bytes
                if v.get("metadata", {}).get("pluginData", {}).get("pluginName") == "images":
                    vals = v["tensor"]["stringVal"]
                    v["tensor"]["stringVal"] = vals[:2] + [_decode_png(b) for b in vals[2:]]
            evs.append(d)
        out.setdefault(run, []).extend(evs)
    return out


def _decode_png(b64):
    import base64
    import io

    PIL = pytest.importorskip("PIL.Image", reason="Pillow decodes the PNGs for comparison")
    return np.asarray(PIL.open(io.BytesIO(base64.b64decode(b64)))).tolist()


def _log(lib, SummaryWriter, logdir):
    rng = np.random.default_rng(0)
    w = SummaryWriter(logdir, purge_step=None)
    for step in range(3):
        w.add_scalar("loss/train", 1.0 / (step + 1), step)
        w.add_scalar("acc", lib.tensor(0.5 + step / 10), step, new_style=True)
    w.add_scalars("run", {"a": 1.0, "b": lib.tensor([2.0])}, 0)
    w.add_histogram("weights", lib.tensor(rng.standard_normal(1000)), 1)
    w.add_histogram("small", lib.tensor(rng.standard_normal(50)), 1, bins=10, max_bins=4)
    w.add_image("img", lib.tensor(rng.random((3, 8, 6)).astype(np.float32)), 2)
    w.add_image("gray", lib.tensor((rng.random((5, 7)) * 255).astype(np.uint8)), 2,
                dataformats="HW")
    w.add_images("batch", lib.tensor(rng.random((5, 1, 4, 4)).astype(np.float32)), 3)
    w.add_text("note", "hello *world*", 4)
    w.add_hparams({"lr": 0.1, "opt": "adam", "bs": 32}, {"hparam/acc": 0.9}, run_name="hp")
    w.close()


def test_same_events_as_torch(tmp_path):
    torch = pytest.importorskip("torch")
    from torch.utils.tensorboard import SummaryWriter as TorchWriter

    _log(ember, SummaryWriter, str(tmp_path / "ember"))
    _log(torch, TorchWriter, str(tmp_path / "torch"))
    mine, theirs = _events(str(tmp_path / "ember")), _events(str(tmp_path / "torch"))
    assert sorted(mine) == sorted(theirs)
    for run in theirs:
        assert mine[run] == theirs[run], run


def test_writer_basics_without_torch(tmp_path):
    with SummaryWriter(str(tmp_path)) as w:
        assert w.get_logdir() == str(tmp_path)
        w.add_scalar("x", ember.tensor(3.0), 7)
        with pytest.raises(AssertionError, match="one element"):
            w.add_scalar("bad", ember.ones(2), 0)
        with pytest.raises(ValueError, match="no element"):
            w.add_histogram("empty", ember.ones(0), 0)
        with pytest.raises(TypeError, match="should be dictionary"):
            w.add_hparams([1], {})
    evs = _events(str(tmp_path))["."]
    assert evs[1]["step"] == "7" and evs[1]["summary"]["value"][0]["tensor"]["floatVal"] == [3.0]
    w.close()  # a second close does nothing


def test_figure(tmp_path):
    plt = pytest.importorskip("matplotlib.pyplot", reason="add_figure needs matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    fig = plt.figure(figsize=(2, 1), dpi=20)
    plt.plot([0, 1], [1, 0])
    with SummaryWriter(str(tmp_path)) as w:
        w.add_figure("fig", fig, 0)
    import base64

    w_, h_, png = _events(str(tmp_path))["."][1]["summary"]["value"][0]["tensor"]["stringVal"]
    assert base64.b64decode(w_) == b"40" and base64.b64decode(h_) == b"20"
    assert np.array(png).shape == (20, 40, 3)


def test_importing_ember_does_not_import_tensorboard():
    code = "import sys, ember, ember.utils; print('tensorboard' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env=ember_env())
    assert r.stdout.strip() == "False"
