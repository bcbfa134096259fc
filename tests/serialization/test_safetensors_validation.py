"""safetensors headers are validated exactly as the ``safetensors`` package validates them
(issue 10, class 7): the same files are accepted and rejected, with the package's message."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest

import ember
from ember.serialization import SafetensorError, load_safetensors, save_safetensors

st = pytest.importorskip("safetensors.numpy", reason="the safetensors package is not installed")


def _file(header=None, data=b"", raw=None):
    hb = raw if raw is not None else json.dumps(header).encode()
    return struct.pack("<Q", len(hb)) + hb + data


def _t(dtype="F32", shape=(3,), offsets=(0, 12)):
    return {"dtype": dtype, "shape": list(shape) if isinstance(shape, tuple) else shape,
            "data_offsets": list(offsets) if isinstance(offsets, tuple) else offsets}


CASES = {
    "ok": _file({"a": _t()}, b"\x00" * 12),
    "ok_two": _file({"b": _t(offsets=(12, 24)), "a": _t()}, b"\x01" * 24),
    "ok_meta": _file({"__metadata__": {"k": "v"}, "a": _t("I64", (1,), (0, 8))}, b"\x02" * 8),
    "ok_empty": _file({}),
    "ok_zero_size": _file({"a": _t(shape=(0, 3), offsets=(0, 0))}),
    "ok_scalar": _file({"a": _t(shape=(), offsets=(0, 4))}, b"\x00" * 4),
    "ok_extra_field": _file({"a": {**_t(), "x": 1}}, b"\x00" * 12),
    "ok_leading_space": _file(raw=b" {}"),
    "ok_trailing_spaces": _file(raw=b"{}      "),
    "ok_null_meta": _file({"__metadata__": None}),
    "shape_float": _file({"a": _t(shape=[3.5])}, b"\x00" * 12),
    "shape_str": _file({"a": _t(shape="3")}, b"\x00" * 12),
    "shape_str_item": _file({"a": _t(shape=["3"])}, b"\x00" * 12),
    "shape_negative": _file({"a": _t(shape=[-1, -3])}, b"\x00" * 12),
    "shape_bool": _file({"a": _t(shape=[True, 3])}, b"\x00" * 12),
    "shape_1e0": _file(raw=b'{"a":{"dtype":"F32","shape":[3e0],"data_offsets":[0,12]}}',
                       data=b"\x00" * 12),
    "shape_null": _file({"a": _t(shape=None)}, b"\x00" * 12),
    "shape_2_64": _file({"a": _t(shape=[2**64])}, b"\x00" * 12),
    "shape_overflow": _file({"a": _t(shape=[2**62, 2**62])}, b"\x00" * 12),
    "shape_overflow_bits": _file({"a": _t("F64", [2**61])}, b"\x00" * 12),
    "shape_mismatch": _file({"a": _t(shape=[4])}, b"\x00" * 12),
    "offsets_out_of_range": _file({"a": _t(offsets=(0, 120))}, b"\x00" * 12),
    "offsets_reversed": _file({"a": _t(shape=[0], offsets=(4, 0))}, b"\x00" * 4),
    "offsets_gap": _file({"a": _t(shape=[1], offsets=(4, 8))}, b"\x00" * 8),
    "offsets_overlap": _file({"a": _t(), "b": _t()}, b"\x00" * 12),
    "offsets_three": _file({"a": _t(offsets=[0, 12, 12])}, b"\x00" * 12),
    "offsets_float": _file({"a": _t(offsets=[0.0, 12])}, b"\x00" * 12),
    "offsets_negative": _file({"a": _t(offsets=[-12, 0])}, b"\x00" * 12),
    "offsets_str": _file({"a": _t(offsets="0,12")}, b"\x00" * 12),
    "buffer_too_long": _file({"a": _t()}, b"\x00" * 16),
    "buffer_too_short": _file({"a": _t()}, b"\x00" * 8),
    "dtype_unknown": _file({"a": _t("F33")}, b"\x00" * 12),
    "dtype_c128": _file({"a": _t("C128", (1,), (0, 16))}, b"\x00" * 16),
    "dtype_lower": _file({"a": _t("f32")}, b"\x00" * 12),
    "dtype_int": _file({"a": _t(5)}, b"\x00" * 12),
    "missing_dtype": _file({"a": {"shape": [3], "data_offsets": [0, 12]}}, b"\x00" * 12),
    "missing_offsets": _file({"a": {"dtype": "F32", "shape": [3]}}, b"\x00" * 12),
    "tensor_is_list": _file({"a": [1, 2]}),
    "tensor_is_str": _file({"a": "x"}),
    "header_is_list": _file(raw=b"[1, 2]  "),
    "header_is_str": _file(raw=b'"abc"   '),
    "bad_json": _file(raw=b'{"a":   '),
    "nul_padding": _file(raw=b"{}\x00\x00"),
    "trailing_garbage": _file(raw=b"{}  x"),
    "bad_utf8": _file(raw=b'{"\xff":1}'),
    "meta_not_str": _file({"__metadata__": {"a": 1}}),
    "meta_list": _file({"__metadata__": [1]}),
    "header_len_huge": struct.pack("<Q", 2**63) + b"{}",
    "header_len_100M": struct.pack("<Q", 100_000_001) + b"{}",
    "header_len_past_end": struct.pack("<Q", 50) + b"{}",
    "header_len_empty": struct.pack("<Q", 0),
    "too_short": b"\x01\x00",
    "empty": b"",
    "deep_json": _file(raw=b"[" * 100_000 + b"]" * 100_000),
    "nan_literal": _file(raw=b'{"a":{"dtype":"F32","shape":[NaN],"data_offsets":[0,12]}}',
                         data=b"\x00" * 12),
}


@pytest.mark.parametrize("name", list(CASES))
def test_same_verdict_and_message_as_the_safetensors_package(name):
    data = CASES[name]
    try:
        expected = st.load(data)
    except Exception as e:  # noqa: BLE001 - the package's own exception type
        expected = e
    if isinstance(expected, Exception):
        with pytest.raises(SafetensorError) as info:
            load_safetensors(data)
        assert isinstance(info.value, RuntimeError)
        got, want = str(info.value), str(expected)
        # the package's message up to its serde position suffix (" at line 1 column N")
        assert got.split(":")[0] == want.split(":")[0] == "Error while deserializing"
        assert want.split(":")[1].strip().split(" ")[0] in got, (got, want)
    else:
        out = load_safetensors(data)
        assert sorted(out) == sorted(expected)  # the package orders names by hash
        for k, v in expected.items():
            np.testing.assert_array_equal(out[k].numpy(), v)


def test_dtypes_ember_lacks_are_clean_errors():
    data = _file({"a": _t("U16", (2,), (0, 4))}, b"\x01\x00\x02\x00")
    assert st.load(data)["a"].tolist() == [1, 2]
    with pytest.raises(SafetensorError, match="U16"):
        load_safetensors(data)


def test_save_is_atomic_and_rejects_complex128(tmp_path):
    path = tmp_path / "w.safetensors"
    save_safetensors({"a": ember.ones(2)}, path)
    before = path.read_bytes()
    with pytest.raises(ValueError, match="complex128"):
        save_safetensors({"a": ember.ones(2), "c": ember.zeros(2, dtype=ember.complex128)}, path)
    assert path.read_bytes() == before
    assert st.load_file(str(path))["a"].tolist() == [1.0, 1.0]
