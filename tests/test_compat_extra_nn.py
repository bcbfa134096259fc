"""Differential nn / optim cases: each program in compat_extra_nn/cases runs with real PyTorch and
with ember aliased as ``torch``; the printed JSON results must agree (same tolerance rules as the
shared compat runner: float32 cases rtol 1e-4 / atol 1e-5, float64 1e-7 / 1e-9, or the case's TOL;
booleans, strings, None and ints exactly; every reference key present).  Skips without torch."""

import ast
import json
import math
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CASES_DIR = os.path.join(HERE, "compat_extra_nn", "cases")
DRIVER = os.path.join(HERE, "compat_extra_nn", "driver.py")
DEFAULT_TOLS = {"float32": (1e-4, 1e-5), "float64": (1e-7, 1e-9)}

# case name -> reason, for differences not fixed yet (strict: they must still fail)
XFAIL = {}


def _case_files():
    return sorted(f for f in os.listdir(CASES_DIR) if f[:2].isdigit() and f.endswith(".py"))


def _tolerance(path):
    with open(path) as fh:
        tree = ast.parse(fh.read())
    meta = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and \
                isinstance(node.targets[0], ast.Name) and node.targets[0].id in ("DTYPE", "TOL"):
            meta[node.targets[0].id] = ast.literal_eval(node.value)
    if meta.get("TOL"):
        return tuple(meta["TOL"])
    return DEFAULT_TOLS.get(meta.get("DTYPE", "float32"), DEFAULT_TOLS["float32"])


def compare(expected, actual, rtol, atol, path=""):
    """None when equal within tolerance, else a description of the first difference."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return "%s: expected an object, got %r" % (path, actual)
        for key, value in expected.items():
            sub = "%s.%s" % (path, key) if path else key
            if key not in actual:
                return "%s: missing key" % sub
            diff = compare(value, actual[key], rtol, atol, sub)
            if diff:
                return diff
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(expected) != len(actual):
            return "%s: expected %s, got %s" % (path, json.dumps(expected)[:300], json.dumps(actual)[:300])
        for i, (e, a) in enumerate(zip(expected, actual)):
            diff = compare(e, a, rtol, atol, "%s[%d]" % (path, i))
            if diff:
                return diff
        return None
    bad = "%s: expected %r, got %r" % (path, expected, actual)
    if isinstance(expected, bool) or isinstance(actual, bool):
        return None if type(expected) is type(actual) and expected == actual else bad
    if isinstance(expected, (int, float)):
        if not isinstance(actual, (int, float)):
            return bad
        if isinstance(expected, int) and isinstance(actual, int):
            return None if expected == actual else bad
        if math.isnan(expected) or math.isnan(actual):
            return None if math.isnan(expected) and math.isnan(actual) else bad
        if math.isinf(expected) or math.isinf(actual):
            return None if expected == actual else bad
        return None if abs(actual - expected) <= atol + rtol * abs(expected) else bad
    return None if expected == actual else bad


def _run_driver(lib, out, cases):
    env = dict(os.environ, PYTHONHASHSEED="0", OMP_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join([os.path.join(ROOT, "src")] +
                                        ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    return subprocess.Popen([sys.executable, DRIVER, lib, str(out)] + cases, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    pytest.importorskip("torch")
    tmp = tmp_path_factory.mktemp("compat_extra_nn")
    cases = [os.path.join(CASES_DIR, f) for f in _case_files()]
    procs = {lib: _run_driver(lib, tmp / (lib + ".json"), cases) for lib in ("torch", "ember")}
    data = {}
    for lib, proc in procs.items():
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-3000:]
        data[lib] = json.loads((tmp / (lib + ".json")).read_text())
    return data


def test_cases_present():
    assert len(_case_files()) >= 30


@pytest.mark.parametrize("fname", [pytest.param(f, marks=pytest.mark.xfail(strict=True, reason=XFAIL[f[:-3]]))
                                   if f[:-3] in XFAIL else f for f in _case_files()])
def test_case(fname, outcomes):
    name = fname[:-3]
    golden, got = outcomes["torch"][name], outcomes["ember"][name]
    assert golden["status"] == "OK", "the case fails with real torch: %s\n%s" % (
        golden.get("error"), golden.get("stderr"))
    assert got["status"] == "OK", "%s\n%s" % (got.get("error"), got.get("stderr"))
    assert golden["result"], "empty result"
    diff = compare(golden["result"], got["result"], *_tolerance(os.path.join(CASES_DIR, fname)))
    assert diff is None, diff
