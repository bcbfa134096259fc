"""Run the PyTorch programs of ../shared/compat on ember and compare with what PyTorch printed.

The cases live outside this repository (in the shared folder beside it); without that folder
these tests skip. Each case runs in its own interpreter, through the compat runner."""

import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
COMPAT = os.path.join(ROOT, "..", "shared", "compat")
RUNNER = os.path.join(COMPAT, "run.py")
TIERS = "seed,core,function,nn,optim,func,advanced"


def _cases():
    d = os.path.join(COMPAT, "cases")
    if not os.path.isdir(d):
        return []
    return sorted(f[:-3] for f in os.listdir(d) if f.endswith(".py") and f[:2].isdigit())


@pytest.mark.skipif(not os.path.exists(RUNNER), reason="../shared/compat is not beside the repo")
@pytest.mark.parametrize("case", _cases())
def test_compat_case(case, tmp_path):
    report = tmp_path / "report.json"
    subprocess.run([sys.executable, RUNNER, "--lib", "ember", "--python", sys.executable,
                    "--path", os.path.join(ROOT, "src"), "--only", case, "--tier", TIERS,
                    "--json", str(report), "-j", "1"], check=True, capture_output=True, text=True)
    data = json.loads(report.read_text())
    [entry] = [c for c in data["cases"] if c["case"] == case]
    assert entry["status"] == "PASS", entry.get("detail", "") + "\n" + entry.get("stderr", "")
