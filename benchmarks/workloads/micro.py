"""Per-op micro workloads of issue 14's bar, run as the same lambdas on ember and PyTorch:

* ``chain``: a 100-op elementwise chain (mul, add, tanh, sigmoid, exp, relu) on 16 float32
  elements that require grad, forward + backward, time per op;
* ``x*y+x``: the expression forward on 16-element tensors that require grad (two ops);
* ``matmul``: a 1024x1024 float32 ``a @ b`` forward + backward (NumPy's three BLAS calls are
  the floor: ``a @ b``, ``g @ b.T``, ``a.T @ g``).

``custom_relu(lib)`` is the seed tutorial's CustomReLU ``autograd.Function`` (used by
bench_core.py and gpu_check.py).
"""

from __future__ import annotations

import numpy as np

NAME = "micro"


def cases(lib):
    """name -> (callable, ops per call); the times are per op."""
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal(16).astype(np.float32), requires_grad=True)
    y = lib.tensor(rng.standard_normal(16).astype(np.float32), requires_grad=True)
    a = lib.tensor(rng.standard_normal((1024, 1024)).astype(np.float32), requires_grad=True)
    b = lib.tensor(rng.standard_normal((1024, 1024)).astype(np.float32), requires_grad=True)
    g = lib.tensor(rng.standard_normal((1024, 1024)).astype(np.float32))

    def chain():
        z = x
        for _ in range(10):
            z = z * 1.01
            z = z + 0.01
            z = lib.tanh(z)
            z = z * 0.9
            z = z + 0.1
            z = lib.sigmoid(z)
            z = z * 0.5
            z = lib.exp(z)
            z = z + (-1.0)
            z = lib.relu(z)
        z.sum().backward()

    def xyx():
        return x * y + x

    def matmul():
        a.grad = None
        b.grad = None
        (a @ b).backward(g)

    return {"chain": (chain, 100, 200), "x*y+x": (xyx, 1, 20000), "matmul": (matmul, 1, 3)}


def custom_relu(lib):
    """The seed tutorial's CustomReLU, an ``autograd.Function`` written against ``lib``."""

    class CustomReLU(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return input.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            grad_input = grad_output.clone()
            grad_input[input < 0] = 0
            return grad_input

    return CustomReLU
