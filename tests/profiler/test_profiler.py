"""``ember.profiler``: what it records (names, nesting, shapes, memory, stacks), its table next
to PyTorch's, the Chrome trace, schedules and trace handlers."""

from __future__ import annotations

import gzip
import inspect
import json
import os
import re
import threading

import pytest
from oracle import run_example

import ember
import ember.nn as nn
from ember.autograd import dispatch
from ember.profiler import (ProfilerAction, ProfilerActivity, profile, record_function,
                            schedule, tensorboard_trace_handler)


CustomReLU = run_example("seed_custom_relu")[0]["CustomReLU"]  # the seed tutorial's, as written


def _mlp(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(8, 16), lib.nn.ReLU(), lib.nn.Linear(16, 2))


def _step(lib, model, opt):
    x = lib.ones(4, 8)
    y = lib.tensor([0, 1, 1, 0])
    with lib.profiler.record_function("train_step"):
        loss = lib.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()


def _names(prof):
    return [e.name for e in prof.events()]


def _header(table):
    return [c for c in re.split(r"\s{2,}", table.splitlines()[1].strip()) if c]


# --------------------------------------------------------------------------- names
def test_backward_nodes_named_as_pytorch_names_them():
    a = ember.randn(3, requires_grad=True)
    b = ember.randn(3, requires_grad=True)
    with profile() as prof:
        (a * b).exp().sum().backward()
    names = _names(prof)
    for node in ("SumBackward0", "ExpBackward0", "MulBackward0"):
        assert node in names
        assert f"autograd::engine::evaluate_function: {node}" in names
    assert names.count("torch::autograd::AccumulateGrad") == 2
    assert {"aten::mul", "aten::exp", "aten::sum"} <= set(names)


def test_same_node_names_as_pytorch():
    torch = pytest.importorskip("torch", reason="PyTorch not installed: no oracle to compare")

    def run(lib):
        a = lib.ones(3, requires_grad=True)
        b = lib.ones(3, requires_grad=True)
        with lib.profiler.profile() as prof:
            (a * b).exp().sum().backward()
        return {e.name for e in prof.events() if "Backward" in e.name or "Accumulate" in
                e.name}

    assert run(ember) == run(torch)


def test_training_step_table_has_pytorch_columns():
    torch = pytest.importorskip("torch", reason="PyTorch not installed: no oracle to compare")
    tables = {}
    for lib in (ember, torch):
        model = _mlp(lib)
        opt = lib.optim.SGD(model.parameters(), lr=0.1)
        with lib.profiler.profile(activities=[lib.profiler.ProfilerActivity.CPU],
                                  record_shapes=True, profile_memory=True) as prof:
            _step(lib, model, opt)
        tables[lib.__name__] = (
            prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=10),
            prof.key_averages(group_by_input_shape=True).table(sort_by="cpu_time_total",
                                                               row_limit=5),
            {e.name for e in prof.events()})
    e, t = tables["ember"], tables["torch"]
    assert _header(e[0]) == _header(t[0]) == [
        "Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg", "CPU Mem",
        "Self CPU Mem", "# of Calls"]
    assert _header(e[1]) == _header(t[1])  # with "Input Shapes"
    assert e[0].splitlines()[-1].startswith("Self CPU time total: ")
    assert len(e[0].splitlines()) == len(t[0].splitlines())  # row_limit rows, same frame
    backward = {n for n in e[2] if "Backward" in n or "AccumulateGrad" in n}
    assert backward <= t[2]  # every backward range ember shows, PyTorch shows too
    assert "autograd::engine::evaluate_function: AddmmBackward0" in backward
    assert {"train_step", "aten::addmm", "aten::relu"} <= e[2] & t[2]


def test_custom_function_and_module_ranges():
    x = ember.randn(5, requires_grad=True)
    lin = nn.Linear(5, 2)
    with profile(with_modules=True) as prof:
        lin(CustomReLU.apply(x)).sum().backward()
    names = _names(prof)
    assert "CustomReLU" in names and "CustomReLUBackward" in names
    assert "nn.Module: Linear_0" in names
    mod = next(e for e in prof.events() if e.name == "nn.Module: Linear_0")
    lin_op = next(c for c in mod.cpu_children if c.name == "aten::linear")  # F.linear, public
    assert "aten::addmm" in [c.name for c in lin_op.cpu_children]  # as PyTorch nests them


# --------------------------------------------------------------------------- nesting
def test_backward_ranges_nest():
    a = ember.randn(4, requires_grad=True)
    with profile() as prof:
        with record_function("outer"):
            (a * 3.0).sum().backward()
    evs = {e.name: e for e in prof.events()}
    node = evs["MulBackward0"]
    assert node.cpu_parent.name == "autograd::engine::evaluate_function: MulBackward0"
    assert node.cpu_parent.cpu_parent.name == "outer"
    assert [c.name for c in node.cpu_children] == ["aten::mul"]  # the backward formula
    fwd = next(e for e in prof.events() if e.name == "aten::mul")  # the forward one
    assert fwd.cpu_parent.name == "outer" and fwd.flow == "s"
    parent = node.cpu_parent
    assert parent.time_range.start <= node.time_range.start
    assert node.time_range.end <= parent.time_range.end
    assert parent.self_cpu_time_total == pytest.approx(
        parent.cpu_time_total - node.cpu_time_total)


def test_chrome_trace_is_valid_and_nested(tmp_path):
    model = _mlp(ember)
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    with profile(record_shapes=True) as prof:
        _step(ember, model, opt)
    path = tmp_path / "trace.json"
    prof.export_chrome_trace(str(path))
    doc = json.loads(path.read_text())
    evs = doc["traceEvents"]
    complete = [e for e in evs if e["ph"] == "X"]
    assert complete and all(isinstance(e[k], (int, float)) for e in complete
                            for k in ("ts", "dur", "pid", "tid"))
    assert all(e["dur"] >= 0 and e["cat"] in ("cpu_op", "user_annotation",
                                              "python_function") for e in complete)
    # on one thread, two ranges are either disjoint or one holds the other
    stack = []
    for e in sorted(complete, key=lambda e: (e["ts"], -e["dur"])):
        while stack and stack[-1]["ts"] + stack[-1]["dur"] <= e["ts"]:
            stack.pop()
        if stack:
            top = stack[-1]
            assert e["ts"] + e["dur"] <= top["ts"] + top["dur"], (e["name"], top["name"])
        e["parent"] = stack[-1]["name"] if stack else None
        stack.append(e)
    by = {}
    for e in complete:
        by.setdefault(e["name"], []).append(e)
    assert by["train_step"][0]["cat"] == "user_annotation"
    assert by["train_step"][0]["parent"] is None
    assert all(e["parent"] == "train_step" for e in by["aten::linear"])
    assert all(e["parent"] == "aten::linear" for e in by["aten::addmm"])
    assert all(e["parent"] == "autograd::engine::evaluate_function: AddmmBackward0"
               for e in by["AddmmBackward0"])
    assert all(e["parent"] == "train_step"
               for e in by["autograd::engine::evaluate_function: AddmmBackward0"])
    assert by["aten::addmm"][0]["args"]["Input Dims"] == [[4, 8], [16, 8], [16]]
    # flow arrows: each forward op that made a node points at that node's backward range
    starts = {e["id"] for e in evs if e["ph"] == "s"}
    ends = {e["id"] for e in evs if e["ph"] == "f"}
    assert starts == ends and len(starts) >= 4
    meta = [e for e in evs if e["ph"] == "M"]
    assert {"process_name", "thread_name"} <= {e["name"] for e in meta}


# --------------------------------------------------------------------------- details
def test_shapes_and_memory():
    a = ember.randn(100, 100)
    with profile(record_shapes=True, profile_memory=True) as prof:
        b = a @ a
        b.view(-1)
        ember.mm(a[:10], a)
    mm = [e for e in prof.events() if e.name in ("aten::matmul", "aten::mm")]
    assert mm[0].input_shapes == [[100, 100], [100, 100]]
    assert mm[0].self_cpu_memory_usage == 100 * 100 * 4
    view = next(e for e in prof.events() if e.name == "aten::view")
    assert view.self_cpu_memory_usage == 0  # a view allocates nothing
    rows = prof.key_averages(group_by_input_shape=True)
    shapes = {str(r.input_shapes) for r in rows if r.key == "aten::mm"}
    assert shapes == {"[[10, 100], [100, 100]]"}


def test_backward_time_charged_to_forward_line():
    a = ember.randn(50, 50, requires_grad=True)
    with profile(with_stack=True) as prof:
        h = a.tanh()
        line_tanh = inspect.currentframe().f_lineno - 1
        y = (h * h).sum()
        line_mul = inspect.currentframe().f_lineno - 1
        y.backward()
    here = os.path.basename(__file__)
    node = next(e for e in prof.events() if e.name == "TanhBackward0")
    assert node.stack[0].endswith(f"{here}({line_tanh}): test_backward_time_charged_to_"
                                  "forward_line") or f"({line_tanh})" in node.stack[0]
    assert here in node.stack[0]
    rows = prof.key_averages(group_by_stack_n=1)
    mul_rows = [r for r in rows if r.key == "MulBackward0"]
    assert len(mul_rows) == 1 and f"({line_mul})" in mul_rows[0].stack[0]
    table = rows.table(sort_by="self_cpu_time_total")
    assert "Source Location" in _header(table)
    # the ops of a node's backward formula are charged to the same forward line
    inner = [c for c in next(e for e in prof.events() if e.name == "MulBackward0").cpu_children]
    assert inner and all(f"({line_mul})" in c.stack[0] for c in inner)


def test_schedule_and_trace_handler(tmp_path):
    sched = schedule(wait=1, warmup=1, active=2, repeat=1)
    assert [sched(i) for i in range(6)] == [
        ProfilerAction.NONE, ProfilerAction.WARMUP, ProfilerAction.RECORD,
        ProfilerAction.RECORD_AND_SAVE, ProfilerAction.NONE, ProfilerAction.NONE]
    ready = []
    handler = tensorboard_trace_handler(str(tmp_path / "tb"), worker_name="w0")
    x = ember.randn(4, requires_grad=True)

    def on_ready(p):
        ready.append([e.name for e in p.events() if e.name.startswith("ProfilerStep#")])
        handler(p)

    with profile(schedule=sched, on_trace_ready=on_ready) as prof:
        for _ in range(6):
            (x * 2).sum().backward()
            prof.step()
    assert ready == [["ProfilerStep#2", "ProfilerStep#3"]]
    assert prof.step_num == 6
    files = os.listdir(tmp_path / "tb")
    assert len(files) == 1 and files[0].startswith("w0.") and files[0].endswith(".pt.trace.json")
    doc = json.loads((tmp_path / "tb" / files[0]).read_text())
    assert any(e.get("name") == "MulBackward0" for e in doc["traceEvents"])

    gz = tensorboard_trace_handler(str(tmp_path / "gz"), worker_name="w1", use_gzip=True)
    with profile() as p2:
        (x * 2).sum()
    gz(p2)
    (f,) = os.listdir(tmp_path / "gz")
    assert f.endswith(".pt.trace.json.gz")
    with gzip.open(tmp_path / "gz" / f) as fh:
        assert json.load(fh)["traceEvents"]


def test_schedule_errors():
    with pytest.raises(AssertionError, match="Invalid profiler schedule arguments"):
        schedule(wait=0, warmup=1, active=0)
    with pytest.warns(UserWarning, match="won't be using warmup"):
        schedule(wait=0, warmup=0, active=1)


# --------------------------------------------------------------------------- cost, misc
def test_nothing_is_added_when_not_profiling():
    assert dispatch.tls.modes == ()
    x = ember.randn(3, requires_grad=True)
    y = x * 2
    assert "metadata_" not in y.grad_fn.__dict__  # no stack captured outside a profile
    with record_function("no profile"):  # a no-op without a profile
        pass
    with profile(with_stack=True):
        assert len(dispatch.tls.modes) == 1
        z = x * 2
    assert dispatch.tls.modes == ()
    assert "ember.profiler.stack" in z.grad_fn.metadata
    w = x * 2
    assert "metadata_" not in w.grad_fn.__dict__


def test_only_the_profiling_thread_is_recorded():
    out = []
    with profile() as prof:
        t = threading.Thread(target=lambda: out.append(ember.ones(3) * 2))
        t.start()
        t.join()
        ember.ones(3) + 1
    names = _names(prof)
    assert "aten::add" in names and "aten::mul" not in names


def test_ranges_close_when_the_block_raises():
    with pytest.raises(ValueError):
        with profile() as prof:
            with record_function("failing"):
                ember.ones(2) + 1
                raise ValueError("boom")
    assert dispatch.tls.modes == ()
    ev = {e.name: e for e in prof.events()}
    assert ev["aten::add"].cpu_parent is ev["failing"]


def test_one_profile_at_a_time_and_results_need_a_run():
    p = profile()
    with pytest.raises(AssertionError, match="has not recorded"):
        p.key_averages()
    with profile():
        with pytest.raises(RuntimeError, match="already enabled"):
            profile().__enter__()
    assert dispatch.tls.modes == ()


def test_record_function_decorator_and_device_activity_warning():
    @record_function("helper")
    def helper(t):
        return t * 2

    with pytest.warns(UserWarning, match="CPU activity only"):
        with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
            helper(ember.ones(2))
    ev = {e.name: e for e in prof.events()}
    assert ev["aten::mul"].cpu_parent is ev["helper"]
    assert ember.profiler.supported_activities() == {ProfilerActivity.CPU}


def test_autograd_profiler_aliases():
    from ember.autograd import profiler as ap

    x = ember.randn(3, requires_grad=True)
    with ap.profile(record_shapes=True) as prof:
        with ap.record_function("blk"):
            (x * x).sum().backward()
    names = [e.name for e in prof.function_events]
    assert "blk" in names and "MulBackward0" in names
    assert "Name" in prof.table(sort_by="cpu_time_total", row_limit=3)
    assert prof.total_average().count == len(names)
    off = ap.profile(enabled=False)
    with off:
        x * 2
    with pytest.raises(RuntimeError, match="didn't finish running"):
        _ = off.function_events
    assert ap.record_function is record_function


def test_public_calls_nest_their_ops():
    """A function made public with ``dispatch.public`` is one range with its ops inside; the
    Function behind a public call of the same name is not a second range."""

    @dispatch.public
    def linear(x, w):
        return ember.mm(x, w.t())

    @dispatch.public
    def mul(a, b):
        return ember.mul(a, b)

    x = ember.randn(2, 3)
    w = ember.randn(4, 3, requires_grad=True)
    with profile() as prof:
        linear(x, w)
        mul(x, 2.0)
    evs = prof.events()
    lin = next(e for e in evs if e.name == "aten::linear")
    assert [c.name for c in lin.cpu_children] == ["aten::t", "aten::mm"]
    assert [e.name for e in evs].count("aten::mul") == 1
    assert dispatch.tls.modes == ()


def test_flops_as_pytorch_counts_them():
    def run(lib):
        lib.manual_seed(0)
        a, b, x = lib.ones(4, 8), lib.ones(8, 16), lib.ones(3, 5)
        lin, conv = lib.nn.Linear(8, 16), lib.nn.Conv2d(3, 6, 3)
        with lib.profiler.profile(with_flops=True) as prof:
            a @ b
            x * x
            x + x
            lin(a)
            conv(lib.ones(2, 3, 10, 10))
            lib.bmm(lib.ones(2, 4, 8), lib.ones(2, 8, 3))
        return prof

    prof = run(ember)
    flops = {r.key: r.flops for r in prof.key_averages() if r.flops}
    assert flops == {"aten::matmul": 1024, "aten::mul": 15, "aten::add": 15,
                     "aten::addmm": 1024, "aten::convolution": 2 * (2 * 6 * 8 * 8) * 27,
                     "aten::bmm": 384}
    table = prof.key_averages().table(sort_by="flops", row_limit=3)
    assert _header(table)[-1] == "Total FLOPs" and "41472.000" in table  # scaled by the least
    torch = pytest.importorskip("torch", reason="PyTorch not installed: no oracle to compare")
    theirs = sum(r.flops for r in run(torch).key_averages())
    assert sum(flops.values()) == theirs
