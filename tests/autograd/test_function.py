"""autograd.Function: the whole ctx API, both styles, and every check on what backward returns."""

import pytest
from oracle import T, custom_function, gfn, leaf, raises, run_example, same, torch

import ember
from ember.autograd import Function, once_differentiable


def lib_fn(L):
    """The seed's CustomReLU (examples/seed_custom_relu.py, as written), for either library."""
    return run_example("seed_custom_relu", L)[0]["CustomReLU"]


def test_seed_custom_relu_matches_torch_and_ctx_is_the_node():
    vals = [-2.0, -0.5, 0.0, 1.5, 3.0]
    x = ember.tensor(vals, requires_grad=True)
    R = lib_fn(ember)
    y = R.apply(x)
    assert repr(y.grad_fn).startswith("<torch.autograd.function.CustomReLUBackward object at")
    assert type(y.grad_fn).__name__ == "CustomReLUBackward"
    assert y.grad_fn.saved_tensors[0] is x
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 1.0, 1.0, 1.0]
    assert repr(y) == "tensor([0.0000, 0.0000, 0.0000, 1.5000, 3.0000], " \
                      "grad_fn=<CustomReLUBackward>)"
    if torch is not None:
        tx = torch.tensor(vals, requires_grad=True)
        ty = lib_fn(torch).apply(tx)
        ty.sum().backward()
        assert repr(ty) == repr(y)
        assert tx.grad.tolist() == x.grad.tolist()


def setup_style(L):
    """A new-style Function (forward without ctx; setup_context keeps the factor)."""

    class Setup(L.autograd.Function):
        @staticmethod
        def forward(x, factor=2.0):
            return x * factor

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.factor = inputs[1]

        @staticmethod
        def backward(ctx, g):
            return g * ctx.factor, None

    return Setup


def test_setup_context_style_and_kwargs():
    Scale = setup_style(ember)
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    Scale.apply(x, factor=3.0).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    x.grad = None
    Scale.apply(x).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_multiple_outputs_non_tensor_outputs_and_materialized_grads():
    seen = []

    class Split(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3, "label"

        @staticmethod
        def backward(ctx, ga, gb, glabel):
            seen.append((ga.tolist(), gb.tolist(), glabel))
            return ga * 2 + gb * 3

    x = ember.tensor([1.0, 1.0], requires_grad=True)
    a, b, label = Split.apply(x)
    assert label == "label" and a.grad_fn is b.grad_fn and b.output_nr == 1
    a.sum().backward()  # b unused: its gradient arrives as zeros
    assert seen == [([1.0, 1.0], [0.0, 0.0], None)]
    assert x.grad.tolist() == [2.0, 2.0]


def test_set_materialize_grads_false_gives_none():
    seen = []

    class Two(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 1, x * 1

        @staticmethod
        def backward(ctx, ga, gb):
            seen.append(gb)
            return ga

    x = ember.tensor([1.0], requires_grad=True)
    a, _ = Two.apply(x)
    a.sum().backward()
    assert seen == [None]


def test_needs_input_grad_and_none_saved():
    seen = []

    class F(Function):
        @staticmethod
        def forward(ctx, x, y, k):
            ctx.save_for_backward(x, None)
            return x * y * k

        @staticmethod
        def backward(ctx, g):
            x, nothing = ctx.saved_tensors
            seen.append((ctx.needs_input_grad, nothing))
            return g, None, None

    x = ember.tensor([1.0], requires_grad=True)
    F.apply(x, ember.tensor([2.0]), 3).sum().backward()
    assert seen == [((True, False, False), None)]


def test_mark_dirty_and_leaf_refusal():
    class Triple(Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(3)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 3

    a = ember.tensor([1.0, -2.0], dtype=ember.float64, requires_grad=True)
    b = a * 2 + 1
    c = Triple.apply(b)
    assert c is b and type(c.grad_fn).__name__ == "TripleBackward"
    c.sum().backward()
    assert a.grad.tolist() == [6.0, 6.0]
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        Triple.apply(ember.tensor([1.0], requires_grad=True))


def test_mark_non_differentiable():
    class SortLike(Function):
        @staticmethod
        def forward(ctx, x):
            idx = ember.tensor([1.0, 0.0])
            ctx.mark_non_differentiable(idx)
            return x * 1, idx

        @staticmethod
        def backward(ctx, g, gidx):
            assert gidx.tolist() == [0.0, 0.0]
            return g

    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y, idx = SortLike.apply(x)
    assert y.requires_grad and not idx.requires_grad
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_returning_an_input_gives_a_new_tensor_on_the_node():
    class Ident(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 5

    x = ember.tensor([1.0], requires_grad=True)
    y = Ident.apply(x)
    assert y is not x and y.grad_fn is not None
    y.sum().backward()
    assert x.grad.tolist() == [5.0]


def test_once_differentiable_blocks_double_backward():
    class Sq(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 2 * x

    x = ember.tensor([3.0], requires_grad=True)
    (g,) = ember.autograd.grad(Sq.apply(x).sum(), x, create_graph=True)
    assert g.tolist() == [6.0] and not g.requires_grad  # as PyTorch: nothing to record
    y = Sq.apply(x)
    (g,) = ember.autograd.grad((y * y).sum(), x, create_graph=True)
    assert g.tolist() == [108.0] and type(g.grad_fn).__name__ == "Error"
    with pytest.raises(RuntimeError, match="trying to differentiate twice a function that was "
                                           "marked with @once_differentiable"):
        g.sum().backward()


def test_third_derivative_through_a_custom_function():
    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x ** 2

    x = ember.tensor([2.0], dtype=ember.float64, requires_grad=True)
    (d1,) = ember.autograd.grad(Cube.apply(x), x, create_graph=True)
    (d2,) = ember.autograd.grad(d1, x, create_graph=True)
    (d3,) = ember.autograd.grad(d2, x)
    assert (d1.item(), d2.item(), d3.item()) == (12.0, 12.0, 6.0)
    assert ember.autograd.gradgradcheck(Cube.apply, (x,))


BAD = {
    "count": (lambda g: (g, g), "returned an incorrect number of gradients (expected 1, got 2)"),
    "type": (lambda g: 3, "expected Variable or None (got int)"),
    "shape": (lambda g: g.new_ones(3), "returned an invalid gradient at index 0 - got [3] but "
                                       "expected shape compatible with [2]"),
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_checks_on_what_backward_returns(kind):
    make, phrase = BAD[kind]

    def build(L):
        return custom_function("Wrong", lambda x: x * 2, make, L)

    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError) as info:
        build(ember).apply(x).sum().backward()
    assert phrase in str(info.value)
    if torch is not None:
        tx = torch.tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError) as tinfo:
            build(torch).apply(tx).sum().backward()
        assert phrase.split(" (")[0].split(" - ")[0] in str(tinfo.value)


def test_gradient_for_a_non_tensor_input_is_an_error():
    class H(Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g, g

    with pytest.raises(RuntimeError, match="returned a gradient different than None at position "
                                           "2, but the corresponding forward input was not a "
                                           "Variable"):
        H.apply(ember.tensor([1.0], requires_grad=True), 2).sum().backward()


def test_trailing_nones_beyond_inputs_are_allowed():
    class F(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2, None, None

    x = ember.tensor([1.0], requires_grad=True)
    F.apply(x).sum().backward()
    assert x.grad.tolist() == [2.0]


def test_saved_tensor_modified_in_place_is_detected_for_custom_functions():
    R = lib_fn(ember)
    a = ember.tensor([1.0, -1.0], requires_grad=True)
    b = a * 1
    y = R.apply(b)
    b.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_no_grad_apply_gives_plain_outputs():
    R = lib_fn(ember)
    with ember.no_grad():
        y = R.apply(ember.tensor([1.0], requires_grad=True))
    assert y.grad_fn is None and not y.requires_grad
    z = R.apply(ember.tensor([-1.0, 1.0]))
    assert z.grad_fn is None and z.tolist() == [0.0, 1.0]


def test_legacy_call_is_refused():
    with pytest.warns(DeprecationWarning, match="should not be instantiated"), \
            pytest.raises(RuntimeError, match="Legacy autograd function with non-static forward"):
        lib_fn(ember)()(ember.tensor([1.0]))


def test_forward_runs_without_recording():
    seen = []

    class F(Function):
        @staticmethod
        def forward(ctx, x):
            seen.append(ember.is_grad_enabled())
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g

    F.apply(ember.tensor([1.0], requires_grad=True))
    assert seen == [False]


# ---- programs run on ember and PyTorch; `same(fn, expected)` also states PyTorch's answer
def test_once_differentiable_result_is_not_differentiable():
    def fn(t):
        from importlib import import_module

        once = import_module(t.__name__ + ".autograd.function").once_differentiable
        seen = []

        class Sq(t.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x**2

            @staticmethod
            @once
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                seen.append(t.is_grad_enabled())
                return 2 * x * g

        x = leaf(t, [1.0, 3.0])
        (g,) = t.autograd.grad(Sq.apply(x).sum(), x, create_graph=True)
        return [g, seen]

    same(fn, [T([2.0, 6.0]), [False]])


def test_mark_dirty_on_view_updates_base():
    def fn(t):
        class Double_(t.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.mark_dirty(x)
                return x.mul_(2)

            @staticmethod
            def backward(ctx, g):
                return g * 2

        x = leaf(t, [1.0, 3.0])
        z = x * 1
        Double_.apply(z[1:])
        z.sum().backward()
        return [z, x.grad, gfn(z)]

    same(fn, [T([1.0, 6.0], rg=True), T([1.0, 2.0]), "CopySlices"])


def test_mark_dirty_version():
    def fn(t):
        class AddOne_(t.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.mark_dirty(x)
                x.add_(1)
                return x

            @staticmethod
            def backward(ctx, g):
                return g

        y = leaf(t, [1.0, 2.0]).clone()
        z = AddOne_.apply(y)
        return [z is y, y._version]

    same(fn, [True, 2])


def test_custom_function_view_output_modified_raises():
    def fn(t):
        class Ident(t.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x.view_as(x)

            @staticmethod
            def backward(ctx, g):
                return g

        z = Ident.apply(leaf(t, [1.0, 2.0]) * 1)
        z.mul_(2)

    raises(fn, RuntimeError, "is a view and is being modified inplace")


def test_custom_function_variants():
    def fn(t):
        log = []

        class Scale(t.autograd.Function):
            @staticmethod
            def forward(ctx, x, k, flag=True):
                ctx.k = k
                ctx.save_for_backward(x, None)
                return x * k

            @staticmethod
            def backward(ctx, g):
                _, none = ctx.saved_tensors
                log.append([none, list(ctx.needs_input_grad)])
                return g * ctx.k, None, None

        class Two(t.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(False)
                m = x > 0
                ctx.mark_non_differentiable(m)
                return x * 2, x * 3, m, 7

            @staticmethod
            def backward(ctx, ga, gb, gm, gn):
                log.append([ga is None, gb is None, gm, gn])
                return gb * 3

        Setup = setup_style(t)
        x = leaf(t, [1.0, -2.0])
        y = Scale.apply(x, 3.0, flag=False)
        y.sum().backward()
        _, b, m, n = Two.apply(x)
        b.sum().backward()
        s = Setup.apply(x, 4)
        s.sum().backward()
        return [log, x.grad, gfn(y), gfn(b), m, n, m.requires_grad, gfn(s)]

    same(
        fn,
        [
            [[None, [True, False, False]], [True, False, None, None]],
            T([10.0, 10.0]),
            "ScaleBackward",
            "TwoBackward",
            T([True, False], "bool"),
            7,
            False,
            "SetupBackward",
        ],
    )


def test_custom_function_errors():
    def count(t):
        F = custom_function("F", lambda x, y: x + y, lambda g: g, t)
        F.apply(leaf(t, [1.0]), leaf(t, [1.0])).sum().backward()

    raises(count, RuntimeError, "returned an incorrect number of gradients (expected 2, got 1)")

    def shape(t):
        F = custom_function("F", lambda x: x * 1, lambda g: g.sum(), t)
        F.apply(leaf(t, [1.0, 2.0])).sum().backward()

    raises(
        shape,
        RuntimeError,
        "returned an invalid gradient at index 0 - got [] but expected shape compatible with [2]",
    )

    def dirty_leaf(t):
        class F(t.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.mark_dirty(x)
                return x.mul_(2)

            @staticmethod
            def backward(ctx, g):
                return g

        F.apply(leaf(t, [1.0]))

    raises(dirty_leaf, RuntimeError, "a leaf Variable that requires grad")


def test_saved_tensors_readable_in_forward():
    def fn(t):
        seen = []

        class F(t.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                seen.append(len(ctx.saved_tensors))  # PyTorch: () until forward returns
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2

        x = leaf(t, [1.0, 2.0])
        F.apply(x).sum().backward()
        return [x.grad, seen]

    same(fn, [T([2.0, 2.0]), [0]])


def test_custom_function_input_returned_as_is_modified_raises():
    def fn(t):
        Same = custom_function("Same", lambda x: x, lambda g: g, t)
        r = []
        for x in (leaf(t, [1.0, 2.0]) * 1, leaf(t, [1.0, 2.0])):
            z = Same.apply(x)
            try:
                z.mul_(2)
                r.append("no error")
            except RuntimeError as e:
                r.append(str(e)[:60])
        with t.no_grad():
            z = Same.apply(leaf(t, [1.0, 2.0]) * 1)
            z.mul_(2)  # allowed without grad mode
        r.append(z.tolist())
        return r

    msg = "Output 0 of Same is a view and is being modified inplace. Th"
    same(fn, [msg, msg, [2.0, 4.0]])
