"""pytorch/examples fx programs (their logic, in tests/fx/programs/) print on ember what they
print on PyTorch: each file is run as written (``import ember as torch``) and with ember
swapped for torch, and the outputs compared up to object addresses."""

import os
import re
import subprocess
import sys

import pytest

from fx_door import DOOR, MODULE_DOOR

HERE = os.path.join(os.path.dirname(__file__), "programs")
PROGRAMS = sorted(f for f in os.listdir(HERE) if f.endswith(".py"))


def run(source: str, tmp_path, name: str) -> str:
    path = tmp_path / name
    path.write_text(source)
    proc = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def normalise(out: str) -> list[str]:
    out = re.sub(r"<(built-in )?(function|method) (\w+)[^>]*>", r"<fn \3>", out)
    out = re.sub(r"torch\._C\._nn\.(\w+)", r"torch.nn.functional.\1", out)
    out = re.sub(r"-{3,}", "---", out)  # table rules are as wide as the reprs, which differ
    lines = [line.rstrip() for line in out.splitlines()]
    return lines


# Programs that call ember functions on Proxies need the whole door; the others only need
# module calls to reach the tracer.
MODULE_AND_OPERATOR_ONLY = {"native_interpreter_lowering.py"}


@pytest.mark.parametrize("name", PROGRAMS)
def test_program_prints_what_pytorch_prints(name, tmp_path):
    pytest.importorskip("torch")
    if not (DOOR or (MODULE_DOOR and name in MODULE_AND_OPERATOR_ONLY)):
        pytest.skip("this program traces ember functions on Proxies: it needs ember's public "
                    "functions to consult __torch_function__ (the dispatch door)")
    if name == "custom_tracer.py":
        pytest.importorskip("tabulate", reason="PyTorch's print_tabular needs tabulate")
    src = open(os.path.join(HERE, name)).read()
    ours = run(src, tmp_path, "ember_" + name)
    theirs = run(src.replace("import ember as torch", "import torch")
                 .replace("import ember.fx", "import torch.fx").replace("from ember.", "from torch.")
                 .replace("ember.fx", "torch.fx"), tmp_path, "torch_" + name)
    ours_n, theirs_n = normalise(ours), normalise(theirs)
    if name == "custom_tracer.py":  # table column widths follow the reprs, which differ
        ours_n = [line.split() for line in ours_n]
        theirs_n = [line.split() for line in theirs_n]
    assert ours_n == theirs_n
