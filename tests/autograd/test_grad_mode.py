"""Grad modes: no_grad / enable_grad / set_grad_enabled / inference_mode as context
managers and decorators (generators included), inference tensors."""

from oracle import T, leaf, raises, same


def test_bare_grad_mode_decorators():
    def fn(t):
        x = leaf(t, [1.0])

        @t.no_grad
        def f(a):
            return a * 2

        @t.enable_grad
        def g(a):
            return a * 2

        with t.no_grad():
            gr = g(x).requires_grad
        return [f(x).requires_grad, gr]

    same(fn, [False, True])


def test_no_grad_decorated_generator():
    def fn(t):
        @t.no_grad()
        def gen():
            for _ in range(2):
                yield t.is_grad_enabled()

        return list(gen()) + [t.is_grad_enabled()]

    same(fn, [False, False, True])


def test_grad_mode_nesting_and_decorators():
    def fn(t):
        x = leaf(t, [1.0])
        r = []
        with t.no_grad():
            r.append((x * 2).requires_grad)
            with t.enable_grad():
                r.append((x * 2).requires_grad)
            with t.set_grad_enabled(True):
                r.append((x * 2).requires_grad)
        t.set_grad_enabled(False)
        r.append(t.is_grad_enabled())
        t.set_grad_enabled(True)

        @t.no_grad()
        def f(a):
            return a * 2

        r.append(f(x).requires_grad)
        with t.inference_mode():
            r.append((x * 2).requires_grad)
        r.append(t.is_grad_enabled())
        return r

    same(fn, [False, True, True, False, False, False, True])


def test_inference_mode_flags():
    def fn(t):
        with t.inference_mode():
            y = t.ones(2)
            inside = t.is_inference_mode_enabled()
        return [inside, y.is_inference(), y.clone().is_inference(), t.is_inference_mode_enabled()]

    same(fn, [True, True, False, False])


def test_enable_grad_inside_inference_mode():
    def fn(t):
        x = leaf(t, [1.0])
        with t.inference_mode(), t.enable_grad():
            y = x * 2
        return y.requires_grad

    same(fn, False)


def test_inference_tensor_in_autograd_raises():
    def fn(t):
        with t.inference_mode():
            y = t.ones(2)
        (y * leaf(t, [1.0, 2.0])).sum().backward()

    raises(fn, RuntimeError, "Inference tensors cannot be saved for backward")


def test_inference_tensor_rules():
    def fn(t):
        x = leaf(t, [1.0, 2.0])
        with t.inference_mode():
            y = t.ones(2)
            y.add_(1)  # fine inside
            view_inf = y[0].is_inference()
        out = (y + x).sum()  # nothing saved: allowed
        out.backward()
        errors = []
        for f in (lambda: y.add_(1), lambda: y._version, lambda: y.requires_grad_()):
            try:
                f()
            except RuntimeError as e:
                errors.append(str(e).split(".")[0])
        with t.no_grad():
            with t.inference_mode(False):  # leaves inference mode and turns grad mode on
                r = [t.is_grad_enabled(), (x * 2).requires_grad]
        return [view_inf, y.detach().is_inference(), x.grad, errors, r]

    same(
        fn,
        [
            True,
            True,
            T([1.0, 1.0]),
            [
                "Inplace update to inference tensor outside InferenceMode is not allowed",
                "Inference tensors do not track version counter",
                "Setting requires_grad=True on inference tensor outside InferenceMode is not "
                "allowed",
            ],
            [True, True],
        ],
    )


def test_grad_mode_generator_return_and_bare_decorator_on_generator():
    def fn(t):
        @t.no_grad
        def gen():
            yield t.is_grad_enabled()
            return 7

        g = gen()
        first = next(g)
        try:
            next(g)
        except StopIteration as e:
            value = e.value
        return [first, value, t.is_grad_enabled()]

    same(fn, [False, 7, True])
