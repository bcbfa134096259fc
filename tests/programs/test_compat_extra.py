"""Differential checks of ember against real PyTorch on the programs in compat_extra/cases.

Each case is a standalone PyTorch program (seed / function / core / func tiers: autograd and
torch.func; nn / optim tiers: modules, functional, optimizers, schedulers) that prints one
JSON dict as its last line.  Every case is run once with real torch (the reference; the tests
skip when torch is not installed) and once with ``import torch`` aliased onto ember, and the two
dicts are compared with the rules of the shared compat runner: numbers within
``atol + rtol*|expected|`` (float32 1e-5/1e-4, float64 1e-9/1e-7, or the case's TOL), booleans,
strings and null exactly, every reference key present.

To stay fast, compat_extra/driver.py imports each library once and forks a child per case."""

import ast
import json
import math
import os
import subprocess
import sys

import pytest
from oracle import ember_env, requires_torch

HERE = os.path.dirname(os.path.abspath(__file__))
EXTRA = os.path.join(HERE, "compat_extra")
CASES_DIR = os.path.join(EXTRA, "cases")
DRIVER = os.path.join(EXTRA, "driver.py")
DEFAULT_TOLS = {"float32": (1e-4, 1e-5), "float64": (1e-7, 1e-9)}

# case name -> reason, for differences not fixed yet (strict: they must still fail).
XFAIL = {
}

def _case_names():
    return sorted(f[:-3] for f in os.listdir(CASES_DIR) if f.endswith(".py") and f[:2].isdigit())


def _meta(name):
    with open(os.path.join(CASES_DIR, name + ".py")) as fh:
        tree = ast.parse(fh.read())
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name) \
                and node.targets[0].id in ("TIER", "DTYPE", "TOL"):
            out[node.targets[0].id] = ast.literal_eval(node.value)
    return out


def _tol(name):
    meta = _meta(name)
    if meta.get("TOL"):
        return tuple(meta["TOL"])
    return DEFAULT_TOLS.get(meta.get("DTYPE", "float32"), DEFAULT_TOLS["float32"])


def compare(expected, actual, rtol, atol, path=""):
    """First difference as (path, expected, actual, reason), or None (rules of compat/run.py)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return (path, expected, actual, "expected an object")
        for key, value in expected.items():
            sub = "%s.%s" % (path, key) if path else key
            if key not in actual:
                return (sub, value, "<missing>", "missing key")
            diff = compare(value, actual[key], rtol, atol, sub)
            if diff:
                return diff
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return (path, expected, actual, "expected a list")
        if len(expected) != len(actual):
            return (path, expected, actual, "length %d != %d" % (len(actual), len(expected)))
        for i, (e, a) in enumerate(zip(expected, actual)):
            diff = compare(e, a, rtol, atol, "%s[%d]" % (path, i))
            if diff:
                return diff
        return None
    if isinstance(expected, bool) or isinstance(actual, bool):
        if type(expected) is not type(actual) or expected != actual:
            return (path, expected, actual, "boolean differs")
        return None
    if isinstance(expected, (int, float)):
        if not isinstance(actual, (int, float)):
            return (path, expected, actual, "expected a number")
        if isinstance(expected, int) and isinstance(actual, int):
            return None if expected == actual else (path, expected, actual, "integer differs")
        if math.isnan(expected) or math.isnan(actual):
            ok = math.isnan(expected) and math.isnan(actual)
            return None if ok else (path, expected, actual, "NaN mismatch")
        if math.isinf(expected) or math.isinf(actual):
            return None if expected == actual else (path, expected, actual, "inf mismatch")
        if abs(actual - expected) <= atol + rtol * abs(expected):
            return None
        return (path, expected, actual, "not close (rtol=%g, atol=%g)" % (rtol, atol))
    if expected != actual:
        return (path, expected, actual, "value differs")
    return None


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    """Run all cases with both libraries (two driver processes in parallel)."""
    tmp = tmp_path_factory.mktemp("compat_extra")
    paths = [os.path.join(CASES_DIR, n + ".py") for n in _case_names()]
    env = ember_env(PYTHONHASHSEED="0", OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1"))
    procs = {}
    for lib in ("torch", "ember"):
        out = str(tmp / (lib + ".json"))
        procs[lib] = (out, subprocess.Popen([sys.executable, DRIVER, lib, out] + paths, env=env,
                                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                            stderr=subprocess.PIPE, text=True))
    res = {}
    for lib, (out, proc) in procs.items():
        stdout, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, "%s driver failed:\n%s%s" % (lib, stdout, stderr)
        with open(out) as fh:
            res[lib] = json.load(fh)
    return res


def _params():
    for name in _case_names():
        marks = [pytest.mark.xfail(strict=True, reason=XFAIL[name])] if name in XFAIL else []
        yield pytest.param(name, marks=marks, id=name)


@requires_torch  # real PyTorch runs each program for the reference
@pytest.mark.parametrize("case", _params())
def test_compat_extra_case(case, outcomes):
    ref = outcomes["torch"][case]
    assert ref["status"] == "OK", "reference run failed: %s\n%s" % (ref.get("error"), ref.get("stderr"))
    got = outcomes["ember"][case]
    assert got["status"] == "OK", "ember run failed: %s\n%s" % (got.get("error"), got.get("stderr"))
    assert ref["result"], "empty result"
    diff = compare(ref["result"], got["result"], *_tol(case))
    assert diff is None, "%s: %s; expected %r, got %r" % (diff[0], diff[3], diff[1], diff[2])


# the two groups of cases: autograd / torch.func programs, and nn / optim programs
GROUPS = {"autograd": ({"seed", "function", "core", "func"}, 25), "nn": ({"nn", "optim"}, 30)}


def test_every_case_has_a_known_tier():
    tiers = {_meta(n).get("TIER") for n in _case_names()}
    assert tiers <= set().union(*(t for t, _ in GROUPS.values())), tiers


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_cases_present(group):
    tiers, least = GROUPS[group]
    assert len([n for n in _case_names() if _meta(n).get("TIER") in tiers]) >= least


def test_compare_rules():
    assert compare({"a": 1.0}, {"a": 1.0 + 1e-10}, 1e-7, 1e-9) is None
    assert compare({"a": 1.0}, {"a": 1.1}, 1e-7, 1e-9)[3].startswith("not close")
    assert compare({"a": True}, {"a": 1}, 1e-7, 1e-9) is not None
    assert compare({"a": [1, 2]}, {"a": [1]}, 1e-7, 1e-9) is not None
    assert compare({"a": "x"}, {}, 1e-7, 1e-9)[3] == "missing key"
