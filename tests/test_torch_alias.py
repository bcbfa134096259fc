"""Running unchanged PyTorch scripts on ember (issue 10, class 10): ``python -m ember script.py``
and ``ember.install_as_torch()`` serve every ``torch`` / ``torch.*`` import from ember, never
from real PyTorch, and the script runs as under ``python script.py``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from oracle import ember_env

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = os.path.join(HERE, "programs", "example_programs")


def _env(**extra):
    return ember_env(OMP_NUM_THREADS="1", **extra)


def _run(args, cwd, **env):
    return subprocess.run([sys.executable, *args], cwd=cwd, env=_env(**env),
                          capture_output=True, text=True, timeout=300, check=False)


SCRIPT = textwrap.dedent("""
    import pickle, sys
    import torch
    from torch import nn
    import torch.nn.functional as F
    import torch.optim as optim
    from torch.utils.data import DataLoader, TensorDataset
    import torch.utils.data
    from torch.nn.modules.linear import Linear
    import ember

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 1)

        def forward(self, x):
            return F.relu(self.fc(x))

    out = {
        "argv": sys.argv, "name": __name__, "path0": sys.path[0],
        "same": [torch is ember, nn is ember.nn, F is ember.nn.functional,
                 optim is ember.optim, DataLoader is ember.utils.data.DataLoader,
                 torch.utils.data is ember.utils.data, Linear is ember.nn.Linear,
                 sys.modules["torch.nn"] is ember.nn],
        "tensor_type": type(torch.ones(1)).__module__,
        "real_torch": [m for m in sys.modules if m.startswith("torch._C") or m == "torch._utils"],
        "pickled": type(pickle.loads(pickle.dumps(Net()))).__name__,
        "file": __file__,
    }
    net = Net()
    opt = optim.SGD(net.parameters(), lr=0.1)
    for x, y in DataLoader(TensorDataset(torch.randn(8, 2), torch.randn(8, 1)), batch_size=4):
        opt.zero_grad()
        F.mse_loss(net(x), y).backward()
        opt.step()
    print(json.dumps(out) if (json := __import__("json")) else "")
    if "--fail" in sys.argv:
        def inner():
            raise ValueError("boom")
        inner()
    if "--exit" in sys.argv:
        sys.exit(3)
    if "--missing" in sys.argv:
        import torch.no_such_module
""")


@pytest.fixture
def script(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(SCRIPT)
    return path


def test_python_m_ember_runs_a_script_as_python_would(script, tmp_path):
    r = _run(["-m", "ember", str(script), "a", "--b=1"], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["argv"] == [str(script), "a", "--b=1"] and out["name"] == "__main__"
    assert out["path0"] == str(tmp_path) and out["file"] == str(script)
    assert all(out["same"]), out["same"]
    assert out["tensor_type"] == "ember.tensor" and out["real_torch"] == []
    assert out["pickled"] == "Net"


def test_errors_exit_status_and_tracebacks(script, tmp_path):
    r = _run(["-m", "ember", str(script), "--fail"], cwd=tmp_path)
    assert r.returncode == 1
    tb = r.stderr
    assert tb.startswith("Traceback (most recent call last):\n")
    assert f'File "{script}", line' in tb.splitlines()[1]  # the script's frame comes first
    assert "ember/__main__.py" not in tb and "runpy" not in tb and tb.endswith("ValueError: boom\n")
    assert _run(["-m", "ember", str(script), "--exit"], cwd=tmp_path).returncode == 3
    r = _run(["-m", "ember", str(script), "--missing"], cwd=tmp_path)
    assert r.returncode == 1 and "torch_alias.py" not in r.stderr
    assert "ModuleNotFoundError: No module named 'torch.no_such_module'" in r.stderr
    assert "ember has no module 'ember.no_such_module'" in r.stderr
    r = _run(["-m", "ember", str(tmp_path / "nope.py")], cwd=tmp_path)
    assert r.returncode == 2 and "can't open file" in r.stderr
    r = _run(["-m", "ember"], cwd=tmp_path)
    assert r.returncode == 2 and "usage: python -m ember script.py" in r.stderr


def test_dash_m_and_dash_c(tmp_path):
    (tmp_path / "mymod.py").write_text(
        "import sys, torch\nprint(torch.__name__, __name__, sys.argv[1:])\n")
    r = _run(["-m", "ember", "-m", "mymod", "x"], cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.split() == ["ember", "__main__", "['x']"], r.stderr
    r = _run(["-m", "ember", "-c", "import torch.nn as nn; print(nn.__name__)"], cwd=tmp_path)
    assert r.stdout.strip() == "ember.nn"


def test_install_as_torch_in_process(tmp_path):
    code = textwrap.dedent("""
        import sys, ember
        import ember.nn.functional  # imported before the hook: served under torch.* too
        ember.install_as_torch()
        ember.install_as_torch()  # idempotent
        import torch, torch.nn.functional as F
        from torch.utils.data import DataLoader
        assert torch is ember and F is ember.nn.functional, (torch, F)
        assert sys.modules["torch.nn.functional"] is ember.nn.functional
        try:
            import torch.no_such_thing
        except ModuleNotFoundError as e:
            assert "ember" in str(e) and e.name == "torch.no_such_thing", e
        else:
            raise AssertionError("imported a module ember lacks")
        assert not any(m.startswith("torch._C") for m in sys.modules)
        from ember import torch_alias
        assert torch_alias.is_installed()
        torch_alias.uninstall_as_torch()
        assert "torch" not in sys.modules and not torch_alias.is_installed()
        print("ok")
    """)
    r = _run(["-c", code], cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr


def test_refuses_when_real_torch_is_already_imported(tmp_path):
    pytest.importorskip("torch", reason="needs real PyTorch installed to import it first")
    r = _run(["-c", "import torch, ember; ember.install_as_torch()"], cwd=tmp_path)
    assert r.returncode == 1 and "real PyTorch is already imported" in r.stderr


def test_spawned_dataloader_workers_get_ember_too(tmp_path):
    """A worker started with the spawn method re-runs the script as __mp_main__: its
    ``import torch`` must be ember as well, and the script's classes must unpickle."""
    (tmp_path / "spawn_script.py").write_text(textwrap.dedent("""
        import sys
        import torch
        from torch.utils.data import DataLoader, Dataset

        class Squares(Dataset):
            def __len__(self):
                return 6

            def __getitem__(self, i):
                import torch as t
                return t.tensor([float(i * i)]), t.__name__

        if __name__ == "__main__":
            dl = DataLoader(Squares(), batch_size=3, num_workers=2,
                            multiprocessing_context="spawn")
            for x, names in dl:
                print(x.flatten().tolist(), sorted(set(names)))
    """))
    r = _run(["-m", "ember", "spawn_script.py"], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n")[:2] == ["[0.0, 1.0, 4.0] ['ember']", "[9.0, 16.0, 25.0] ['ember']"]


@pytest.mark.parametrize("name", ["polynomial_fit", "regression", "blitz_tutorial"])
def test_example_programs_run_unchanged_with_python_m_ember(name, tmp_path):
    """The same PyTorch programs tests/programs/test_pytorch_examples.py runs through its own launcher
    give the same output with `python -m ember`."""
    prog = os.path.join(PROGRAMS, name + ".py")
    a = _run(["-m", "ember", prog], cwd=tmp_path, EXAMPLE_DIR=str(tmp_path))
    b = _run([os.path.join(PROGRAMS, "_launch.py"), "ember", prog], cwd=tmp_path,
             EXAMPLE_DIR=str(tmp_path))
    assert a.returncode == 0, a.stderr[-2000:]
    assert a.stdout.strip().splitlines()[-1] == b.stdout.strip().splitlines()[-1]
