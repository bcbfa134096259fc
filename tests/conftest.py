import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))


# ---- issue 11: the simulated cuda lane (EMBER_SIMULATE_CUDA=1) --------------------------------
# In this lane tests/oracle.py also runs every check on "cuda" (tests/oracle_cuda.py) and
# compares it with the cpu run. The few tests that assert a CPU-only build (no cuda device)
# cannot hold here; they are skipped with that reason, and still run in the plain lane.
_CPU_BUILD_ONLY = {
    "test_cuda_module_on_a_cpu_build",
    "test_device_availability_guards_match_a_cpu_build",
    "test_runtime_settings",  # asserts set_default_device("cuda") fails
    "test_tensor_memory_and_device_predicates",  # asserts pin_memory() fails without cuda
    "test_grad_scaler_disabled_and_errors",  # asserts GradScaler("cuda") warns: no cuda
}


import pytest  # noqa: E402


@pytest.fixture
def sim_cuda(monkeypatch):
    """The simulated two-device cuda backend, installed for one test (in every lane), so the
    device tests run in the plain CPU lane too. Yields the backend object."""
    import ember
    from ember import backend as B
    from ember.backend.simulated_cuda import SIMULATED

    monkeypatch.setattr(B, "_cuda", [SIMULATED])
    monkeypatch.setattr(ember.cuda, "_generators", {})
    monkeypatch.setattr(ember.cuda, "_seeds", {})
    B.register(SIMULATED)
    SIMULATED.set_device(0)
    yield SIMULATED
    SIMULATED.set_device(0)
    ember.set_default_device(None)


def pytest_collection_modifyitems(config, items):
    if os.environ.get("EMBER_SIMULATE_CUDA", "") in ("", "0"):
        return
    skip = pytest.mark.skip(
        reason="asserts a CPU-only build; EMBER_SIMULATE_CUDA=1 has a (simulated) cuda device"
    )
    for item in items:
        if item.name.split("[")[0] in _CPU_BUILD_ONLY:
            item.add_marker(skip)
