"""Programs in the style of pytorch/examples and the PyTorch tutorials, run unchanged on ember.

Each file in ``tests/programs/example_programs/`` is an ordinary PyTorch program
(``import torch``), shrunk to tiny synthetic data. It runs twice in a subprocess: on real PyTorch, which also writes the
freshly initialised weights as NumPy arrays (``exutil.share_init``), and on ember through
``_launch.py`` (``import torch`` resolves to ember), which loads those weights. Both print their
losses as JSON on their last line. The tests assert that the ember run finishes, that it trains
(the loss goes down), and, where the program is deterministic given the same initial weights
and data, that its numbers match PyTorch's.

Differences that are expected and not compared: anything drawn from the library's random
generator (dropout masks, ``randn_like`` noise, ``shuffle=True``, ``random_split``, ``torch.randn``
data), since ember's generator is not PyTorch's.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("torch")

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = os.path.join(HERE, "example_programs")
LAUNCH = os.path.join(PROGRAMS, "_launch.py")

NAMES = [
    "word_language_model", "mnist_cnn", "polynomial_fit", "time_sequence_prediction", "vae",
    "dcgan", "regression", "transfer_learning", "siamese_triplet", "char_rnn_classification",
    "blitz_tutorial", "nn_tutorial", "seq2seq_translation", "super_resolution", "nanogpt",
]


def _run_batch(lib, names, base, role):
    """Run ``names`` one after the other in one interpreter (the library is imported once)."""
    env = dict(os.environ, EXAMPLE_DIR=base, EXAMPLE_ROLE=role, OMP_NUM_THREADS="1",
               PYTHONHASHSEED="0")
    programs = [os.path.join(PROGRAMS, n + ".py") for n in names]
    # each program's exit status is read from its .rc file: a failure is reported per test
    subprocess.run([sys.executable, LAUNCH, lib, "--batch", *programs], cwd=base, env=env,
                   capture_output=True, text=True, timeout=600, check=False)


def _collect(lib, name, base):
    d = os.path.join(base, name)

    def read(ext):
        path = os.path.join(d, lib + ext)
        return open(path).read() if os.path.exists(path) else ""

    rc = int(read(".rc") or -1)
    out = read(".out")
    result = json.loads(out.strip().splitlines()[-1]) if rc == 0 and out.strip() else None
    return {"rc": rc, "result": result, "stderr": read(".err")[-4000:] or out[-2000:]}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Run every program on PyTorch (saving its initial weights), then on ember (loading them).
    The programs are split into one group per core; each group runs in two interpreters, first
    PyTorch's, then ember's."""
    base = str(tmp_path_factory.mktemp("examples"))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    k = max(1, min(4, cores or 1))
    groups = [NAMES[i::k] for i in range(k)]

    def both(names):
        _run_batch("torch", names, base, "save")
        _run_batch("ember", names, base, "load")

    with concurrent.futures.ThreadPoolExecutor(k) as pool:
        list(pool.map(both, groups))
    return ({n: _collect("torch", n, base) for n in NAMES},
            {n: _collect("ember", n, base) for n in NAMES})


def _results(runs, name):
    ref, emb = runs[0][name], runs[1][name]
    assert ref["rc"] == 0, "the PyTorch run failed:\n" + ref["stderr"]
    assert emb["rc"] == 0, "the ember run failed:\n" + emb["stderr"]
    return emb["result"], ref["result"]


def close(a, b, rtol=1e-4, atol=1e-5):
    np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float),
                               rtol=rtol, atol=atol)


def mean(xs):
    return float(np.mean(xs))


def test_mnist_cnn(runs):
    e, t = _results(runs, "mnist_cnn")
    # Dropout and shuffle draw from the generator: only the untrained model is comparable.
    close(e["initial_test_loss"], t["initial_test_loss"])
    assert mean(e["last_losses"]) < 0.5 * mean(e["first_losses"])
    assert e["test_loss"] < e["initial_test_loss"]
    # torch.save / torch.load of the state_dict (on cuda the program shuffles its test loader:
    # the same losses, summed in another order)
    close(e["reload_loss"], e["test_loss"], rtol=1e-6, atol=0)
    close(e["lr"], t["lr"], rtol=1e-12)  # StepLR


def test_polynomial_fit(runs):
    e, t = _results(runs, "polynomial_fit")
    assert e.keys() == t.keys()
    for part in e:
        close(e[part], t[part], rtol=2e-4, atol=1e-5)
        assert e[part][1] < e[part][0], part


def test_time_sequence_prediction(runs):
    e, t = _results(runs, "time_sequence_prediction")
    close(e["losses"], t["losses"], rtol=1e-6, atol=1e-9)  # float64, LBFGS
    close(e["test_losses"], t["test_losses"], rtol=1e-6, atol=1e-9)
    close(e["pred_tail"], t["pred_tail"], rtol=1e-6, atol=1e-9)
    assert e["pred_shape"] == t["pred_shape"]
    assert e["losses"][-1] < 0.05 * e["losses"][0]


def test_word_language_model(runs):
    e, t = _results(runs, "word_language_model")
    assert set(e) == {"LSTM", "GRU", "RNN_TANH", "Transformer", "Tutorial"}
    for model in e:
        close(e[model]["first"], t[model]["first"], rtol=1e-4)
        close(e[model]["last"], t[model]["last"], rtol=2e-3, atol=1e-4)
        close(e[model]["val"], t[model]["val"], rtol=2e-3, atol=1e-4)
        assert e[model]["val"][-1] < e[model]["first"][0], model


def test_vae(runs):
    e, t = _results(runs, "vae")
    # randn_like draws differ: compare the scale of the losses, and that they go down.
    assert e["train_losses"][-1] < 0.9 * e["train_losses"][0]
    close(e["train_losses"], t["train_losses"], rtol=0.05)


def test_dcgan(runs):
    e, t = _results(runs, "dcgan")
    for key in ("errD", "errG", "D_x"):
        close(e[key], t[key], rtol=1e-4, atol=1e-5)
    close(e["running_mean"], t["running_mean"], rtol=1e-3, atol=1e-6)
    close(e["eval_mean"], t["eval_mean"], rtol=1e-3, atol=1e-6)
    assert e["num_batches_tracked"] == t["num_batches_tracked"]
    assert mean(e["errG"][-4:]) < mean(e["errG"][:4])


def test_regression(runs):
    e, t = _results(runs, "regression")
    # The target polynomial comes from torch.randn: each library fits its own.
    assert e["final_loss"] < 1e-3 and e["batches"] < 3000
    assert e["weight_error"] < 0.5
    assert t["final_loss"] < 1e-3


def test_transfer_learning(runs):
    e, t = _results(runs, "transfer_learning")
    for part in ("finetune", "feature_extractor"):
        he, ht = e[part]["history"], t[part]["history"]
        assert [h[0] for h in he] == [h[0] for h in ht]
        close([h[1] for h in he], [h[1] for h in ht], rtol=1e-3, atol=1e-5)
        close([h[2] for h in he], [h[2] for h in ht])
        assert he[-2][1] < he[0][1]
        assert e[part]["best"] == t[part]["best"]
    close(e["finetune"]["lrs"], t["finetune"]["lrs"], rtol=1e-12)
    close(e["feature_extractor"]["lr"], t["feature_extractor"]["lr"], rtol=1e-12)


def test_siamese_triplet(runs):
    e, t = _results(runs, "siamese_triplet")
    for key in ("losses", "test_losses", "triplet", "contrastive"):
        close(e[key], t[key], rtol=1e-3, atol=1e-5)
    close(e["distance_ratio"], t["distance_ratio"], rtol=1e-3)
    assert mean(e["losses"][-4:]) < mean(e["losses"][:4])
    assert e["triplet"][-1] < e["triplet"][0]


def test_char_rnn_classification(runs):
    e, t = _results(runs, "char_rnn_classification")
    close(e["classic_losses"], t["classic_losses"], rtol=1e-4, atol=1e-6)
    close(e["classic_accuracy"], t["classic_accuracy"])
    assert [p[1] for p in e["predictions"]] == [p[1] for p in t["predictions"]]
    close([p[0] for p in e["predictions"]], [p[0] for p in t["predictions"]], rtol=1e-4)
    assert e["classic_losses"][-1] < e["classic_losses"][0]
    # random_split draws from the generator, so the nn.RNN half trains on another split.
    assert e["split"] == t["split"]
    assert e["nn_rnn_losses"][-1] < 0.6 * e["nn_rnn_losses"][0]


def test_blitz_tutorial(runs):
    e, t = _results(runs, "blitz_tutorial")
    assert e["tensors"] == t["tensors"]  # dtypes, devices, out=, numpy memory sharing
    assert e["autograd"] == t["autograd"]
    le, lt = e["lenet"], t["lenet"]
    assert (le["nparams"], le["p0"], le["grad_fn"]) == (lt["nparams"], lt["p0"], lt["grad_fn"])
    close(le["out"], lt["out"], rtol=1e-4, atol=1e-6)
    close(le["losses"], lt["losses"], rtol=1e-4)
    assert le["losses"][-1] < le["losses"][0]
    ce, ct = e["cifar"], t["cifar"]
    close(ce["epoch_losses"], ct["epoch_losses"], rtol=1e-4)
    assert ce["epoch_losses"][-1] < ce["epoch_losses"][0]
    assert (ce["correct"], ce["total"], ce["per_class"]) == (ct["correct"], ct["total"],
                                                             ct["per_class"])


def test_nn_tutorial(runs):
    e, t = _results(runs, "nn_tutorial")
    close(e["scratch"], t["scratch"], rtol=1e-3, atol=1e-5)
    assert e["functional_same"] < 1e-5
    close(e["logistic"], t["logistic"], rtol=1e-3, atol=1e-5)
    assert mean(e["logistic"][-2:]) < mean(e["logistic"][:2])
    # cnn_seq trains with shuffle=True (generator-dependent); cnn_adaptive does not.
    assert all(0 < v < 5 for v in e["cnn_seq"])
    close(e["cnn_adaptive"], t["cnn_adaptive"], rtol=1e-4)
    assert e["cnn_adaptive"][-1] < e["cnn_adaptive"][0]


def test_seq2seq_translation(runs):
    e, t = _results(runs, "seq2seq_translation")
    se, st = e["sequential"], t["sequential"]
    close(se["losses"], st["losses"], rtol=1e-3, atol=1e-5)
    assert se["words"] == st["words"] and se["attn_shape"] == st["attn_shape"]
    close(se["attn_sum"], 1.0)
    # RandomSampler and dropout draw from the generator: it must train all the same.
    assert e["random"]["losses"][-1] < 0.3 * e["random"]["losses"][0]


def test_super_resolution(runs):
    e, t = _results(runs, "super_resolution")
    for key in ("losses", "psnrs", "lrs", "resumed"):
        close(e[key], t[key], rtol=1e-4, atol=1e-6)
    close(e["resumed"], e["losses"][len(e["losses"]) // 2:], rtol=1e-6)  # resumed checkpoint
    assert e["losses"][-1] < 0.3 * e["losses"][0]
    assert e["hooked"] == t["hooked"] and e["feature_shape"] == t["feature_shape"]


def test_nanogpt(runs):
    e, t = _results(runs, "nanogpt")
    for variant in ("flash", "manual"):  # scaled_dot_product_attention / masked_fill + softmax
        ve, vt = e[variant], t[variant]
        close(ve["losses"], vt["losses"], rtol=1e-4, atol=1e-6)
        close(ve["evals"], vt["evals"], rtol=1e-4, atol=1e-6)
        assert (ve["n_params"], ve["gen_shape"], ve["tied"]) == (vt["n_params"], vt["gen_shape"],
                                                                 vt["tied"])
        assert mean(ve["losses"][-4:]) < mean(ve["losses"][:4]) - 0.2
