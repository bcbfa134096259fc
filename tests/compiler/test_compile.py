"""ember.compile: replayed calls give exactly eager's results, guards fall back to eager, and
what cannot be replayed is detected (and said) instead of guessed."""

import warnings

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.compiler import CompiledFunction, OptimizedModule, compile


def mlp(seed=0):
    ember.manual_seed(seed)
    return ember.nn.Sequential(ember.nn.Linear(12, 16), ember.nn.ReLU(), ember.nn.Linear(16, 5))


def batches(n, batch=8, seed=0):
    rng = np.random.default_rng(seed)
    return [(ember.tensor(rng.standard_normal((batch, 12)).astype(np.float32)),
             ember.tensor(rng.integers(0, 5, batch))) for _ in range(n)]


def make_step(model, opt, zero_first=True):
    def step(x, y):
        if zero_first:  # (False: the gradients accumulate across steps)
            opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def state_of(model):
    return [p._data.copy() for p in model.parameters()]


def run_side_by_side(eager, comp, data, steps, models):
    """``steps`` calls of the eager and the compiled step on the same batches (no fallback to
    eager allowed), the same loss each time, the same parameters at the end."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback to eager
        for i in range(steps):
            a, b = eager(*data[i % len(data)]), comp(*data[i % len(data)])
            assert np.array_equal(a._data, b._data), i
    for p, q in zip(*(m.parameters() for m in models)):
        assert np.array_equal(p._data, q._data)


def test_training_step_replays_bit_for_bit():
    m1, m2 = mlp(), mlp()
    o1 = ember.optim.SGD(m1.parameters(), lr=0.1, momentum=0.9)
    o2 = ember.optim.SGD(m2.parameters(), lr=0.1, momentum=0.9)
    eager, comp = make_step(m1, o1), compile(make_step(m2, o2))
    assert isinstance(comp, CompiledFunction)
    data = batches(4)
    for i in range(10):
        a, b = eager(*data[i % 4]), comp(*data[i % 4])
        assert np.array_equal(a._data, b._data), i
        assert b.shape == a.shape and b.dtype == a.dtype
    for p, q in zip(m1.parameters(), m2.parameters()):
        assert np.array_equal(p._data, q._data)
        assert np.array_equal(p.grad._data, q.grad._data)
    assert "replaying" in comp.explain()
    (prog,) = comp.programs
    assert "matmul" in prog.source or "c" in prog.source
    # replayed steps make new .grad tensors, as eager backward after zero_grad does
    g = m2[0].weight.grad
    comp(*data[0])
    assert m2[0].weight.grad is not g


def test_replay_is_used_and_skips_the_graph():
    m = mlp()
    opt = ember.optim.SGD(m.parameters(), lr=0.1)
    comp = compile(make_step(m, opt))
    data = batches(2)
    for i in range(4):
        comp(*data[i % 2])
    out = comp(*data[0])
    assert out.grad_fn is None and not out.requires_grad  # documented difference
    assert list(comp.entries.values())[-1].trusted


def test_new_shape_is_a_new_guard_key():
    m1, m2 = mlp(), mlp()
    o1 = ember.optim.SGD(m1.parameters(), lr=0.05)
    o2 = ember.optim.SGD(m2.parameters(), lr=0.05)
    eager, comp = make_step(m1, o1), compile(make_step(m2, o2))
    small, big = batches(3, batch=4), batches(3, batch=9, seed=1)
    for i in range(9):
        batch = (small if i % 2 else big)[i % 3]
        assert np.array_equal(eager(*batch)._data, comp(*batch)._data)
    assert len(comp.entries) >= 3
    assert all(np.array_equal(a, b) for a, b in zip(state_of(m1), state_of(m2)))


def test_hyperparameter_change_is_guarded():
    m1, m2 = mlp(), mlp()
    o1 = ember.optim.SGD(m1.parameters(), lr=0.1)
    o2 = ember.optim.SGD(m2.parameters(), lr=0.1)
    eager, comp = make_step(m1, o1), compile(make_step(m2, o2))
    data = batches(2)
    for i in range(8):
        if i == 5:  # an lr scheduler's change must not be missed
            o1.param_groups[0]["lr"] = o2.param_groups[0]["lr"] = 0.01
        eager(*data[i % 2])
        comp(*data[i % 2])
    assert all(np.array_equal(a, b) for a, b in zip(state_of(m1), state_of(m2)))


def test_module_forward_under_no_grad():
    m = mlp()
    cm = compile(m)
    assert isinstance(cm, OptimizedModule) and cm._orig_mod is m
    assert isinstance(cm, ember.nn.Module) and len(list(cm.parameters())) == 4
    assert next(iter(cm.state_dict())) == "_orig_mod.0.weight"  # PyTorch's keys
    assert cm.training is m.training
    with ember.no_grad():
        for x, _ in batches(5):
            assert np.array_equal(cm(x)._data, m(x)._data)
    assert "replaying" in cm._compiled.explain()


def test_output_that_needs_autograd_stays_eager():
    m = mlp()
    cm = compile(m)
    x = batches(1)[0][0]
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        for _ in range(3):
            out = cm(x)
            out.sum().backward()  # works: the call ran eagerly
    assert out.grad_fn is not None
    assert any("requires grad" in str(x.message) for x in w)


def test_data_dependent_branch_is_guarded():
    def f(x):
        if x.sum() > 0:
            return x * 2
        return x * 3

    cf = compile(f, )
    xs = [ember.tensor([1.0, 2.0]), ember.tensor([3.0, 1.0]), ember.tensor([-5.0, 1.0])]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(9):
            x = xs[i % 3] if i < 6 else xs[0]
            assert np.array_equal(cf(x)._data, f(x)._data), i


def test_item_read_is_recomputed():
    w = ember.tensor([0.5, -1.0, 2.0])

    def f(x):
        s = (x * w).sum().item()
        return x * (s + 1.0)

    cf = compile(f)
    rng = np.random.default_rng(0)
    for _ in range(6):
        x = ember.tensor(rng.standard_normal(3).astype(np.float32))
        assert np.array_equal(cf(x)._data, f(x)._data)
    assert "replaying" in cf.explain()


def test_random_draws_are_detected():
    ember.manual_seed(0)
    lin = ember.nn.Linear(6, 6)
    drop = ember.nn.Dropout(0.5)

    def f(x):
        with ember.no_grad():
            return drop(lin(x))

    cf = compile(f)
    x = ember.ones(4, 6)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        for _ in range(5):
            ember.manual_seed(1)
            out = cf(x)
            ember.manual_seed(1)
            assert np.array_equal(out._data, f(x)._data)
    assert "eager" in cf.explain()


def test_fullgraph_raises_when_it_cannot_replay():
    def f(x):
        return x * float(x.sum().exp())  # a Python float from the data, used as a constant

    cf = compile(f, fullgraph=True)
    xs = [ember.tensor([1.0]), ember.tensor([2.0]), ember.tensor([3.0])]
    cf(xs[0])
    cf(xs[1])  # captured (with a guard on the value)
    with pytest.raises(RuntimeError, match="fullgraph"):
        for x in xs * 2:
            cf(x)


def test_compile_forms():
    def f(x):
        return x + 1

    assert compile(f, disable=True) is f
    deco = compile(mode="max-autotune")
    g = deco(f)
    assert isinstance(g, CompiledFunction)
    assert np.array_equal(g(ember.ones(2))._data, np.full(2, 2.0, np.float32))
    with pytest.raises(RuntimeError, match="callable"):
        compile(3)

    @compile
    def h(x):
        return x * x

    assert np.array_equal(h(ember.full((2,), 3.0))._data, np.full(2, 9.0, np.float32))


def test_version_counters_advance_as_in_eager():
    m = mlp()
    opt = ember.optim.SGD(m.parameters(), lr=0.1)
    comp = compile(make_step(m, opt))
    data = batches(1)
    p = m[0].weight
    for _ in range(4):
        comp(*data[0])
    v = p._version
    comp(*data[0])  # replayed
    assert p._version == v + 1


def test_keys_that_keep_changing_stop_being_captured():
    def f(x):
        return x * 2

    cf = compile(f)
    with pytest.warns(UserWarning, match="guard key changes at every call"):
        for n in range(1, 13):
            assert np.array_equal(cf(ember.ones(n))._data, np.full(n, 2.0, np.float32))
    # the first call warms up, two keys are captured and never seen again: no more captures
    assert len(cf.entries) == 3


def test_more_keys_than_the_cache_holds_run_eagerly():
    def f(x):
        return x * 2

    cf = compile(f)
    with pytest.warns(UserWarning, match="more than 8 guard keys"):
        for n in range(1, 11):  # each key three times: warm-up or capture, check, replay
            for _ in range(3):
                assert np.array_equal(cf(ember.ones(n))._data, np.full(n, 2.0, np.float32))
    assert len(cf.entries) == 8
    assert all(e.trusted for e in cf.entries.values())


def test_a_function_whose_captures_keep_failing_stays_eager():
    def f(x):
        return x * sum(x.tolist())  # data read into a Python list: not replayable

    cf = compile(f)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for n in range(1, 12):  # a new shape each call: a new key each call
            x = ember.arange(float(n))
            assert np.array_equal(cf(x)._data, f(x)._data)
    # the first call warms up, two captures fail; later keys are neither captured nor kept
    assert cf.failures == 2 and len(cf.entries) == 3


def test_conv_pool_step_replays_bit_for_bit():
    def net(seed):
        ember.manual_seed(seed)
        return ember.nn.Sequential(ember.nn.Conv2d(1, 4, 3, padding=1), ember.nn.ReLU(),
                                   ember.nn.MaxPool2d(2), ember.nn.Flatten(),
                                   ember.nn.Linear(4 * 4 * 4, 3))

    m1, m2 = net(0), net(0)
    o1 = ember.optim.SGD(m1.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
    o2 = ember.optim.SGD(m2.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
    eager, comp = make_step(m1, o1), compile(make_step(m2, o2))
    rng = np.random.default_rng(3)
    data = [(ember.tensor(rng.standard_normal((5, 1, 8, 8)).astype(np.float32)),
             ember.tensor(rng.integers(0, 3, 5))) for _ in range(3)]
    for i in range(7):
        assert np.array_equal(eager(*data[i % 3])._data, comp(*data[i % 3])._data), i
    assert all(np.array_equal(a, b) for a, b in zip(state_of(m1), state_of(m2)))
    assert "replaying" in comp.explain()


@pytest.mark.parametrize("clip", [None, 0.05, 100.0])
def test_adamw_step_with_clipping_replays_bit_for_bit(clip):
    # Adam's step count is read as a traced scalar (not a guard), and clip_grad_norm_ has no
    # branch on the norm: the step replays whether or not the gradients get clipped
    m1, m2 = mlp(), mlp()
    o1 = ember.optim.AdamW(m1.parameters(), lr=0.01, betas=(0.9, 0.95), weight_decay=0.1)
    o2 = ember.optim.AdamW(m2.parameters(), lr=0.01, betas=(0.9, 0.95), weight_decay=0.1)

    def make(model, opt):
        def step(x, y):
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            if clip is not None:
                ember.nn.utils.clip_grad_norm_(model.parameters(), clip)
            opt.step()
            opt.zero_grad(set_to_none=True)
            return loss

        return step

    eager, comp = make(m1, o1), compile(make(m2, o2))
    run_side_by_side(eager, comp, batches(4), 9, (m1, m2))
    for st1, st2 in zip(o1.state.values(), o2.state.values()):
        for k in st1:
            assert np.array_equal(st1[k]._data, st2[k]._data), k
    (entry,) = [e for e in comp.entries.values() if e.program is not None]
    assert entry.trusted and entry.calls >= 5


def test_gathers_along_an_axis_replay_bit_for_bit():
    # take_along_axis / put_along_axis are recorded as their fancy index (the aranges of the
    # other axes made once): cross-entropy with class weights (axis 1), a median (axis -1)
    rng = np.random.default_rng(3)
    w = ember.tensor(rng.random(4).astype(np.float32))

    def make(lin):
        def step(x, y):
            z = lin(x)
            loss = F.cross_entropy(z, y, weight=w) + lin.weight.median(dim=-1).values.sum()
            loss.backward()
            return loss, lin.weight.grad.clone()

        return step

    ember.manual_seed(0)
    l1 = ember.nn.Linear(6, 4)
    ember.manual_seed(0)
    l2 = ember.nn.Linear(6, 4)
    eager, comp = make(l1), compile(make(l2))
    data = [(ember.tensor(rng.standard_normal((5, 6)).astype(np.float32)),
             ember.tensor(rng.integers(0, 4, 5))) for _ in range(3)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for i in range(7):
            l1.zero_grad(), l2.zero_grad()
            (a, ga), (b, gb) = eager(*data[i % 3]), comp(*data[i % 3])
            assert np.array_equal(a._data, b._data) and np.array_equal(ga._data, gb._data), i
    (prog,) = comp.programs
    along = [i.fn.__qualname__ for i in prog.instrs
             if getattr(i.fn, "__module__", "") == "ember.compiler.tracer"]
    assert "take_along_axis" in along and "put_along_axis" in along, along


@pytest.mark.parametrize("zero_first", [True, False])
def test_replaced_grads_are_released_not_reused(zero_first):
    # replay drops the .grad tensors it replaces once no guard can stop it (their memory is
    # free for the new ones); a .grad the user kept is never written; a step that accumulates
    # into the .grad (no zero_grad) replays too: its in-place adds move after the last guard
    m1, m2 = mlp(), mlp()
    o1 = ember.optim.SGD(m1.parameters(), lr=0.05, momentum=0.9)
    o2 = ember.optim.SGD(m2.parameters(), lr=0.05, momentum=0.9)

    eager = make_step(m1, o1, zero_first)
    comp = compile(make_step(m2, o2, zero_first))
    data = batches(3)
    kept = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for i in range(8):
            a, b = eager(*data[i % 3]), comp(*data[i % 3])
            assert np.array_equal(a._data, b._data), i
            g = m2[0].weight.grad
            kept.append((g, g._data.copy()))
    if zero_first:
        for g, v in kept:
            assert np.array_equal(g._data, v)
    for p, q in zip(m1.parameters(), m2.parameters()):
        assert np.array_equal(p._data, q._data) and np.array_equal(p.grad._data, q.grad._data)
    assert list(comp.entries.values())[-1].trusted
    # a non-finite gradient fails a guard of the backward: the step runs eagerly, from
    # inputs the replay has not touched
    x = data[0][0].clone()
    x._data[0, 0] = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a, b = eager(x, data[0][1]), comp(x, data[0][1])
    assert np.array_equal(a._data, b._data, equal_nan=True)
    for p, q in zip(m1.parameters(), m2.parameters()):
        assert np.array_equal(p._data, q._data, equal_nan=True)
        assert np.array_equal(p.grad._data, q.grad._data, equal_nan=True)
    # (ReLU's array backward reads whether the gradient is finite: that guard fails and the
    # step runs eagerly. Once the process has seen a __torch_function__ type, the backward
    # takes Tensor ops that read nothing, and the replay runs through the inf as eager does:
    # either way the values above are eager's.)
    from ember.autograd import dispatch

    assert list(comp.entries.values())[-1].guard_failures == (0 if dispatch.busy else 1)


def test_replay_frees_temporaries_as_it_goes():
    # the replayed function deletes each temporary after its last use, as eager frees it:
    # a chain of 12 ops on 1 MB arrays peaks at a few arrays, not twelve
    import tracemalloc

    def chain(x):
        for _ in range(12):
            x = (x * 1.5).sin()
        return x

    comp = compile(chain)
    x = ember.tensor(np.ones((512, 512), np.float32))
    with ember.no_grad():
        for _ in range(4):
            comp(x)
        tracemalloc.start()
        try:
            out = comp(x)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    with ember.no_grad():
        assert np.array_equal(out._data, chain(x)._data)
    assert list(comp.entries.values())[-1].trusted
    assert peak < 5 * x._data.nbytes, peak


def test_embedding_split_layer_norm_step_replays_bit_for_bit():
    """A GPT-like step: embedding (its backward sums rows per distinct token), split, layer
    norm and attention (row sums as BLAS products), bias gradients (column sums): the replay
    runs the same kernels as eager, bit for bit."""
    def model_and_opt():
        ember.manual_seed(0)
        m = ember.nn.ModuleDict({"emb": ember.nn.Embedding(11, 64), "qkv": ember.nn.Linear(64, 192),
                                 "ln": ember.nn.LayerNorm(64), "out": ember.nn.Linear(64, 11)})
        return m, ember.optim.AdamW(m.parameters(), lr=0.01)

    def make(m, opt):
        def step(idx, y):
            h = m["emb"](idx)  # (4, 32, 64): 128 tokens of 11 (large enough for the fast paths)
            q, k, v = m["qkv"](h).split(64, dim=2)
            a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            loss = F.cross_entropy(m["out"](m["ln"](a + h)).view(-1, 11), y.view(-1))
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
            return loss

        return step

    (m1, o1), (m2, o2) = model_and_opt(), model_and_opt()
    eager, comp = make(m1, o1), compile(make(m2, o2))
    rng = np.random.default_rng(0)
    data = [(ember.tensor(rng.integers(0, 11, (4, 32))), ember.tensor(rng.integers(0, 11, (4, 32))))
            for _ in range(3)]
    run_side_by_side(eager, comp, data, 7, (m1, m2))
    assert "replaying" in comp.explain()
