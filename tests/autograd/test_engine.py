"""The engine, hooks, grad modes and the errors users meet most (issue: the autograd core)."""

import gc
import threading
import weakref

import numpy as np
import pytest
from oracle import T, assert_close, check_error, custom_function, leaf, raises, same, torch

import ember


def t64(values, rg=True):
    return ember.tensor(values, dtype=ember.float64, requires_grad=rg)


# ------------------------------------------------------------------------------ accumulation
def test_leaf_grads_accumulate_and_non_leaves_do_not_keep_theirs():
    x = t64([1.0, -2.0, 3.0])
    y = x * x
    y.sum().backward()
    y2 = x * 3
    y2.sum().backward()
    assert x.grad.tolist() == [5.0, -1.0, 9.0]
    with pytest.warns(UserWarning, match="is not a leaf Tensor"):
        assert y.grad is None
    assert x.is_leaf and not y.is_leaf
    assert y.grad_fn.name() == "MulBackward0"


def test_retain_grad_and_retains_grad():
    x = t64([1.0, 2.0])
    y = x * 2
    y.retain_grad()
    assert y.retains_grad
    (y * y).sum().backward()
    assert y.grad.tolist() == [4.0, 8.0]
    assert x.grad.tolist() == [8.0, 16.0]


def test_next_functions_and_accumulate_grad():
    a = t64([1.0])
    b = t64([2.0])
    c = a * b + 1
    fn = c.grad_fn
    assert type(fn).__name__ == "AddBackward0"
    mul, _ = fn.next_functions[0]
    assert type(mul).__name__ == "MulBackward0"
    assert fn.next_functions[1] == (None, 0)
    acc_a, _ = mul.next_functions[0]
    assert type(acc_a).__name__ == "AccumulateGrad"
    assert acc_a.variable is a
    assert mul.next_functions[0][0] is (a * 1).grad_fn.next_functions[0][0]  # cached per leaf


def test_broadcast_gradient_reduced_by_engine_also_for_custom_functions():
    # the gradient for y is not reduced: the engine sums it down to y's shape
    BroadcastAdd = custom_function("BroadcastAdd", lambda x, y: x + y, lambda g: (g, g))

    x = t64(np.ones((2, 3)))
    y = t64(np.ones(3))
    BroadcastAdd.apply(x, y).sum().backward()
    assert y.grad.tolist() == [2.0, 2.0, 2.0]


def test_backward_inputs_argument_limits_accumulation():
    a, b = t64([1.0]), t64([2.0])
    (a * b).sum().backward(inputs=[a])
    assert a.grad.tolist() == [2.0] and b.grad is None
    c = a * 3
    (c * b).sum().backward(inputs=[c])
    assert c.grad.tolist() == [2.0]


def test_autograd_grad_does_not_touch_dot_grad_and_allow_unused():
    a, b = t64([1.0, 2.0]), t64([3.0])
    (ga,) = ember.autograd.grad((a * a).sum(), a)
    assert ga.tolist() == [2.0, 4.0] and a.grad is None
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        ember.autograd.grad((a * 2).sum(), [a, b])
    ga, gb = ember.autograd.grad((a * 2).sum(), [a, b], allow_unused=True)
    assert gb is None
    ga, gb = ember.autograd.grad((a * 2).sum(), [a, b], materialize_grads=True)
    assert gb.tolist() == [0.0]


def test_grad_with_grad_outputs_and_non_leaf_input():
    x = t64([1.0, 2.0, 3.0])
    y = x * 2
    z = y ** 2
    (gy,) = ember.autograd.grad(z, y, grad_outputs=ember.ones(3, dtype=ember.float64))
    assert gy.tolist() == [4.0, 8.0, 12.0]


def test_create_graph_higher_order():
    x = t64([2.0])
    (g1,) = ember.autograd.grad(x ** 4, x, create_graph=True)
    (g2,) = ember.autograd.grad(g1, x, create_graph=True)
    (g3,) = ember.autograd.grad(g2, x)
    assert (g1.item(), g2.item(), g3.item()) == (32.0, 48.0, 48.0)
    y = t64([1.5])
    (gy,) = ember.autograd.grad((y.tanh() * y.exp()).sum(), y, create_graph=True)
    gy.backward()
    if torch is not None:
        ty = torch.tensor([1.5], dtype=torch.float64, requires_grad=True)
        (tg,) = torch.autograd.grad((ty.tanh() * ty.exp()).sum(), ty, create_graph=True)
        tg.backward()
        assert_close(y.grad.numpy(), ty.grad.numpy())


def test_million_op_chain_has_no_recursion_error():
    x = ember.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(1_000_000):
        y = y * 1.0
    y.sum().backward()
    assert x.grad.tolist() == [1.0]


# ------------------------------------------------------------------------------ hooks
def test_tensor_hooks_fire_in_order_and_can_replace_the_gradient():
    calls = []
    x = t64([1.0, 2.0])
    y = x * 2
    h1 = y.register_hook(lambda g: calls.append(("y1", g.tolist())))
    y.register_hook(lambda g: g * 10)
    x.register_hook(lambda g: calls.append(("x", g.tolist())))
    y.sum().backward()
    assert calls == [("y1", [1.0, 1.0]), ("x", [20.0, 20.0])]
    assert x.grad.tolist() == [20.0, 20.0]
    h1.remove()
    calls.clear()
    x.grad = None
    y2 = x * 2
    y2.sum().backward()
    assert calls == [("x", [2.0, 2.0])]


def test_post_accumulate_grad_hook_and_node_hooks():
    seen = []
    x = t64([1.0, 2.0])
    x.register_post_accumulate_grad_hook(lambda t: seen.append(("post", t.grad.tolist())))
    y = x * 3
    y.grad_fn.register_prehook(lambda go: seen.append(("pre", go[0].tolist())))
    y.grad_fn.register_hook(lambda gi, go: seen.append(("hook", gi[0].tolist())))
    y.sum().backward()
    assert seen == [("pre", [1.0, 1.0]), ("hook", [3.0, 3.0]), ("post", [3.0, 3.0])]
    with pytest.raises(RuntimeError, match="post accumulate grad hooks cannot be registered on "
                                           "non-leaf tensors"):
        y.register_post_accumulate_grad_hook(lambda t: None)
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        ember.zeros(2).register_hook(lambda g: g)


def test_handle_as_context_manager():
    x = t64([1.0])
    with x.register_hook(lambda g: g * 0):
        (x * 1).sum().backward()
    assert x.grad.tolist() == [0.0]
    (x * 1).sum().backward()
    assert x.grad.tolist() == [1.0]


# ------------------------------------------------------------------------------ grad modes
def test_no_grad_enable_grad_set_grad_enabled_inference_mode():
    x = t64([1.0])
    with ember.no_grad():
        assert not (x * 2).requires_grad
        with ember.enable_grad():
            assert (x * 2).requires_grad
    with ember.set_grad_enabled(False):
        assert not ember.is_grad_enabled()
    assert ember.is_grad_enabled()
    ember.set_grad_enabled(False)
    assert not ember.is_grad_enabled()
    ember.set_grad_enabled(True)
    with ember.inference_mode():
        assert not (x * 2).requires_grad

    @ember.no_grad()
    def f(t):
        return t * 2

    @ember.inference_mode
    def g(t):
        return t * 2

    assert not f(x).requires_grad and not g(x).requires_grad


def test_grad_mode_is_thread_local():
    result = {}

    def worker():
        result["enabled"] = ember.is_grad_enabled()

    with ember.no_grad():
        th = threading.Thread(target=worker)
        th.start()
        th.join()
    assert result["enabled"] is True


# ------------------------------------------------------------------------------ memory
def test_saved_tensors_are_released_after_backward():
    x = t64(np.ones(1000))
    y = x.exp()  # ExpBackward saves its output
    z = y * x  # MulBackward saves y and x
    ref = weakref.ref(y)
    loss = z.sum()
    del y, z
    gc.collect()
    assert ref() is not None  # kept alive by the graph's saved tensors
    loss.backward()
    gc.collect()
    assert ref() is None


def test_graph_freed_error_only_when_saved_tensors_are_needed():
    x = t64([1.0, 2.0])
    y = (x + 1).sum()  # nodes that save no tensors
    y.backward()
    y.backward()  # allowed, as in PyTorch
    z = (x * x).sum()
    z.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        z.backward()
    w = (x * x).sum()
    w.backward(retain_graph=True)
    w.backward()


# ------------------------------------------------------------------------------ errors
def test_errors_users_meet_most():
    check_error(lambda L: L.tensor([1.0, 2.0]).sum().backward(),
                lambda L: L.tensor([1.0, 2.0]).sum().backward(),
                RuntimeError, "does not require grad and does not have a grad_fn")
    check_error(lambda L: (L.tensor([1.0, 2.0], requires_grad=True) * 2).backward(),
                lambda L: (L.tensor([1.0, 2.0], requires_grad=True) * 2).backward(),
                RuntimeError, "grad can be implicitly created only for scalar outputs")

    def leaf_inplace(L):
        a = L.tensor([1.0], requires_grad=True)
        a.add_(1)

    check_error(leaf_inplace, leaf_inplace, RuntimeError,
                "a leaf Variable that requires grad is being used in an in-place operation.")

    def saved_modified(L):
        a = L.tensor([1.0, 2.0], requires_grad=True)
        b = a * 2
        c = b * b
        b.add_(1)
        c.sum().backward()

    check_error(saved_modified, saved_modified, RuntimeError,
                "modified by an inplace operation")

    def wrong_grad_shape(L):
        a = L.tensor([1.0, 2.0], requires_grad=True)
        (a * 2).backward(L.ones(3))

    check_error(wrong_grad_shape, wrong_grad_shape, RuntimeError, "Mismatch in shape")

    def numpy_requires_grad(L):
        L.tensor([1.0], requires_grad=True).numpy()

    check_error(numpy_requires_grad, numpy_requires_grad, RuntimeError,
                "Can't call numpy() on Tensor that requires grad")

    def int_requires_grad(L):
        L.tensor([1, 2], requires_grad=True)

    check_error(int_requires_grad, int_requires_grad, RuntimeError,
                "Only Tensors of floating point and complex dtype can require gradients")

    def broadcast(L):
        L.zeros(3) + L.zeros(4)

    check_error(broadcast, broadcast, RuntimeError,
                "The size of tensor a (3) must match the size of tensor b (4) at non-singleton "
                "dimension 0")

    def mm_shapes(L):
        L.zeros(2, 3).mm(L.zeros(4, 5))

    check_error(mm_shapes, mm_shapes, RuntimeError,
                "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)")

    def non_leaf_requires_grad_false(L):
        a = L.tensor([1.0], requires_grad=True)
        (a * 2).requires_grad_(False)

    check_error(non_leaf_requires_grad_false, non_leaf_requires_grad_false, RuntimeError,
                "you can only change requires_grad flags of leaf variables")

    def index_out_of_range(L):
        L.zeros(3)[5]

    check_error(index_out_of_range, index_out_of_range, IndexError,
                "index 5 is out of bounds for dimension 0 with size 3")

    def inplace_cast(L):
        L.tensor([1, 2]).add_(1.5)

    check_error(inplace_cast, inplace_cast, RuntimeError,
                "result type Float can't be cast to the desired output type Long")


def test_item_and_scalar_conversions():
    with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted to "
                                           "Scalar"):
        ember.tensor([1.0, 2.0]).item()
    assert float(ember.tensor(2.5)) == 2.5
    assert int(ember.tensor([3])) == 3
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value is "
                                           "ambiguous"):
        bool(ember.tensor([1.0, 2.0]))


# ---- programs run on ember and PyTorch; `same(fn, expected)` also states PyTorch's answer
def test_grad_requiring_grad_keeps_it_on_accumulation():
    def fn(t):
        x = leaf(t, [1.0, 2.0])
        x.grad = t.zeros(2, requires_grad=True)
        (x * 2).sum().backward()
        return x.grad

    same(fn, T([2.0, 2.0], rg=True))


def test_backward_and_grad_options():
    def fn(t):
        x, y = leaf(t, [1.0, 2.0]), leaf(t, [3.0, 4.0])
        z = (x * y).sum()
        z.backward(inputs=[x], retain_graph=True)
        r = [x.grad, y.grad]
        r += list(t.autograd.grad(z, [x, y], retain_graph=True))
        r += list(t.autograd.grad((x * 2).sum(), [x, y], allow_unused=True))
        r += list(t.autograd.grad((x * 2).sum(), [x, y], allow_unused=True, materialize_grads=True))
        q = x * x
        r += list(t.autograd.grad(q, x, grad_outputs=t.tensor([1.0, 0.5])))
        (g,) = t.autograd.grad((x**3).sum(), x, create_graph=True)
        (g2,) = t.autograd.grad(g.sum(), x)
        r += [g, g2]
        return r

    same(
        fn,
        [
            T([3.0, 4.0]),
            None,
            T([3.0, 4.0]),
            T([1.0, 2.0]),
            T([2.0, 2.0]),
            None,
            T([2.0, 2.0]),
            T([0.0, 0.0]),
            T([2.0, 2.0]),
            T([3.0, 12.0], rg=True),
            T([6.0, 12.0]),
        ],
    )


def test_backward_errors():
    def twice(t):
        y = (leaf(t, [1.0]) ** 2).sum()
        y.backward()
        y.backward()

    raises(twice, RuntimeError, "Trying to backward through the graph a second time")
    raises(
        lambda t: (leaf(t, [1.0, 2.0]) * 2).backward(),
        RuntimeError,
        "grad can be implicitly created only for scalar outputs",
    )
    raises(
        lambda t: t.tensor([1.0]).sum().backward(),
        RuntimeError,
        "element 0 of tensors does not require grad and does not have a grad_fn",
    )
    raises(
        lambda t: t.autograd.grad((leaf(t, [1.0]) * 2).sum(), leaf(t, [1.0])),
        RuntimeError,
        "appears to not have been used in the graph",
    )
    raises(
        lambda t: t.tensor([1, 2], requires_grad=True),
        RuntimeError,
        "Only Tensors of floating point and complex dtype can require gradients",
    )


def test_assign_bad_grad_message():
    raises(
        lambda t: setattr(leaf(t, [1.0, 2.0]), "grad", t.ones(3)),
        RuntimeError,
        "attempting to assign a gradient of size",
    )
    raises(
        lambda t: setattr(leaf(t, [1.0, 2.0]), "grad", t.ones(2, dtype=t.float64)),
        RuntimeError,
        "attempting to assign a gradient with dtype",
    )


def test_hook_returning_non_tensor():
    def fn(t):
        x = leaf(t, [1.0, 2.0])
        x.register_hook(lambda g: 5)
        (x * 2).sum().backward()

    raises(fn, TypeError, "expected Variable, but hook returned 'int'")


def test_hook_changing_size_raises():
    def fn(t):
        x = leaf(t, [1.0, 2.0])
        x.register_hook(lambda g: g.sum())
        (x * 2).sum().backward()

    raises(fn, RuntimeError, "hook '<lambda>' has changed the size of value")


def test_node_hook_wrong_count_raises():
    def fn(t):
        x = leaf(t, [1.0, 2.0])
        y = x * 2
        y.grad_fn.register_hook(lambda gi, go: (gi[0] * 5,))
        y.sum().backward()

    raises(fn, RuntimeError, "has returned an incorrect number of values (got 1, but expected 2)")


def test_hooks_fire_in_pytorch_order():
    def fn(t):
        log = []
        x = leaf(t, [1.0, 2.0])
        x.register_hook(lambda g: log.append(("x", g.tolist())))
        x.register_post_accumulate_grad_hook(lambda p: log.append(("post", p.grad.tolist())))
        y = x * 2
        y.register_hook(lambda g: log.append(("y", g.tolist())) or g * 10)
        y.retain_grad()
        y.grad_fn.register_prehook(lambda go: log.append(("pre", go[0].tolist())))
        y.grad_fn.register_hook(lambda gi, go: log.append(("node", gi[0].tolist())))
        a, b = y * 1, y * 2
        a.register_hook(lambda g: log.append("a"))
        b.register_hook(lambda g: log.append("b"))
        (a + b).sum().backward()
        h = x.register_hook(lambda g: g * 100)
        h.remove()
        (x * 1).sum().backward()
        return [log, y.grad, x.grad]

    same(
        fn,
        [
            [
                "b",
                "a",
                ("y", [3.0, 3.0]),
                ("pre", [30.0, 30.0]),
                ("node", [60.0, 60.0]),
                ("x", [60.0, 60.0]),
                ("post", [60.0, 60.0]),
                ("x", [1.0, 1.0]),
                ("post", [61.0, 61.0]),
            ],
            T([30.0, 30.0]),
            T([61.0, 61.0]),
        ],
    )


def test_hook_changing_dtype_raises():
    def fn(t):
        x = leaf(t, [1.0, 2.0])
        y = x * 2
        y.register_hook(lambda g: g.double())
        y.sum().backward()

    raises(fn, RuntimeError, "has changed the type of value (was torch.FloatTensor got "
           "torch.DoubleTensor)")
