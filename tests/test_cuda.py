"""``ember.cuda`` and the device context, answered by the simulated two-device cuda backend.

The fixture installs the simulated backend for one test, so these run in the CPU lane too; the
CPU-only answers (no backend at all) are tested in test_api_breadth.py."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember import backend as B


def test_availability_and_device_selection(sim_cuda):
    assert ember.cuda.is_available() and ember.cuda.device_count() == 2
    assert ember.cuda.is_initialized()
    assert ember.cuda.current_device() == 0
    ember.cuda.set_device(1)
    assert ember.cuda.current_device() == 1
    ember.cuda.set_device(-1)  # ignored, as in PyTorch
    assert ember.cuda.current_device() == 1
    ember.cuda.set_device("cuda:0")
    with ember.cuda.device(1):
        assert ember.cuda.current_device() == 1
    assert ember.cuda.current_device() == 0
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        ember.cuda.set_device("cuda:2")
    ember.cuda.synchronize()
    assert "simulated" in ember.cuda.get_device_name(0)
    props = ember.cuda.get_device_properties(1)
    assert (props.major, props.minor) == ember.cuda.get_device_capability(1)
    assert props.total_memory > 0 and ember.cuda.is_bf16_supported() is False


def test_manual_seed_reproduces_draws_per_device(sim_cuda):
    ember.cuda.manual_seed(3)
    a = ember.cuda._generator(0).random(4)
    ember.cuda.manual_seed(3)
    b = ember.cuda._generator(0).random(4)
    assert np.array_equal(a.get(), b.get()) and ember.cuda.initial_seed() == 3
    ember.cuda.manual_seed_all(5)
    with ember.cuda.device(1):
        c = ember.cuda._generator(1).random(2)
    assert B.device_of(c) == ember.device("cuda:1")
    state = ember.cuda.get_rng_state(0)
    x = ember.cuda._generator(0).random(3).get()
    ember.cuda.set_rng_state(state, 0)
    assert np.array_equal(ember.cuda._generator(0).random(3).get(), x)


def test_memory_statistics(sim_cuda):
    ember.cuda.reset_peak_memory_stats()
    base = ember.cuda.memory_allocated()
    with sim_cuda.device_guard(0):
        a = sim_cuda.xp.zeros(256, dtype=np.float32)
    assert ember.cuda.memory_allocated() == base + 1024
    del a
    assert ember.cuda.memory_allocated() == base
    assert ember.cuda.max_memory_allocated() >= base + 1024
    stats = ember.cuda.memory_stats()
    assert stats["allocated_bytes.all.current"] == base
    assert ember.cuda.memory_reserved() >= 0
    free, total = ember.cuda.mem_get_info()
    assert 0 < free <= total
    ember.cuda.empty_cache()


def test_streams_and_events(sim_cuda):
    s = ember.cuda.Stream()
    start, end = ember.cuda.Event(enable_timing=True), ember.cuda.Event(enable_timing=True)
    start.record()
    with ember.cuda.stream(s):
        assert ember.cuda.current_stream() == s
        end.record()
    assert ember.cuda.current_stream() != s
    end.synchronize()
    assert start.query() and s.query()
    assert start.elapsed_time(end) >= 0.0
    s.wait_stream(ember.cuda.current_stream())
    s.synchronize()


def test_device_context_sets_the_default_device(sim_cuda):
    assert ember.get_default_device() == ember.device("cpu")
    with ember.device("cuda"):
        assert ember.get_default_device() == ember.device("cuda:0")
        with ember.device("cpu"):
            assert ember.get_default_device() == ember.device("cpu")
    assert ember.get_default_device() == ember.device("cpu")
    ember.set_default_device("cuda:1")
    try:
        assert ember.get_default_device() == ember.device("cuda:1")
    finally:
        ember.set_default_device(None)
    assert ember.get_default_device() == ember.device("cpu")


def test_without_a_backend_cuda_answers_as_a_cpu_build(monkeypatch):
    monkeypatch.setattr(B, "_cuda", [])
    monkeypatch.setattr(B, "simulating", lambda: False)  # no cuda even in the simulated lane
    assert not ember.cuda.is_available() and ember.cuda.device_count() == 0
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        ember.cuda.current_device()
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        ember.ones(1).cuda()
    with pytest.raises(RuntimeError, match="torch.cuda.Stream requires CUDA support"):
        ember.cuda.Stream()
    with pytest.raises(RuntimeError, match="Tried to instantiate dummy base class Event"):
        ember.cuda.Event()
    assert ember.cuda.memory_allocated() == 0 and ember.cuda.manual_seed(0) is None
    with pytest.raises(RuntimeError, match="compiled without CUDA"), ember.cuda.device(0):
        pass
    assert ember.cuda.memory_stats() == {}
