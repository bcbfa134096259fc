"""``torch.autograd.functional``: Jacobians, Hessians and their vector products of a function.

Each function calls ``func`` on fresh copies of ``inputs`` that require grad (the caller's
tensors are never modified) and differentiates with ``autograd.grad``. Nesting follows
PyTorch: a tuple of inputs gives a tuple of results, and ``jacobian`` of a tuple-returning
function gives ``J[i][j] = d out_i / d in_j``. Forward products (``jvp``, ``hvp``) use the
double-backward trick: ``g(u) = J^T u`` is linear in ``u``, so ``J v = d<g(u), v>/du``.

Example::

    from ember.autograd.functional import jacobian
    jacobian(lambda x: x ** 2, ember.tensor([1., 2.]))   # tensor([[2., 0.], [0., 4.]])
"""

from __future__ import annotations

from .. import autograd as _ag
from . import function as _fn
from .grad_mode import enable_grad, is_grad_enabled, set_grad_enabled

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]


def _zeros_like(t, requires_grad=False):
    z = _fn.Tensor._make(_xp(t).zeros_like(t._data))
    if requires_grad:
        z.requires_grad_(True)
    return z


def _xp(t):
    from ..backend import xp_of

    return xp_of(t._data)


def _as_tuple_nocheck(x):
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _as_tuple(inp, arg_name, fn_name):
    is_tuple = True
    if not isinstance(inp, tuple):
        inp = (inp,)
        is_tuple = False
    for i, el in enumerate(inp):
        if not isinstance(el, _fn.Tensor):
            if is_tuple:
                raise TypeError(
                    f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of "
                    f"Tensors but the value at index {i} has type {type(el)}."
                )
            raise TypeError(
                f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of Tensors "
                f"but the given {arg_name} has type {type(el)}."
            )
    return is_tuple, inp


def _tuple_postprocess(res, to_unpack):
    if isinstance(to_unpack, tuple):
        if not to_unpack[1]:
            res = tuple(el[0] for el in res)
        if not to_unpack[0]:
            res = res[0]
    elif not to_unpack:
        res = res[0]
    return res


def _grad_preprocess(inputs, create_graph, need_graph):
    # with create_graph an input that requires grad stays connected (through a view) so that
    # the result can be differentiated w.r.t. it; otherwise a detached copy is differentiated
    res = []
    for inp in inputs:
        if create_graph and inp.requires_grad:
            res.append(inp.view_as(inp))
        else:
            res.append(inp.detach().requires_grad_(need_graph))
    return tuple(res)


def _grad_postprocess(inputs, create_graph):
    if isinstance(inputs[0], _fn.Tensor):
        if not create_graph:
            return tuple(inp.detach() for inp in inputs)
        return inputs
    return tuple(_grad_postprocess(inp, create_graph) for inp in inputs)


def _validate_v(v, other, is_other_tuple):
    if len(other) != len(v):
        if is_other_tuple:
            raise RuntimeError(
                f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}."
            )
        raise RuntimeError("The given v should contain a single Tensor.")
    for idx, (el_v, el_other) in enumerate(zip(v, other)):
        if el_v.size() != el_other.size():
            prepend = f"Entry {idx} in " if is_other_tuple else ""
            raise RuntimeError(
                f"{prepend}v has invalid size: should be {el_other.size()} but got {el_v.size()}."
            )


def _check_requires_grad(inputs, input_type, strict):
    if not strict:
        return
    for i, inp in enumerate(inputs):
        if inp is None:
            raise RuntimeError(
                f"The output of the user-provided function is independent of input {i}. This is "
                "not allowed in strict mode."
            )
        if not inp.requires_grad:
            if input_type == "hessian":
                raise RuntimeError(
                    f"The hessian of the user-provided function with respect to input {i} is "
                    "independent of the input. This is not allowed in strict mode. You should "
                    "ensure that your function is thrice differentiable and that the hessian "
                    "depends on the inputs."
                )
            if input_type == "jacobian":
                raise RuntimeError(
                    "While computing the hessian, found that the jacobian of the user-provided "
                    f"function with respect to input {i} is independent of the input. This is "
                    "not allowed in strict mode. You should ensure that your function is twice "
                    "differentiable and that the jacobian depends on the inputs (this would be "
                    "violated by a linear function for example)."
                )
            if input_type == "grad_inputs":
                raise RuntimeError(
                    f"The gradient with respect to input {i} is independent of the inputs of the "
                    "user-provided function. This is not allowed in strict mode."
                )
            raise RuntimeError(
                f"Output {i} of the user-provided function does not require gradients. The "
                "outputs must be computed in a differentiable manner from the input when running "
                "in strict mode."
            )


def _autograd_grad(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    new_outputs, new_grad_outputs = [], []
    for out, grad_out in zip(outputs, grad_outputs):
        if out is not None and out.requires_grad:
            new_outputs.append(out)
            new_grad_outputs.append(grad_out)
    if not new_outputs:
        return (None,) * len(inputs)
    return _ag.grad(new_outputs, inputs, new_grad_outputs, allow_unused=True,
                    create_graph=create_graph, retain_graph=retain_graph)


_STAGE_MSG = {
    "back": "The output of the user-provided function is independent of input {i}. This is not "
            "allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
                  "grad_outputs when using the double backward trick to compute forward mode "
                  "gradients. This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. "
                   "This is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} "
                         "in the grad_jacobian. This is not allowed in strict mode as it prevents "
                         "from using the double backward trick to replace forward mode AD.",
}


def _fill_in_zeros(grads, refs, strict, create_graph, stage):
    res = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(_STAGE_MSG[stage].format(i=i))
            g = _zeros_like(refs[i])
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(
                f"The {what} of the user-provided function is independent of input {i}. This is "
                "not allowed in strict mode when create_graph=True."
            )
        res.append(g)
    return tuple(res)


def _prepare_v(v, other, is_other_tuple, create_graph, name, none_msg, none_ok):
    if v is not None:
        _, v = _as_tuple(v, "v", name)
        v = _grad_preprocess(v, create_graph=create_graph, need_graph=False)
        _validate_v(v, other, is_other_tuple)
    elif not none_ok:
        raise RuntimeError(none_msg)
    return v


_V_INPUT_MSG = ("The vector v can only be None if the input to the user-provided function is a "
                "single Tensor with a single element.")


def _last_backward(outputs, inputs, v, like, strict, create_graph, stage):
    """The final backward of vjp/jvp/vhp/hvp: the gradient of ``outputs`` w.r.t. ``inputs``
    weighted by ``v`` (a graph only with ``create_graph``), zeros shaped as ``like`` where none
    flows (or ``strict``'s error naming ``stage``)."""
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        grad_res = _autograd_grad(outputs, inputs, v, create_graph=create_graph)
        return _fill_in_zeros(grad_res, like, strict, create_graph, stage)


def _outputs_and_result(outputs, res, create_graph, outputs_tuple, res_tuple):
    """``(func's outputs, result)`` as vjp/jvp/vhp/hvp return them: detached unless
    ``create_graph``, each a tuple only where the caller gave one."""
    outputs = _grad_postprocess(outputs, create_graph)
    res = _grad_postprocess(res, create_graph)
    return _tuple_postprocess(outputs, outputs_tuple), _tuple_postprocess(res, res_tuple)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), v^T J)``: the vector-Jacobian product at ``inputs``.

    Example::

        out, g = vjp(lambda x: x.exp().sum(), ember.zeros(2))   # g == tensor([1., 1.])
    """
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function",
                                              "vjp")
        _check_requires_grad(outputs, "outputs", strict=strict)
        single = len(outputs) == 1 and outputs[0].nelement() == 1
        v = _prepare_v(v, outputs, is_outputs_tuple, create_graph, "vjp",
                       "The vector v can only be None if the user-provided function returns a "
                       "single Tensor with a single element.", single)
    res = _last_backward(outputs, inputs, v, inputs, strict, create_graph, "back")
    return _outputs_and_result(outputs, res, create_graph, is_outputs_tuple, is_inputs_tuple)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), J v)``: the Jacobian-vector product, by the double-backward trick.

    Example::

        out, jv = jvp(lambda x: x ** 2, ember.tensor([1., 2.]), ember.tensor([1., 0.]))
        # jv == tensor([2., 0.])
    """
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        single = len(inputs) == 1 and inputs[0].nelement() == 1
        v = _prepare_v(v, inputs, is_inputs_tuple, create_graph, "jvp", _V_INPUT_MSG, single)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function",
                                              "jvp")
        _check_requires_grad(outputs, "outputs", strict=strict)
        grad_outputs = tuple(_zeros_like(out, requires_grad=True) for out in outputs)
        grad_inputs = _autograd_grad(outputs, inputs, grad_outputs, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict=strict)
    res = _last_backward(grad_inputs, grad_outputs, v, outputs, strict, create_graph, "back_trick")
    return _outputs_and_result(outputs, res, create_graph, is_outputs_tuple, is_outputs_tuple)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: shape ``out.shape + in.shape`` per pair.

    ``vectorize`` is accepted (ember computes the rows one backward at a time either way);
    ``strategy="forward-mode"`` computes the same matrix with forward-mode AD.

    Example::

        jacobian(lambda x: x.sin(), ember.zeros(2))   # tensor([[1., 0.], [0., 1.]])
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more performant. '
            'Otherwise, prefer to use "reverse-mode".'
        )
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "torch.autograd.functional.jacobian: `create_graph=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either set '
                '`create_graph=False` or `strategy="reverse-mode"`.'
            )
        if strict:
            raise RuntimeError(
                "torch.autograd.functional.jacobian: `strict=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either set '
                '`strict=False` or `strategy="reverse-mode"`.'
            )
        if not vectorize:
            raise NotImplementedError(
                "Computing Jacobian using forward-AD or forward-over-reverse Hessian is"
                "only implemented for `vectorize=True`."
            )
        return _jacfwd(func, inputs)
    if vectorize and strict:
        raise RuntimeError(
            "torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not "
            "supported together. Please either set `strict=False` or `vectorize=False`."
        )
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function",
                                              "jacobian")
        _check_requires_grad(outputs, "outputs", strict=strict)
        from ..ops.shape.join import stack

        jac = []
        for i, out in enumerate(outputs):
            rows = tuple([] for _ in inputs)
            flat = out.reshape(-1)
            for j in range(out.nelement()):
                vj = _autograd_grad((flat[j],), inputs, retain_graph=True,
                                    create_graph=create_graph)
                for k, (rows_k, vj_k, inp_k) in enumerate(zip(rows, vj, inputs)):
                    if vj_k is not None:
                        if strict and create_graph and not vj_k.requires_grad:
                            raise RuntimeError(
                                "The jacobian of the user-provided function is independent of "
                                f"input {i}. This is not allowed in strict mode when "
                                "create_graph=True."
                            )
                        rows_k.append(vj_k)
                    else:
                        if strict:
                            raise RuntimeError(
                                f"Output {i} of the user-provided function is independent of "
                                f"input {k}. This is not allowed in strict mode."
                            )
                        rows_k.append(_zeros_like(inp_k))
            jac.append(tuple(
                (stack(rows_k, 0) if rows_k else _empty(inputs[k], 0)).view(
                    tuple(out.shape) + tuple(inputs[k].shape))
                for k, rows_k in enumerate(rows)
            ))
        jac = _grad_postprocess(tuple(jac), create_graph)
        return _tuple_postprocess(jac, (is_outputs_tuple, is_inputs_tuple))


def _empty(like, n):
    return _fn.Tensor._make(_xp(like).zeros((n,) + like._data.shape, like._data.dtype))


def _jacfwd(func, inputs):
    from . import forward_ad as fwAD

    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    numels = [inp.numel() for inp in inputs]
    total = sum(numels)
    cols = None
    is_outputs_tuple = False
    primals = None
    start = 0
    from ..ops.shape.join import stack

    for k, inp in enumerate(inputs):
        for j in range(numels[k]):
            with fwAD.dual_level():
                duals = []
                for m, other in enumerate(inputs):
                    t = _zeros_like(other)
                    if m == k:
                        t._data.reshape(-1)[j] = 1
                    duals.append(fwAD.make_dual(other, t))
                is_outputs_tuple, outs = _as_tuple(
                    func(*duals), "outputs of the user-provided function", "jacobian")
                primals = []
                col = []
                for o in outs:
                    p, tan = fwAD.unpack_dual(o)
                    primals.append(p)
                    col.append(tan if tan is not None else _zeros_like(p))
            if cols is None:
                cols = [[] for _ in outs]
            for i, c in enumerate(col):
                cols[i].append(c.detach())
        start += numels[k]
    jac = []
    for i, out in enumerate(primals):
        full = stack(cols[i], -1)  # out.shape + (total,)
        row = []
        off = 0
        for k, inp in enumerate(inputs):
            part = full.reshape(-1, total)[:, off:off + numels[k]]
            row.append(part.reshape(tuple(out.shape) + tuple(inp.shape)))
            off += numels[k]
        jac.append(tuple(row))
    return _tuple_postprocess(tuple(jac), (is_outputs_tuple, is_inputs_tuple))


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar ``func`` at ``inputs`` (a tuple of tuples for tuple inputs).

    Example::

        hessian(lambda x: (x ** 3).sum(), ember.tensor([1., 2.]))   # diag(6x)
    """
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def ensure_single_output_function(*inp):
        out = func(*inp)
        is_out_tuple, t_out = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_requires_grad(t_out, "outputs", strict=strict)
        if is_out_tuple or not isinstance(out, _fn.Tensor):
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.nelement() != 1:
            raise RuntimeError(
                "The Tensor returned by the function given to hessian should contain a single "
                "element"
            )
        return out.squeeze()

    def jac_func(*inp):
        jac = jacobian(ensure_single_output_function, inp, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict=strict)
        return jac

    res = jacobian(jac_func, inputs, create_graph=create_graph, strict=strict,
                   vectorize=vectorize)
    return _tuple_postprocess(res, (is_inputs_tuple, is_inputs_tuple))


def _scalar_func_setup(func, inputs, v, create_graph, strict, name):
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", name)
    inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
    single = len(inputs) == 1 and inputs[0].nelement() == 1
    v = _prepare_v(v, inputs, is_inputs_tuple, create_graph, name, _V_INPUT_MSG, single)
    outputs = func(*inputs)
    is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", name)
    _check_requires_grad(outputs, "outputs", strict=strict)
    if is_outputs_tuple or not isinstance(outputs[0], _fn.Tensor):
        raise RuntimeError(f"The function given to {name} should return a single Tensor")
    if outputs[0].nelement() != 1:
        raise RuntimeError(
            f"The Tensor returned by the function given to {name} should contain a single element"
        )
    jac = _autograd_grad(outputs, inputs, create_graph=True)
    _check_requires_grad(jac, "jacobian", strict=strict)
    return is_inputs_tuple, is_outputs_tuple, inputs, v, outputs, jac


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), v^T H)`` for a scalar ``func``.

    Example::

        out, vh = vhp(lambda x: (x ** 3).sum(), ember.tensor([1., 2.]), ember.ones(2))
    """
    with enable_grad():
        is_in_t, is_out_t, inputs, v, outputs, jac = _scalar_func_setup(
            func, inputs, v, create_graph, strict, "vhp")
    res = _last_backward(jac, inputs, v, inputs, strict, create_graph, "double_back")
    return _outputs_and_result(outputs, res, create_graph, is_out_t, is_in_t)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), H v)`` for a scalar ``func`` (double-backward trick).

    Example::

        out, hv = hvp(lambda x: (x ** 3).sum(), ember.tensor([1., 2.]), ember.ones(2))
    """
    with enable_grad():
        is_in_t, is_out_t, inputs, v, outputs, jac = _scalar_func_setup(
            func, inputs, v, create_graph, strict, "hvp")
        grad_jac = tuple(_zeros_like(inp, requires_grad=True) for inp in inputs)
        double_back = _autograd_grad(jac, inputs, grad_jac, create_graph=True)
        _check_requires_grad(jac, "hessian", strict=strict)
    res = _last_backward(double_back, grad_jac, v, inputs, strict, create_graph,
                         "double_back_trick")
    return _outputs_and_result(outputs, res, create_graph, is_out_t, is_in_t)
