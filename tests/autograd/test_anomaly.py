"""Anomaly detection (src/ember/autograd/anomaly_mode.py): the failing node named, forward
stack in the warning, NaN checks, no cost when off."""

import warnings

import numpy as np
import pytest
from oracle import custom_function

import ember
from ember.autograd import detect_anomaly, set_detect_anomaly


def test_anomaly_nan_check_names_the_node_and_warns_with_forward_stack():
    x = ember.tensor([0.0, 1.0], requires_grad=True)
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        ctx = detect_anomaly()
    with ctx:
        y = (x.log() * x).sum()  # forward-line-marker
        with pytest.warns(UserWarning, match="Error detected in LogBackward0. Traceback of forward "
                                             "call that caused the error:(.|\n)*forward-line-marker"):
            with pytest.raises(RuntimeError, match="Function 'LogBackward0' returned nan values in "
                                                   "its 0th output."):
                y.backward()
        assert "traceback_" in y.grad_fn.metadata
    # off again: the same NaN passes silently, nodes carry no traceback
    y = (x.log() * x).sum()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y.backward()
    assert np.isnan(x.grad.numpy()).any()
    assert "traceback_" not in y.grad_fn.metadata


def test_anomaly_error_in_custom_backward_and_check_nan_off():
    def boom(g):
        raise ValueError("boom")

    Bad = custom_function("Bad", lambda x: x * 1, boom)

    x = ember.tensor([1.0], requires_grad=True)
    set_detect_anomaly(True, check_nan=False)
    try:
        assert ember.autograd.anomaly_mode.is_anomaly_enabled()
        assert not ember.autograd.anomaly_mode.is_anomaly_check_nan_enabled()
        with pytest.warns(UserWarning, match="Error detected in BadBackward"):
            with pytest.raises(ValueError, match="boom"):
                Bad.apply(x).sum().backward()
        z = ember.tensor([0.0], requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (z.log() * z).sum().backward()  # check_nan=False: no error
    finally:
        set_detect_anomaly(False)
    assert not ember.autograd.anomaly_mode.is_anomaly_enabled()


def test_anomaly_off_costs_no_hook():
    from ember.autograd import dispatch

    assert not (dispatch.busy and dispatch.tls.apply)  # no graph-level mode on the stack
