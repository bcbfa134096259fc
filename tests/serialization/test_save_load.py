"""ember.save / ember.load (PyTorch's zip format, ember's earlier JSON-manifest format) and
safetensors, including interchange with PyTorch and the refusal of malicious or corrupt files
without running code. More in tests/serialization/."""

from __future__ import annotations

import io
import json
import os
import pickle
import struct
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import ember
from ember.serialization import load_safetensors, save_safetensors
from oracle import requires_torch

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None


def _roundtrip(obj, **kw):
    buf = io.BytesIO()
    ember.save(obj, buf)
    buf.seek(0)
    return ember.load(buf, **kw)


def test_nested_containers_roundtrip(tmp_path):
    w = ember.randn(3, 2)
    obj = {
        "model": OrderedDict([("w", w), ("b", ember.zeros(2, dtype=ember.float64))]),
        "epoch": 3,
        "lr": 0.1,
        "name": "run",
        "flag": False,
        "none": None,
        "hist": [1.5, float("inf"), float("nan"), (1, "a")],
        7: "int key",
        "ints": ember.arange(5),
        "mask": ember.tensor([True, False]),
        "c": ember.tensor([1 + 2j]),
        "dtype": ember.float16,
        "size": ember.Size([2, 3]),
        "z": 1 + 2j,
        "raw": b"\x00\x01",
        "empty": ember.zeros(0, 3),
        "scalar": ember.tensor(2.5),
        "half": ember.ones(2, dtype=ember.float16),
    }
    path = tmp_path / "ck.pt"
    ember.save(obj, path)
    r = ember.load(path)
    assert type(r["model"]) is OrderedDict and list(r["model"]) == ["w", "b"]
    np.testing.assert_array_equal(r["model"]["w"].numpy(), w.numpy())
    assert r["model"]["b"].dtype == ember.float64
    assert r["epoch"] == 3 and r["lr"] == 0.1 and r["name"] == "run" and r["flag"] is False
    assert r["none"] is None and r[7] == "int key"
    assert r["hist"][0] == 1.5 and r["hist"][1] == float("inf") and np.isnan(r["hist"][2])
    assert r["hist"][3] == (1, "a") and isinstance(r["hist"][3], tuple)
    assert r["ints"].dtype == ember.int64 and r["ints"].tolist() == list(range(5))
    assert r["mask"].tolist() == [True, False]
    assert r["c"].dtype == ember.complex64 and r["c"].tolist() == [1 + 2j]
    assert r["dtype"] is ember.float16 and r["size"] == ember.Size([2, 3])
    assert isinstance(r["size"], ember.Size)
    assert r["z"] == 1 + 2j and r["raw"] == b"\x00\x01"
    assert tuple(r["empty"].shape) == (0, 3) and r["scalar"].dim() == 0
    assert r["half"].dtype == ember.float16


def test_shared_tensor_and_requires_grad():
    t = ember.randn(4, requires_grad=True)
    r = _roundtrip({"a": t, "b": [t]})
    assert r["a"] is r["b"][0]
    assert r["a"].requires_grad and r["a"].is_leaf
    # loading copies: writing into the loaded tensor leaves the saved one alone
    before = t.detach().numpy().copy()
    r["a"].detach().numpy()[...] = 0
    np.testing.assert_array_equal(t.detach().numpy(), before)


def test_parameter_roundtrip():
    nn = pytest.importorskip("ember.nn")
    p = nn.Parameter(ember.randn(2, 2))
    r = _roundtrip({"p": p})
    assert isinstance(r["p"], nn.Parameter) and r["p"].requires_grad
    np.testing.assert_array_equal(r["p"].detach().numpy(), p.detach().numpy())


def test_optimizer_state_roundtrip_continues_identically():
    from ember import optim

    rng = np.random.default_rng(0)
    w0 = rng.standard_normal(5).astype(np.float32)
    grads = [rng.standard_normal(5).astype(np.float32) for _ in range(6)]
    a = ember.tensor(w0, requires_grad=True)
    oa = optim.Adam([a], lr=0.01, amsgrad=True)
    for g in grads[:3]:
        a.grad = ember.tensor(g)
        oa.step()
    ck = _roundtrip({"w": a.detach(), "opt": oa.state_dict()})
    assert ck["opt"]["state"][0]["step"].dtype == ember.float32
    b = ember.tensor(ck["w"].numpy().copy(), requires_grad=True)
    ob = optim.Adam([b], lr=0.5)
    ob.load_state_dict(ck["opt"])
    assert ob.param_groups[0]["lr"] == 0.01 and ob.param_groups[0]["amsgrad"] is True
    for g in grads[3:]:
        a.grad = ember.tensor(g)
        b.grad = ember.tensor(g)
        oa.step()
        ob.step()
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_whole_module_pickled_and_gated_by_weights_only():
    # torch.save(model, f) as in pytorch/examples word_language_model: the module is pickled;
    # loading it needs weights_only=False, as in PyTorch >= 2.6.
    import pickle

    import ember.nn as nn

    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.LSTM(4, 2))
    buf = io.BytesIO()
    ember.save(model, buf)
    with pytest.raises(pickle.UnpicklingError, match="`weights_only` set to `False`"):
        ember.load(io.BytesIO(buf.getvalue()))
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        ember.load(io.BytesIO(buf.getvalue()), weights_only=True)
    m2 = ember.load(io.BytesIO(buf.getvalue()), weights_only=False)
    assert type(m2) is nn.Sequential and type(m2[2]) is nn.LSTM
    x = ember.randn(5, 3)
    np.testing.assert_array_equal(m2[0](x).detach().numpy(), model[0](x).detach().numpy())
    assert m2[0].weight is not model[0].weight and m2[0].weight.requires_grad
    arr = ember.load(_saved(np.arange(3)), weights_only=False)
    assert arr.tolist() == [0, 1, 2]
    if not ember.cuda.is_available():
        with pytest.raises(RuntimeError, match="CUDA"):
            ember.load(io.BytesIO(buf.getvalue()), weights_only=False, map_location="cuda")


def _saved(obj):
    buf = io.BytesIO()
    ember.save(obj, buf)
    buf.seek(0)
    return buf


def test_unpicklable_objects_refused():
    class Thing:  # a local class: pickle cannot name it
        pass

    with pytest.raises((AttributeError, pickle.PicklingError)):
        ember.save({"x": Thing()}, io.BytesIO())
    with pytest.raises((AttributeError, pickle.PicklingError)):
        ember.save(lambda: 1, io.BytesIO())


def test_map_location_and_weights_only():
    t = ember.ones(2)
    for ml in [None, "cpu", ember.device("cpu"), {"cpu": "cpu"}, lambda s, loc: s]:
        r = _roundtrip(t, map_location=ml, weights_only=True)
        assert r.tolist() == [1.0, 1.0] and r.device.type == "cpu"
    if ember.cuda.is_available():  # the simulated lane: a cuda device to map onto
        assert _roundtrip(t, map_location="cuda").device.type == "cuda"
    else:
        with pytest.raises(RuntimeError, match="CUDA"):
            _roundtrip(t, map_location="cuda")


# ----- foreign and corrupt files ----------------------------------------------------------------


class _Evil:
    def __reduce__(self):
        return (os.system, ("touch /tmp/ember_pwned_marker",))


def test_pickles_are_refused_without_running_code(tmp_path):
    marker = "/tmp/ember_pwned_marker"
    if os.path.exists(marker):
        os.remove(marker)
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps({"x": _Evil()}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="posix is blocked"):
        ember.load(path)
    # the same payload inside a zip that mimics torch.save's layout
    zpath = tmp_path / "evil.pt"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("archive/data.pkl", pickle.dumps(_Evil()))
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        ember.load(zpath)
    assert not os.path.exists(marker)


@requires_torch
def test_real_torch_save_files_load(tmp_path):
    path = tmp_path / "t.pt"
    torch.save({"w": torch.ones(2)}, path)
    assert ember.load(path)["w"].tolist() == [1.0, 1.0]
    path2 = tmp_path / "legacy.pt"
    torch.save({"w": torch.ones(2)}, path2, _use_new_zipfile_serialization=False)
    assert ember.load(path2)["w"].tolist() == [1.0, 1.0]


def test_random_and_corrupt_files(tmp_path):
    rng = np.random.default_rng(0)
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        ember.load(io.BytesIO(rng.bytes(100)))
    buf = io.BytesIO()
    ember.save({"w": ember.randn(100)}, buf)
    data = buf.getvalue()
    with pytest.raises(RuntimeError, match="failed reading zip archive"):
        ember.load(io.BytesIO(data[: len(data) // 2]))
    # a manifest whose tensor has the wrong byte count
    bad = io.BytesIO()
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr(
            "ember/manifest.json",
            json.dumps(
                {
                    "format": "ember-checkpoint",
                    "version": 1,
                    "object": {"__tensor__": 0, "dtype": "float32", "shape": [10]},
                }
            ),
        )
        zf.writestr("ember/data/0", b"\x00" * 12)
    bad.seek(0)
    with pytest.raises(RuntimeError, match="corrupt checkpoint"):
        ember.load(bad)
    for manifest in [
        b"not json",
        json.dumps({"format": "other"}).encode(),
        json.dumps(
            {
                "format": "ember-checkpoint",
                "version": 1,
                "object": {"__evil__": ["os.system", "ls"]},
            }
        ).encode(),
    ]:
        bad = io.BytesIO()
        with zipfile.ZipFile(bad, "w") as zf:
            zf.writestr("ember/manifest.json", manifest)
        bad.seek(0)
        with pytest.raises(RuntimeError, match="corrupt checkpoint"):
            ember.load(bad)


# ----- safetensors -------------------------------------------------------------------------------


def _parse_safetensors_with_torch(data: bytes):
    """An independent reader: parse the header by hand and build tensors with torch.frombuffer."""
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8 : 8 + n])
    header.pop("__metadata__", None)
    codes = {
        "F32": torch.float32,
        "F64": torch.float64,
        "I64": torch.int64,
        "F16": torch.float16,
        "BOOL": torch.bool,
        "I32": torch.int32,
        "U8": torch.uint8,
    }
    out = {}
    base = 8 + n
    for name, info in header.items():
        b, e = info["data_offsets"]
        chunk = bytearray(data[base + b : base + e])
        t = (
            torch.frombuffer(chunk, dtype=codes[info["dtype"]])
            if chunk
            else torch.empty(0, dtype=codes[info["dtype"]])
        )
        out[name] = t.reshape(info["shape"])
    return out


def _write_safetensors_from_torch(tensors: dict) -> bytes:
    codes = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64", torch.bool: "BOOL"}
    header, chunks, off = {}, [], 0
    for name, t in tensors.items():
        raw = t.contiguous().numpy().tobytes()
        header[name] = {
            "dtype": codes[t.dtype],
            "shape": list(t.shape),
            "data_offsets": [off, off + len(raw)],
        }
        chunks.append(raw)
        off += len(raw)
    hb = json.dumps(header).encode()
    return struct.pack("<Q", len(hb)) + hb + b"".join(chunks)


@requires_torch
def test_safetensors_ember_to_torch(tmp_path):
    rng = np.random.default_rng(1)
    sd = OrderedDict(
        [
            ("fc.weight", ember.tensor(rng.standard_normal((4, 3)).astype(np.float32))),
            ("fc.bias", ember.tensor(rng.standard_normal(4))),
            ("steps", ember.arange(3)),
            ("mask", ember.tensor([True, False])),
            ("half", ember.ones(3, dtype=ember.float16)),
            ("scalar", ember.tensor(2.0)),
            ("empty", ember.zeros(0)),
        ]
    )
    path = tmp_path / "w.safetensors"
    ember.save(sd, path)
    data = path.read_bytes()
    n = struct.unpack("<Q", data[:8])[0]
    assert (8 + n) % 8 == 0 and data[8:9] == b"{"
    t = _parse_safetensors_with_torch(data)
    assert list(t) == list(sd)
    for k in sd:
        assert str(t[k].dtype).split(".")[-1] == sd[k].dtype.name
        np.testing.assert_array_equal(t[k].numpy(), sd[k].numpy())
    # a torch module accepts the weights
    lin = torch.nn.Linear(3, 4)
    lin.load_state_dict({"weight": t["fc.weight"], "bias": t["fc.bias"].float()})


@requires_torch
def test_safetensors_torch_to_ember(tmp_path):
    lin = torch.nn.Linear(5, 2).double()
    tensors = {k: v.detach() for k, v in lin.state_dict().items()}
    tensors["flags"] = torch.tensor([True, False, True])
    tensors["count"] = torch.tensor(7)
    path = tmp_path / "t.safetensors"
    path.write_bytes(_write_safetensors_from_torch(tensors))
    e = ember.load(path)
    assert list(e) == list(tensors)
    for k, v in tensors.items():
        assert e[k].dtype.name == str(v.dtype).split(".")[-1]
        np.testing.assert_array_equal(e[k].numpy(), v.numpy())
    e2, meta = load_safetensors(str(path), return_metadata=True)
    assert meta is None and list(e2) == list(tensors)


def test_safetensors_metadata_and_errors(tmp_path):
    buf = io.BytesIO()
    save_safetensors({"a": ember.ones(2)}, buf, metadata={"format": "pt"})
    data = buf.getvalue()
    out, meta = load_safetensors(data, return_metadata=True)
    assert meta == {"format": "pt"} and out["a"].tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match="flat dict"):
        ember.save([ember.ones(1)], tmp_path / "x.safetensors")
    with pytest.raises(ValueError, match="only store tensors"):
        save_safetensors({"a": 1}, io.BytesIO())
    with pytest.raises(RuntimeError, match="header too small"):
        load_safetensors(b"\x01\x00")
    with pytest.raises(RuntimeError, match="invalid header length"):
        load_safetensors(struct.pack("<Q", 1000) + b"{}")
    with pytest.raises(RuntimeError, match="incomplete metadata"):
        load_safetensors(data + b"\x00" * 8)
    with pytest.raises(RuntimeError, match="incomplete metadata"):
        load_safetensors(data[:-4])
    # safetensors bytes given to the checkpoint loader: refused, no code run
    with pytest.raises(pickle.UnpicklingError):
        ember.load(io.BytesIO(data))


def test_safetensors_package_reads_and_writes_ember_files(tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    rng = np.random.default_rng(2)
    sd = {
        "w": ember.tensor(rng.standard_normal((3, 4)).astype(np.float32)),
        "i": ember.arange(5),
        "h": ember.ones(2, dtype=ember.float16),
        "m": ember.tensor([True, False]),
        "s": ember.tensor(3.0),
    }
    ember.save(sd, tmp_path / "e.safetensors")
    back = st.load_file(str(tmp_path / "e.safetensors"))
    assert sorted(back) == sorted(sd)
    for k in sd:
        assert back[k].dtype == sd[k].numpy().dtype
        np.testing.assert_array_equal(back[k], sd[k].numpy())
    arrays = {"a": rng.standard_normal((2, 3)), "n": np.arange(4, dtype=np.int32)}
    st.save_file(arrays, str(tmp_path / "p.safetensors"), metadata={"k": "v"})
    out, meta = load_safetensors(str(tmp_path / "p.safetensors"), return_metadata=True)
    assert meta == {"k": "v"}
    for k, a in arrays.items():
        np.testing.assert_array_equal(out[k].numpy(), a)
