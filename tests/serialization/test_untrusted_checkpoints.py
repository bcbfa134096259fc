"""Untrusted and interrupted checkpoint files (issue 10, class 7).

A damaged, forged or truncated file raises ``RuntimeError`` or ``pickle.UnpicklingError``
(never TypeError, OverflowError, RecursionError, zlib.error, struct.error, KeyError ...);
declared sizes are checked before memory is allocated; ``save`` replaces a file atomically.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import struct
import subprocess
import sys
import textwrap
import tracemalloc
import zipfile
import zlib

import numpy as np
import pytest

import ember
from ember.serialization import _zip

CLEAN = (RuntimeError, pickle.UnpicklingError)
GIB = 1 << 30


def _buf(obj):
    b = io.BytesIO()
    ember.save(obj, b)
    return b.getvalue()


def _v1(manifest, members=()):
    """A checkpoint in ember's earlier format (ember/manifest.json + ember/data/<n>)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("ember/manifest.json", manifest if isinstance(manifest, bytes)
                    else json.dumps(manifest))
        for name, data in members:
            zf.writestr(name, data)
    return out.getvalue()


def _v1_obj(obj):
    return {"format": "ember-checkpoint", "version": 1, "object": obj}


_ZEROS_DEFLATED = {}


def _deflated_zeros(size):
    """A raw deflate stream of ``size`` zero bytes (a multiple of 1 MiB) and its CRC, made from
    one flushed 1 MiB block repeated (cheap: no 1 GiB buffer is ever built)."""
    if size not in _ZEROS_DEFLATED:
        mib = bytes(1 << 20)
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        first = c.compress(mib) + c.flush(zlib.Z_SYNC_FLUSH)
        again = c.compress(mib) + c.flush(zlib.Z_SYNC_FLUSH)
        stream = first + again * ((size >> 20) - 1) + c.flush(zlib.Z_FINISH)
        crc = 0
        for _ in range(size >> 20):
            crc = zlib.crc32(mib, crc)
        _ZEROS_DEFLATED[size] = (stream, crc)
    return _ZEROS_DEFLATED[size]


def _raw_zip(path, members):
    """Write a zip by hand: ``members`` are (name, data) stored, or (name, size) for a
    deflated member of ``size`` zero bytes."""
    out, central = bytearray(), bytearray()
    for name, data in members:
        if isinstance(data, int):
            payload, crc = _deflated_zeros(data)
            method, usize = 8, data
        else:
            payload, crc, method, usize = data, zlib.crc32(data), 0, len(data)
        nb = name.encode()
        head = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc,
                           len(payload), usize, len(nb), 0)
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21,
                               crc, len(payload), usize, len(nb), 0, 0, 0, 0, 0, len(out)) + nb
        out += head + nb + payload
    n = len(members)
    out += central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(central), len(out), 0)
    with open(path, "wb") as fh:
        fh.write(out)


def _peak_while(fn):
    tracemalloc.start()
    try:
        with pytest.raises(CLEAN) as info:
            fn()
        return tracemalloc.get_traced_memory()[1], info.value
    finally:
        tracemalloc.stop()


def test_old_ember_format_still_loads():
    arr = np.arange(6, dtype="<f4")
    data = _v1(_v1_obj({"__odict__": [["w", {"__tensor__": 0, "dtype": "float32",
                                             "shape": [2, 3]}],
                                      ["n", {"__tuple__": [1, {"__float__": "inf"}]}]]}),
               [("ember/data/0", arr.tobytes())])
    out = ember.load(io.BytesIO(data))
    assert out["w"].tolist() == [[0, 1, 2], [3, 4, 5]] and out["n"] == (1, float("inf"))


@pytest.fixture(scope="module")
def bombs(tmp_path_factory):
    """Archives of about 1 MiB whose one member inflates to 1 GiB."""
    d = tmp_path_factory.mktemp("bombs")
    paths = {}
    # 1) torch layout: data.pkl declares a 4-byte storage, the member inflates to 1 GiB
    with zipfile.ZipFile(io.BytesIO(_buf({"w": ember.ones(1)}))) as zf:
        pkl = zf.read("archive/data.pkl")
    paths["torch_small_decl"] = d / "torch_small_decl.pt"
    _raw_zip(paths["torch_small_decl"], [("archive/data.pkl", pkl), ("archive/data/0", GIB)])
    # 2) torch layout: data.pkl declares a 1 GiB storage to match the bomb
    big = pkl.replace(b"K\x01t", b"J\x00\x00\x00\x10t")  # numel 1 -> 2**28 float32 = 1 GiB
    assert big != pkl
    paths["torch_big_decl"] = d / "torch_big_decl.pt"
    _raw_zip(paths["torch_big_decl"], [("archive/data.pkl", big), ("archive/data/0", GIB)])
    # 3) the pickle itself inflates to 1 GiB
    paths["pickle_bomb"] = d / "pickle_bomb.pt"
    _raw_zip(paths["pickle_bomb"], [("archive/data.pkl", GIB)])
    # 4) ember's earlier format: a manifest declaring 1 GiB, the member a bomb
    manifest = json.dumps(_v1_obj({"__tensor__": 0, "dtype": "float32", "shape": [2**28]}))
    paths["v1"] = d / "v1.pt"
    _raw_zip(paths["v1"], [("ember/manifest.json", manifest.encode()), ("ember/data/0", GIB)])
    # 5) a manifest bomb
    paths["manifest_bomb"] = d / "manifest_bomb.pt"
    _raw_zip(paths["manifest_bomb"], [("ember/manifest.json", GIB)])
    return paths


@pytest.mark.parametrize("kind", ["torch_small_decl", "torch_big_decl", "pickle_bomb", "v1",
                                  "manifest_bomb"])
def test_inflation_bombs_are_refused_without_allocating(bombs, kind):
    path = bombs[kind]
    assert os.path.getsize(path) < 2 << 20
    peak, err = _peak_while(lambda: ember.load(path))
    assert peak < 64 << 20, f"{kind}: {peak} bytes allocated before refusing"
    assert "compressed" in str(err) or "limit" in str(err) or "declares" in str(err)


def test_forged_declared_sizes_in_the_central_directory():
    data = bytearray(_buf({"w": ember.ones(4)}))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("archive/data/0")
    cd = data.rfind(b"PK\x01\x02" + data[data.find(b"PK\x01\x02") + 4:][:0])
    # every central-directory record: set this member's sizes to 2**31
    pos = 0
    while True:
        pos = data.find(b"PK\x01\x02", pos)
        if pos < 0:
            break
        n = struct.unpack("<H", data[pos + 28:pos + 30])[0]
        if data[pos + 46:pos + 46 + n] == info.filename.encode():
            data[pos + 20:pos + 28] = struct.pack("<II", 2**31, 2**31)
        pos += 4
    assert cd >= 0
    peak, err = _peak_while(lambda: ember.load(io.BytesIO(bytes(data))))
    assert peak < 64 << 20


def test_every_truncation_and_byte_flip_is_a_clean_error():
    sd = {"w": ember.randn(3, 2), "b": [ember.arange(4), 3, "x"], "f": 2.5}
    for data in (_buf(sd), _v1(_v1_obj({"__tensor__": 0, "dtype": "int16", "shape": [3]}),
                               [("ember/data/0", b"\x01\x00" * 3)])):
        for n in range(0, len(data), max(1, len(data) // 300)):
            with pytest.raises(CLEAN):
                ember.load(io.BytesIO(data[:n]))
        rng = np.random.default_rng(0)
        for _ in range(400):
            bad = bytearray(data)
            for i in rng.integers(0, len(bad), size=rng.integers(1, 4)):
                bad[i] = rng.integers(0, 256)
            try:
                ember.load(io.BytesIO(bytes(bad)))
            except CLEAN:
                pass


def _torch_zip(pkl: bytes, members=()):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("archive/data.pkl", pkl)
        for name, data in members:
            zf.writestr(name, data)
    return out.getvalue()


def _tensor_pickle(storage_numel=4, offset=0, size=(4,), stride=(1,), storage="FloatStorage",
                   key="0"):
    """A data.pkl like torch.save's for one tensor, with chosen (possibly bad) geometry."""

    class G:
        def __init__(self, m, n):
            self.m, self.n = m, n

        def __call__(self):  # pickle's save_reduce wants a callable
            raise AssertionError

    class St:
        pid = ("storage", G("torch", storage), key, "cpu", storage_numel)

    class P(pickle._Pickler):
        def persistent_id(self, obj):
            return obj.pid if isinstance(obj, St) else None

    class Rebuild:
        def __reduce__(self):
            return (G("torch._utils", "_rebuild_tensor_v2"),
                    (St(), offset, size, stride, False, G("collections", "OrderedDict")))

    out = io.BytesIO()
    p = P(out, 2)

    orig = p.save

    def save(obj, save_persistent_id=True):
        if isinstance(obj, G):
            p.write(pickle.GLOBAL + f"{obj.m}\n{obj.n}\n".encode())
            return
        orig(obj, save_persistent_id)

    p.save = save
    p.dump({"t": Rebuild()})
    return out.getvalue()


@pytest.mark.parametrize("kw", [
    dict(offset=3, size=(4,)), dict(size=(2, 3), stride=(3, 1)), dict(stride=(2,)),
    dict(offset=-1), dict(size=(-1,)), dict(stride=(-1,)), dict(size=(2.5,)), dict(size="4"),
    dict(size=(4,), stride=()), dict(storage_numel=2**62), dict(storage_numel=-4),
    dict(storage="NoSuchStorage"), dict(key="../../etc/passwd"), dict(offset=2**70),
    dict(size=(2**40, 2**40)), dict(storage_numel=3),
])
def test_forged_tensor_geometry(kw):
    data = _torch_zip(_tensor_pickle(**kw), [("archive/data/0", b"\x00" * 16)])
    with pytest.raises(CLEAN):
        ember.load(io.BytesIO(data))
    good = _torch_zip(_tensor_pickle(), [("archive/data/0", b"\x00" * 16)])
    assert ember.load(io.BytesIO(good))["t"].tolist() == [0.0] * 4


@pytest.mark.parametrize("body", [
    b"", b".", b"\x80\x02", b"\x80\x02}", b"\x80\x02(((((((((((((((.", b"\x80\x02h\x05.",
    b"\x80\x02X\xff\xff\xff\x7f.", b"\x80\x02\x8a\xff\x00.", b"\x80\x02\x8b\xff\xff\xff\x7f.",
    b"\x80\x02X\x02\x00\x00\x00\xff\xfe.", b"\x80\x02K\x01K\x02s.", b"\x80\x02]K\x01u.",
    b"\x80\x02\x86.", b"\x80\x02)R.", b"\x80\x02cOrderedDict\n.", b"\x80\x02ccollections\n.",
    b"\x80\x02(\x8c\x05torch\x8c\x04Size\x93.", b"\x80\x02ctorch\nSize\nX\x01\x00\x00\x00aR.",
    b"\x80\x02ctorch\nSize\nK\x01\x85R.", b"\x80\x02cbuiltins\nbytearray\nJ\x00\x00\x00@\x85R.",
    b"\x80\x02" + b"(" * 200_000 + b"t" * 199_999 + b".", b"\x80\x02" + b"]" * 100_000 + b".",
    b"\x80\x02Q.", b"\x80\x02N\x85Q.", b"\x80\xffN.", b"\xff",
], ids=lambda b: f"{len(b)}:{b[:24]!r}")
def test_malformed_pickles_are_clean_errors(body):
    with pytest.raises(CLEAN):
        ember.load(io.BytesIO(_torch_zip(body)))


@pytest.mark.parametrize("manifest", [
    b"not json", b"[" * 100_000 + b"]" * 100_000, b'{"format": "ember-checkpoint"}',
    json.dumps(_v1_obj({"__evil__": ["os.system", "ls"]})).encode(),
    json.dumps(_v1_obj({"__tensor__": "0", "dtype": "float32", "shape": [1]})).encode(),
    json.dumps(_v1_obj({"__tensor__": 0, "dtype": "float32", "shape": [3.5]})).encode(),
    json.dumps(_v1_obj({"__tensor__": 0, "dtype": "float32", "shape": "3"})).encode(),
    json.dumps(_v1_obj({"__tensor__": 0, "dtype": "float32", "shape": [-1, -3]})).encode(),
    json.dumps(_v1_obj({"__tensor__": 0, "dtype": "float32", "shape": [2**62, 2**62]})).encode(),
    json.dumps(_v1_obj({"__tensor__": 0, "dtype": ["x"], "shape": [1]})).encode(),
    json.dumps(_v1_obj({"__dict__": [[{"__tuple__": []}, 1], [[1], 2]]})).encode(),
    json.dumps(_v1_obj({"__dict__": 5})).encode(), json.dumps(_v1_obj({"__size__": [1.5]})).encode(),
    json.dumps(_v1_obj({"__complex__": [1]})).encode(), json.dumps(_v1_obj({"__bytes__": 3})).encode(),
    json.dumps(_v1_obj({"__float__": "1e999999"})).encode(),
    json.dumps(_v1_obj({"__dtype__": {}})).encode(), json.dumps(_v1_obj({})).encode(),
    json.dumps({"format": "ember-checkpoint", "version": "1", "object": 1}).encode(),
    json.dumps({"format": "ember-checkpoint", "version": 10**400, "object": 1}).encode(),
    json.dumps(_v1_obj(json.loads("[" * 900 + "]" * 900))).encode(),
], ids=lambda b: f"{len(b)}:{b[:40]!r}")
def test_corrupt_manifests_are_runtime_errors(manifest):
    with pytest.raises(RuntimeError):
        ember.load(io.BytesIO(_v1(manifest, [("ember/data/0", b"\x00" * 4)])))


def test_unknown_endianness_and_compressed_records():
    data = _torch_zip(_tensor_pickle(), [("archive/data/0", b"\x00" * 16),
                                         ("archive/byteorder", b"middle")])
    with pytest.raises(RuntimeError, match="Unknown endianness type"):
        ember.load(io.BytesIO(data))
    with pytest.raises(ValueError, match="Unknown endianness type"):  # PyTorch's type too
        ember.load(io.BytesIO(data))
    # a compressed data.pkl (small records may be deflated) still loads
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("archive/data.pkl", _tensor_pickle())
        zf.writestr(zipfile.ZipInfo("archive/data/0"), b"\x00" * 16, zipfile.ZIP_STORED)
    assert ember.load(io.BytesIO(out.getvalue()))["t"].shape == (4,)


# ----- interrupted saves --------------------------------------------------------------------


def test_failed_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "ck.pt"
    ember.save({"w": ember.ones(3)}, path)
    before = path.read_bytes()
    writes = []

    def crash(self, name, data, align=False):
        writes.append(name)
        if len(writes) == 4:
            raise KeyboardInterrupt  # the process is interrupted half-way through the save
        return orig(self, name, data, align)

    orig = _zip.ArchiveWriter.write
    monkeypatch.setattr(_zip.ArchiveWriter, "write", crash)
    with pytest.raises(KeyboardInterrupt):
        ember.save({"w": ember.zeros(1000)}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["ck.pt"]
    assert ember.load(path)["w"].tolist() == [1.0, 1.0, 1.0]

    class Unpicklable:
        def __reduce__(self):
            raise RuntimeError("cannot save this")

    with pytest.raises(RuntimeError, match="cannot save this"):
        ember.save({"w": ember.ones(2), "x": Unpicklable()}, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["ck.pt"]


def test_killed_mid_save_keeps_a_loadable_file(tmp_path):
    """kill -9 a process that keeps re-saving a checkpoint: the file on disk always loads."""
    path = tmp_path / "ck.pt"
    src = os.path.join(os.path.dirname(__file__), "..", "..", "src")
    script = textwrap.dedent(f"""
        import sys; sys.path.insert(0, {src!r})
        import ember
        big = ember.arange(2_000_000.0)
        i = 0
        while True:
            ember.save({{"i": i, "w": big + i}}, {str(path)!r})
            i += 1
            if i == 1:
                print("ready", flush=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        for _ in range(3):
            import time

            time.sleep(0.15)
            ck = ember.load(path)
            assert ck["w"][-1].item() == 1_999_999 + ck["i"]
    finally:
        proc.kill()
        proc.wait()
    ck = ember.load(path)
    assert ck["w"][0].item() == ck["i"]
    leftovers = [n for n in os.listdir(tmp_path) if n != "ck.pt"]
    for n in leftovers:  # a temporary file of the killed save may remain; never the target
        assert n.startswith(".ck.pt.") and n.endswith(".tmp")


def test_save_keeps_the_file_mode(tmp_path):
    path = tmp_path / "ck.pt"
    path.write_bytes(b"old")
    os.chmod(path, 0o640)
    ember.save(ember.ones(1), path)
    assert (os.stat(path).st_mode & 0o777) == 0o640
    assert ember.load(path).tolist() == [1.0]


def test_save_paths_as_pytorch(tmp_path):
    with pytest.raises(RuntimeError, match="Parent directory .*nope does not exist"):
        ember.save(ember.ones(1), tmp_path / "nope" / "x.pt")
    with pytest.raises(RuntimeError, match="Is a directory"):
        ember.save(ember.ones(1), tmp_path)
    target = tmp_path / "real.pt"
    ember.save(ember.ones(1), target)
    link = tmp_path / "link.pt"
    link.symlink_to(target)
    ember.save(ember.zeros(2), link)  # writes through the link; the link stays a link
    assert link.is_symlink() and ember.load(target).tolist() == [0.0, 0.0]


def test_zlib_and_struct_errors_never_escape():
    # a deflated data.pkl whose compressed stream is garbage
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("archive/data.pkl", b"\x80\x02}." * 100)
    data = bytearray(out.getvalue())
    start = data.find(b"archive/data.pkl") + len("archive/data.pkl")
    data[start + 2:start + 12] = b"\xff" * 10
    with pytest.raises(RuntimeError):
        ember.load(io.BytesIO(bytes(data)))
    assert zlib  # the error above used to be zlib.error
