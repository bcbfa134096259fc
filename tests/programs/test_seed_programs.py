"""The seed tutorial's two programs (examples/seed_training_step.py and
examples/seed_custom_relu.py), run as written with ``import ember as torch`` and again with PyTorch
itself: the training step (SimpleModel / Linear(10, 1) / MSELoss / SGD) and the CustomReLU
Function. Their printed output must have PyTorch's form (numbers aside, as the inputs are random),
and the values must satisfy the maths the tutorial relies on."""

from __future__ import annotations

import re

import numpy as np
import pytest
from oracle import run_example, torch


def _shape_of_output(text: str) -> str:
    """The printed text with each number replaced by '#' and the white space (which depends on
    the signs and widths of the random values) removed."""
    text = re.sub(r"-?\d+\.\d*(e[+-]?\d+)?", "#", text)
    return re.sub(r"\s+", "", text)


def _same_form_as_torch(name, out):
    """The program prints what PyTorch's run of it prints, numbers aside."""
    if torch is None:
        return
    _, t_out = run_example(name, torch)
    assert _shape_of_output(out) == _shape_of_output(t_out), (out, t_out)


def test_training_step_program():
    import ember

    ns, out = run_example("seed_training_step")
    model, x, target = ns["model"], ns["input_tensor"], ns["target"]
    output, loss = ns["output"], ns["loss"]
    assert isinstance(model, ember.nn.Module) and isinstance(model.fc, ember.nn.Linear)
    assert output.shape == (1, 1) and loss.dim() == 0 and loss.requires_grad
    assert type(loss.grad_fn).__name__ == "MseLossBackward0"
    err = (output - target).detach()
    assert abs(loss.item() - (err ** 2).item()) < 1e-6
    w, b = model.fc.weight, model.fc.bias
    # SGD stepped with lr=0.01 after backward: recover the weights the forward used
    w0 = w.detach() + 0.01 * w.grad
    np.testing.assert_allclose(w.grad.numpy(), (2 * err * x.detach()).numpy(), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(b.grad.numpy(), (2 * err).reshape(1).numpy(), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), (2 * err * w0).numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose((x.detach() @ w0.t() + (b.detach() + 0.01 * b.grad)).numpy(),
                               output.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert np.abs(w0.numpy()).max() <= 1 / 10 ** 0.5  # PyTorch's default init bound
    lines = out.splitlines()
    assert lines[0].startswith("output: tensor([[") and \
        lines[0].endswith("]], grad_fn=<AddmmBackward0>)")
    assert lines[1].startswith("loss: tensor(") and \
        lines[1].endswith(", grad_fn=<MseLossBackward0>)")
    assert lines[2].startswith("fc.weight.grad: tensor([[")
    _same_form_as_torch("seed_training_step", out)


def test_custom_relu_program():
    ns, out = run_example("seed_custom_relu")
    x = ns["input_tensor"]
    mask = (x.detach().numpy() > 0).astype(np.float32)
    assert np.array_equal(x.grad.numpy(), mask)
    assert type(ns["output"].grad_fn).__name__ == "CustomReLUBackward"
    lines = out.splitlines()
    assert lines[0].startswith("Input tensor: tensor([") and \
        lines[0].endswith("], requires_grad=True)")
    assert lines[1].startswith("Gradient of input tensor: tensor([")
    # the printed values are the tensors' own, rounded to 4 decimals as PyTorch prints them
    shown = [float(v) for v in re.findall(r"-?\d+\.\d+", lines[0])]
    np.testing.assert_allclose(shown, x.detach().numpy(), atol=5e-5)
    assert _shape_of_output(out).count("#") == 10
    _same_form_as_torch("seed_custom_relu", out)


def test_custom_relu_same_values_as_torch():
    torch = pytest.importorskip("torch")
    import ember

    data = np.array([0.5, -1.25, 2.0, -0.1, 0.0], dtype=np.float32)
    outs = []
    for lib in (ember, torch):
        x = lib.tensor(data, requires_grad=True)
        y = run_example("seed_custom_relu", lib)[0]["CustomReLU"].apply(x)
        y.sum().backward()
        outs.append((repr(x), repr(x.grad), repr(y.detach())))
    assert outs[0] == outs[1]
