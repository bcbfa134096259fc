"""ember.save writes PyTorch's checkpoint format and ember.load reads it (issue 10, class 11).

Round trips both ways for every dtype, views and shared storages, state_dicts, optimizer
state and nested containers; PyTorch's legacy format; the restricted (weights-only)
unpickler refuses every global outside its allow-list without running code.
"""

from __future__ import annotations

import io
import os
import pickle
import sys
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
from oracle import requires_torch, torch

import ember
from ember import serialization as ser

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
          "float64", "complex64", "complex128"]


def _ember_tensor(name, shape=(3, 4), seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * 50
    if name == "bool":
        return ember.tensor(x > 0)
    if name.startswith("complex"):
        return ember.tensor(x + 1j * x[::-1], dtype=getattr(ember, name))
    if name.startswith(("int", "uint")):
        x = np.abs(x) if name == "uint8" else x
        return ember.tensor(
            x.astype(np.int64) % (100 if "8" in name else 10_000), dtype=getattr(ember, name)
        )
    return ember.tensor(x, dtype=getattr(ember, name))


def _as_np(t):
    """An ember or torch tensor as float64/complex128/bool NumPy (bfloat16 via float32)."""
    if torch is not None and isinstance(t, torch.Tensor):
        if t.dtype == torch.bfloat16:
            t = t.float()
        return t.detach().numpy()
    if t.dtype is ember.bfloat16:
        t = t.float()
    return t.detach().numpy()


def _buf(obj):
    b = io.BytesIO()
    ember.save(obj, b)
    return b.getvalue()


def _torch_buf(obj, **kw):
    b = io.BytesIO()
    torch.save(obj, b, **kw)
    return b.getvalue()


# ----- the archive layout ----------------------------------------------------------------------


def test_layout_is_torch_save_layout(tmp_path):
    path = tmp_path / "ckpt.pt"
    ember.save({"w": ember.ones(3)}, path)
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert names[0] == "ckpt/data.pkl"
        assert set(names) >= {
            "ckpt/data.pkl",
            "ckpt/byteorder",
            "ckpt/version",
            "ckpt/data/0",
            "ckpt/.data/serialization_id",
            "ckpt/.format_version",
            "ckpt/.storage_alignment",
        }
        assert zf.read("ckpt/byteorder") == b"little" and zf.read("ckpt/version") == b"3\n"
        info = zf.getinfo("ckpt/data/0")
        assert info.compress_type == zipfile.ZIP_STORED and info.file_size == 12
        # the data starts on a 64-byte boundary, as torch.save aligns it
        with open(path, "rb") as fh:
            fh.seek(info.header_offset + 26)
            n, m = np.frombuffer(fh.read(4), "<u2")
        assert (info.header_offset + 30 + n + m) % 64 == 0
    assert ember.load(io.BytesIO(_buf(ember.ones(2)))).tolist() == [1.0, 1.0]


# ----- ember -> torch -----------------------------------------------------------------------


@requires_torch
@pytest.mark.parametrize("name", DTYPES)
def test_ember_to_torch_every_dtype(name):
    t = _ember_tensor(name)
    obj = {"t": t, "tt": t.t(), "row": t[1], "step": t[:, ::2], "scalar": t[0, 0], "empty": t[:0]}
    back = torch.load(io.BytesIO(_buf(obj)), weights_only=True)
    for k, v in obj.items():
        assert back[k].dtype == getattr(torch, name), k
        assert tuple(back[k].shape) == tuple(v.shape), k
        np.testing.assert_array_equal(_as_np(back[k]), _as_np(v), err_msg=k)
    # views of one ember tensor share one storage in PyTorch, with PyTorch's strides
    ptr = back["t"].untyped_storage().data_ptr()
    for k in ("tt", "row", "step"):
        assert back[k].untyped_storage().data_ptr() == ptr, k
    assert back["tt"].stride() == (1, 4) and back["step"].stride() == (4, 2)
    assert back["row"].storage_offset() == 4


@requires_torch
def test_ember_to_torch_parameters_requires_grad_and_containers():
    p = ember.nn.Parameter(ember.randn(2, 3))
    leaf = ember.randn(3, requires_grad=True)
    obj = {
        "p": p,
        "leaf": leaf,
        "same": [p, p],
        "size": ember.Size([2, 3]),
        "dt": ember.float16,
        "dev": ember.device("cpu"),
        "tuple": (1, 2.5, None, True, "s", b"\x00\xff"),
        "complex": 1 + 2j,
        "set": {1, 2},
        "nested": {"a": [{"b": (ember.arange(3),)}]},
        "od": OrderedDict(z=1, a=2),
        "big": 2**70,
        "neg": -(2**40),
        "inf": float("inf"),
    }
    back = torch.load(io.BytesIO(_buf(obj)), weights_only=True)
    assert isinstance(back["p"], torch.nn.Parameter) and back["p"].requires_grad
    assert back["leaf"].requires_grad and not isinstance(back["leaf"], torch.nn.Parameter)
    assert back["same"][0] is back["same"][1] is back["p"]
    assert back["size"] == torch.Size([2, 3]) and back["dt"] is torch.float16
    assert back["dev"] == torch.device("cpu")
    assert back["tuple"] == (1, 2.5, None, True, "s", b"\x00\xff")
    assert back["complex"] == 1 + 2j and back["set"] == {1, 2}
    assert back["nested"]["a"][0]["b"][0].tolist() == [0, 1, 2]
    assert type(back["od"]) is OrderedDict and list(back["od"]) == ["z", "a"]
    assert back["big"] == 2**70 and back["neg"] == -(2**40) and back["inf"] == float("inf")


def _models():
    def build(nn):
        return nn.Sequential(
            nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 4 * 4, 3)
        )

    return build


@requires_torch
def test_state_dict_ember_to_torch_and_back(tmp_path):
    build = _models()
    em = build(ember.nn)
    em(ember.randn(2, 1, 6, 6))  # moves the BatchNorm running stats
    path = tmp_path / "sd.pt"
    ember.save(em.state_dict(), path)
    sd = torch.load(path)  # PyTorch's default: weights_only=True
    assert type(sd) is OrderedDict and list(sd) == list(em.state_dict())
    assert sd._metadata[""] == em.state_dict()._metadata[""]
    tm = build(torch.nn)
    tm.load_state_dict(sd)
    x = np.random.default_rng(0).standard_normal((2, 1, 6, 6)).astype(np.float32)
    tm.eval(), em.eval()
    np.testing.assert_allclose(
        tm(torch.tensor(x)).detach().numpy(),
        em(ember.tensor(x)).detach().numpy(),
        rtol=1e-5,
        atol=1e-6,
    )
    # and PyTorch's own state_dict file back into ember
    torch.save(tm.state_dict(), path)
    em2 = build(ember.nn)
    em2.load_state_dict(ember.load(path))
    em2.eval()
    np.testing.assert_allclose(
        em2(ember.tensor(x)).detach().numpy(), em(ember.tensor(x)).detach().numpy(), rtol=1e-6
    )


@requires_torch
def test_optimizer_state_both_ways():
    w = ember.nn.Parameter(ember.randn(3, 2))
    opt = ember.optim.Adam([w], lr=0.1, betas=(0.8, 0.9))
    for _ in range(2):
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
    sd = opt.state_dict()
    back = torch.load(io.BytesIO(_buf(sd)))
    assert back["param_groups"][0]["betas"] == (0.8, 0.9)
    assert back["param_groups"][0]["params"] == [0]
    np.testing.assert_array_equal(
        back["state"][0]["exp_avg"].numpy(), sd["state"][0]["exp_avg"].numpy()
    )
    tw = torch.nn.Parameter(torch.tensor(w.detach().numpy()))
    topt = torch.optim.Adam([tw], lr=0.1, betas=(0.8, 0.9))
    topt.load_state_dict(back)  # PyTorch accepts ember's optimizer state
    # PyTorch's optimizer state into ember
    tw.grad = torch.ones_like(tw)
    topt.step()
    tsd = ember.load(io.BytesIO(_torch_buf(topt.state_dict())))
    w2 = ember.nn.Parameter(ember.tensor(tw.detach().numpy()))
    opt2 = ember.optim.Adam([w2], lr=0.1, betas=(0.8, 0.9))
    opt2.load_state_dict(tsd)
    np.testing.assert_allclose(
        opt2.state[w2]["exp_avg_sq"].numpy(), topt.state[tw]["exp_avg_sq"].numpy(), rtol=1e-6
    )


# ----- torch -> ember -----------------------------------------------------------------------


@requires_torch
@pytest.mark.parametrize("name", DTYPES)
def test_torch_to_ember_every_dtype_and_views(name):
    t = torch.from_numpy(_as_np(_ember_tensor(name))).to(getattr(torch, name))
    obj = {
        "t": t,
        "tt": t.t(),
        "row": t[1],
        "step": t[:, ::2],
        "scalar": t[0, 0],
        "empty": t[:0],
        "exp": t[0].expand(2, 4),
    }
    back = ember.load(io.BytesIO(_torch_buf(obj)))
    for k, v in obj.items():
        assert back[k].dtype is getattr(ember, name), k
        assert tuple(back[k].shape) == tuple(v.shape), k
        np.testing.assert_array_equal(_as_np(back[k]), _as_np(v), err_msg=k)
    assert back["tt"].stride() == (1, 4) and back["exp"].stride() == (0, 1)
    # one storage: a write through one tensor shows in its views, as in PyTorch
    if name != "bool":
        with ember.no_grad():
            back["t"][1, 0] = 7
        assert _as_np(back["row"])[0] == 7 and _as_np(back["tt"])[0, 1] == 7


@requires_torch
def test_torch_parameters_and_requires_grad_into_ember():
    obj = {
        "p": torch.nn.Parameter(torch.ones(2)),
        "g": torch.zeros(3, requires_grad=True),
        "frozen": torch.nn.Parameter(torch.ones(1), requires_grad=False),
        "dt": torch.bfloat16,
        "size": torch.Size([4]),
        "dev": torch.device("cpu"),
        "counter": __import__("collections").Counter(a=2),
    }
    back = ember.load(io.BytesIO(_torch_buf(obj)))
    assert isinstance(back["p"], ember.nn.Parameter) and back["p"].requires_grad
    assert back["g"].requires_grad and not back["frozen"].requires_grad
    assert back["dt"] is ember.bfloat16 and back["size"] == ember.Size([4])
    assert back["dev"] == ember.device("cpu") and back["counter"]["a"] == 2


@requires_torch
def test_torch_legacy_format_and_cuda_location(tmp_path):
    t = torch.arange(12.0).reshape(3, 4)
    data = _torch_buf(
        {"a": t, "b": t[1:], "i": torch.arange(3)}, _use_new_zipfile_serialization=False
    )
    back = ember.load(io.BytesIO(data))
    assert back["a"].tolist() == t.tolist() and back["b"].tolist() == t[1:].tolist()
    assert back["i"].dtype is ember.int64
    # a storage saved on a GPU needs map_location on a CPU-only machine, as in PyTorch
    raw = _torch_buf({"w": torch.ones(2)})
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        pkl = zf.read("archive/data.pkl").replace(
            b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0"
        )
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as zo:
            for n in zf.namelist():
                zo.writestr(n, pkl if n.endswith("data.pkl") else zf.read(n))
    if ember.cuda.is_available():  # the simulated lane: it loads back onto cuda:0
        assert ember.load(io.BytesIO(out.getvalue()))["w"].device == ember.device("cuda:0")
    else:
        with pytest.raises(RuntimeError, match="torch.cuda.is_available\\(\\) is False"):
            ember.load(io.BytesIO(out.getvalue()))
    assert ember.load(io.BytesIO(out.getvalue()), map_location="cpu")["w"].tolist() == [1, 1]
    seen = []
    ember.load(io.BytesIO(out.getvalue()), map_location=lambda s, loc: seen.append(loc) or s)
    assert seen == ["cuda:0"]


def test_mmap_and_file_objects(tmp_path):
    path = tmp_path / "m.pt"
    ember.save({"w": ember.arange(10.0)}, path)
    back = ember.load(path, mmap=True)
    assert back["w"].tolist() == list(range(10))
    back["w"].add_(1)  # copy-on-write: the file is unchanged
    assert ember.load(path)["w"].tolist() == list(range(10))
    with open(path, "rb") as fh:
        assert ember.load(fh)["w"].sum().item() == 45
    with pytest.raises(ValueError, match="f must be a file path"):
        ember.load(io.BytesIO(path.read_bytes()), mmap=True)


def test_demo_style_state_dict_loads_in_torch(tmp_path):
    """examples/demo.py saves ``model.state_dict()`` of its SmallCNN with torch.save."""
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples"))
    try:
        demo = pytest.importorskip("demo", reason="examples/demo.py needs scikit-learn")
    finally:
        sys.path.pop(0)
    model = demo.SmallCNN()
    path = tmp_path / "digits_cnn.pt"
    ember.save(model.state_dict(), path)
    again = demo.SmallCNN()
    again.load_state_dict(ember.load(path))
    x = ember.randn(2, 1, 8, 8)
    np.testing.assert_array_equal(again(x).detach().numpy(), model(x).detach().numpy())
    if torch is not None:
        sd = torch.load(path)
        assert set(sd) == set(model.state_dict()) and sd["fc2.bias"].shape == (10,)
        np.testing.assert_array_equal(
            sd["conv1.weight"].numpy(), model.conv1.weight.detach().numpy()
        )


# ----- whole objects and the allow-list ---------------------------------------------------------


class Config:
    def __init__(self, lr=0.1):
        self.lr = lr


def test_whole_module_needs_weights_only_false():
    model = ember.nn.Sequential(ember.nn.Linear(2, 3), ember.nn.ReLU())
    data = _buf(model)
    with pytest.raises(pickle.UnpicklingError, match="(?s)Weights only load failed.*Sequential"):
        ember.load(io.BytesIO(data))
    m2 = ember.load(io.BytesIO(data), weights_only=False)
    x = ember.randn(4, 2)
    np.testing.assert_array_equal(m2(x).detach().numpy(), model(x).detach().numpy())
    with pytest.raises(RuntimeError, match="explicit pickle_module"):
        ember.load(io.BytesIO(data), pickle_module=pickle, weights_only=True)
    assert isinstance(ember.load(io.BytesIO(data), pickle_module=pickle), ember.nn.Sequential)


def test_safe_globals_allow_listed_classes():
    data = _buf({"cfg": Config(0.5), "w": ember.ones(1)})
    with pytest.raises(pickle.UnpicklingError, match="GLOBAL .*Config was not an allowed"):
        ember.load(io.BytesIO(data))
    assert ser.get_unsafe_globals_in_checkpoint(io.BytesIO(data)) == [f"{Config.__module__}.Config"]
    with ser.safe_globals([Config]):
        assert Config in ser.get_safe_globals()
        assert ember.load(io.BytesIO(data))["cfg"].lr == 0.5
    assert Config not in ser.get_safe_globals()
    ser.add_safe_globals([(Config, f"{Config.__module__}.Config")])
    try:
        assert ember.load(io.BytesIO(data))["cfg"].lr == 0.5
    finally:
        ser.clear_safe_globals()
    assert ser.get_safe_globals() == []


class _Evil:
    def __init__(self, fn, *args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return (self.fn, self.args)


def _zip_with_pickle(payload: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("archive/data.pkl", payload)
        zf.writestr("archive/byteorder", b"little")
        zf.writestr("archive/version", b"3\n")
    return out.getvalue()


@pytest.mark.parametrize(
    "fn",
    [
        os.system,
        eval,
        exec,
        getattr,
        __import__,
        print,
        ember.nn.Linear,
        np.frombuffer,
        OrderedDict.fromkeys,
    ],
)
def test_malicious_pickles_never_run(tmp_path, fn):
    marker = tmp_path / "pwned"
    cmd = f"touch {marker}"
    args = {
        os.system: (cmd,),
        eval: (f"open({str(marker)!r}, 'w')",),
        exec: (f"open({str(marker)!r}, 'w')",),
        getattr: (OrderedDict, "fromkeys"),
        __import__: ("os",),
        print: ("x",),
        ember.nn.Linear: (2, 2),
        np.frombuffer: (b"abcd",),
        OrderedDict.fromkeys: ([1],),
    }[fn]
    for proto in (2, 4):
        payload = pickle.dumps({"w": _Evil(fn, *args)}, protocol=proto)
        for data in (payload, _zip_with_pickle(payload)):
            with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
                ember.load(io.BytesIO(data))
    assert not marker.exists()


def test_blocked_modules_and_disallowed_operations():
    payload = pickle.dumps(_Evil(os.system, "true"), protocol=2)
    with pytest.raises(pickle.UnpicklingError, match="posix is blocked"):
        ember.load(io.BytesIO(_zip_with_pickle(payload)))
    ser.add_safe_globals([os.system])  # blocked modules stay blocked, as in PyTorch
    try:
        with pytest.raises(pickle.UnpicklingError, match="is blocked"):
            ember.load(io.BytesIO(_zip_with_pickle(payload)))
    finally:
        ser.clear_safe_globals()
    # BUILD on a plain object, APPEND to a non-list, a non-storage persistent id
    forged = [
        b"\x80\x02cbuiltins\nset\n)R}X\x01\x00\x00\x00aK\x01sb.",
        b"\x80\x02)K\x01a.",
        b"\x80\x02(X\x06\x00\x00\x00moduleK\x01tQ.",
    ]
    for body in forged:
        with pytest.raises(pickle.UnpicklingError):
            ember.load(io.BytesIO(_zip_with_pickle(body)))
