"""Anomaly detection: ``detect_anomaly`` / ``set_detect_anomaly``.

While on, every recorded node keeps the stack of the forward call that made it (in
``node.metadata["traceback_"]``); an error raised in backward first warns with that stack and
the node's name, and with ``check_nan`` a node whose backward returns NaN raises PyTorch's
"Function 'XBackward0' returned nan values in its 0th output.". Off, it costs nothing.

Example::

    with ember.autograd.detect_anomaly():
        y = x.log() * x
        y.sum().backward()   # a NaN gradient names LogBackward0 and where it was made
"""

from __future__ import annotations

import functools
import os
import traceback
import warnings

__all__ = [
    "detect_anomaly",
    "is_anomaly_check_nan_enabled",
    "is_anomaly_enabled",
    "set_detect_anomaly",
]

_EMBER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _state():
    from ..func._dispatch import refresh, state

    return state, refresh


def is_anomaly_enabled() -> bool:
    return _state()[0].anomaly


def is_anomaly_check_nan_enabled() -> bool:
    return _state()[0].check_nan


def _set(mode, check_nan):
    st, refresh = _state()
    st.anomaly = bool(mode)
    st.check_nan = bool(check_nan)
    refresh()


class detect_anomaly:
    """Context manager (and decorator) that turns anomaly detection on, then restores it."""

    def __init__(self, check_nan=True) -> None:
        st, _ = _state()
        self.prev = st.anomaly
        self.check_nan = check_nan
        self.prev_check_nan = st.check_nan
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and should "
            "only be enabled for debugging.",
            stacklevel=2,
        )

    def __enter__(self) -> None:
        _set(True, self.check_nan)

    def __exit__(self, *args) -> None:
        _set(self.prev, self.prev_check_nan)

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)

        return wrapper


class set_detect_anomaly:
    """Turn anomaly detection on or off now; as a context manager, restore it on exit."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        st, _ = _state()
        self.prev = st.anomaly
        self.prev_check_nan = st.check_nan
        _set(mode, check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *args) -> None:
        _set(self.prev, self.prev_check_nan)


def _forward_stack():
    frames = traceback.extract_stack()
    keep = [f for f in frames if not os.path.abspath(f.filename).startswith(_EMBER_DIR)]
    return "".join(traceback.format_list(keep))


def _annotate(node):
    """Called for each node recorded while anomaly mode is on."""
    node.metadata["traceback_"] = _forward_stack()
    st, _ = _state()
    if st.check_nan:
        node.register_hook(_nan_check(node))


def _nan_check(node):
    from .function import grads_flow

    def hook(grad_inputs, grad_outputs):
        for i, g in enumerate(grad_inputs):
            if g is not None and grads_flow(g._data.dtype) and bool(
                    (g._data != g._data).any()):
                raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th "
                                   "output.")

    return hook


def report(node):
    """The engine calls this when a node's backward raised while anomaly mode is on."""
    if node is None:
        return
    md = node.__dict__.get("metadata_") or {}
    tb = md.get("traceback_")
    if tb is None:
        warnings.warn(
            f"Error detected in {node.name()}. No forward pass information available. Enable "
            "detect anomaly during forward pass for more information.",
            stacklevel=2,
        )
        return
    warnings.warn(
        f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n"
        f"{tb}",
        stacklevel=2,
    )
