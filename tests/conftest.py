import collections
import os
import sys

import pytest


# ---- the lane without PyTorch (EMBER_TESTS_WITHOUT_TORCH=1) ----------------------------------
# Runs the suite as where PyTorch is not installed, even where it is: tests/without_torch holds a
# `torch` package whose import fails; it goes first on sys.path and on PYTHONPATH, so the
# subprocesses the tests start cannot import PyTorch either. The oracle then checks values against
# numerical gradients, and the comparisons with PyTorch it could not make are counted (below).
if os.environ.get("EMBER_TESTS_WITHOUT_TORCH", "") not in ("", "0"):
    if "torch" in sys.modules:
        raise RuntimeError("EMBER_TESTS_WITHOUT_TORCH=1 but PyTorch was imported before the tests")
    _HIDE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "without_torch")
    sys.path.insert(0, _HIDE)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [_HIDE] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else []))


def _needs_torch(reason):
    """A skip reason that says the test needs PyTorch (requires_torch, importorskip("torch"...))."""
    return "PyTorch" in reason or "'torch" in reason


# Under pytest-xdist each worker process has its own oracle: a worker hands its counts to the
# controller when it ends (workeroutput), and the controller prints the one line.
_WORKER_SKIPS = collections.Counter()
_WORKER_WHY = []


def pytest_sessionfinish(session):
    out = getattr(session.config, "workeroutput", None)
    oracle = sys.modules.get("oracle")
    if out is not None and oracle is not None:
        out["oracle_skipped"] = dict(oracle.SKIPPED)
        out["oracle_without_torch"] = oracle.WITHOUT_TORCH


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    out = getattr(node, "workeroutput", None) or {}
    _WORKER_SKIPS.update(out.get("oracle_skipped", {}))
    if out.get("oracle_without_torch"):
        _WORKER_WHY.append(out["oracle_without_torch"])


def pytest_terminal_summary(terminalreporter):
    """One line: how many comparisons with PyTorch did not run, and why."""
    oracle = sys.modules.get("oracle")
    if oracle is None and not _WORKER_SKIPS and not _WORKER_WHY and \
            not terminalreporter.stats.get("passed"):
        return
    tests = 0
    for rep in terminalreporter.stats.get("skipped", []):
        reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
        tests += _needs_torch(reason)
    inline_why = collections.Counter(_WORKER_SKIPS)
    if oracle is not None:
        inline_why.update(oracle.SKIPPED)
    without = (oracle.WITHOUT_TORCH if oracle is not None else None) or \
        (_WORKER_WHY[0] if _WORKER_WHY else None)
    why = inline_why.copy()
    if tests:
        why[without or "PyTorch unavailable to the test"] += tests
    if not why:
        terminalreporter.write_line("oracle: every comparison with PyTorch ran")
        return
    inline = sum(inline_why.values())
    reasons = "; ".join(f"{r}: {n}" for r, n in why.most_common())
    terminalreporter.write_line(
        f"oracle: {inline + tests} comparisons with PyTorch skipped ({reasons}); {inline} inside "
        f"tests that ran ember alone (gradients checked by finite differences instead), {tests} "
        f"tests skipped whole (they need PyTorch itself)")


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


@pytest.fixture
def fallbacks(monkeypatch):
    """The names of the ops vmap runs through its per-example loop (no batching rule), in the
    order it does, for one test."""
    from ember.func import _batched

    seen = []
    orig = _batched._loop

    def spy(cls, args, kwargs, level):
        seen.append(cls.__name__)
        return orig(cls, args, kwargs, level)

    monkeypatch.setattr(_batched, "_loop", spy)
    for k, v in list(_batched._RULES.items()):
        if v is orig:
            monkeypatch.setitem(_batched._RULES, k, spy)
    return seen


def pytest_collection_modifyitems(config, items):
    if os.environ.get("EMBER_SIMULATE_CUDA", "") in ("", "0"):
        return
    skip = pytest.mark.skip(
        reason="asserts a CPU-only build; EMBER_SIMULATE_CUDA=1 has a (simulated) cuda device"
    )
    for item in items:
        if item.name.split("[")[0] in _CPU_BUILD_ONLY:
            item.add_marker(skip)
