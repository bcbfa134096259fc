"""The workloads of ``benchmarks/bench_workloads.py``: one module per model.

A model module defines ``NAME``, ``TITLE``, ``classes(lib)`` (the model class written against a
torch-like module), ``build(lib) -> (model, optimizer)``, ``batches(rng, n)`` (NumPy arrays),
``loss(lib, model, batch)`` and ``step(lib, model, opt, batch) -> loss`` (one training step as
the original program writes it). ``micro`` holds the per-op cases.
"""

from . import cnn, lstm, micro, mingpt, mlp, nanogpt

MODELS = {m.NAME: m for m in (nanogpt, mingpt, lstm, cnn, mlp)}

__all__ = ["MODELS", "micro"]
