"""``functional_call`` (a module run with other parameters and buffers) and
``stack_module_state`` (the parameters of identical models stacked for ``vmap``)."""

from __future__ import annotations

from ..autograd import function as _fn

Tensor = _fn.Tensor


def _owner(module, name):
    *path, leaf = name.split(".")
    mod = module
    for p in path:
        mod = getattr(mod, p)
    return mod, leaf


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *,
                    tie_weights=True, strict=False):
    """Call ``module(*args, **kwargs)`` with its parameters and buffers replaced by the tensors
    in ``parameter_and_buffer_dicts`` (a dict of name -> tensor, or a tuple of such dicts);
    the module is restored afterwards. Tied weights follow a replaced one (``tie_weights``);
    ``strict`` requires exactly the module's names.

    Example::

        lin = ember.nn.Linear(3, 1)
        params = {k: v.detach() * 0 for k, v in lin.named_parameters()}
        functional_call(lin, params, (ember.ones(2, 3),))   # zeros(2, 1)
    """
    if isinstance(parameter_and_buffer_dicts, dict):
        values = dict(parameter_and_buffer_dicts)
    elif isinstance(parameter_and_buffer_dicts, (tuple, list)):
        values = {}
        for d in parameter_and_buffer_dicts:
            for k, v in d.items():
                if k in values:
                    raise ValueError(
                        f"{[k]} appeared in multiple dictionaries; behavior of functional call is "
                        "ambiguous"
                    )
                values[k] = v
    else:
        raise ValueError(
            "Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of dicts, but got "
            f"{type(parameter_and_buffer_dicts)}"
        )
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    kwargs = kwargs or {}

    # every name of every parameter/buffer, tied ones included
    names_of = {}
    all_names = []
    for prefix, mod in module.named_modules(remove_duplicate=False):
        for store in ("_parameters", "_buffers"):
            for n, t in mod.__dict__.get(store, {}).items():
                full = f"{prefix}.{n}" if prefix else n
                all_names.append(full)
                if t is not None:
                    names_of.setdefault(id(t), []).append(full)
    if strict:
        missing = [n for n in all_names if n not in values]
        unexpected = [n for n in values if n not in all_names]
        if missing or unexpected:
            msg = f"Error(s) in reparametrizing for {type(module).__name__}:"
            if unexpected:
                msg += "\n\tUnexpected key(s): {}.".format(", ".join(map(repr, unexpected)))
            if missing:
                msg += "\n\tMissing key(s): {}.".format(", ".join(map(repr, missing)))
            raise RuntimeError(msg)
    if tie_weights:
        for group in names_of.values():
            if len(group) < 2:
                continue
            given = [n for n in group if n in values]
            if not given:
                continue
            first = values[given[0]]
            for n in given[1:]:
                if values[n] is not first:
                    raise ValueError(
                        f"functional_call got multiple values for keys {given}, which are tied. "
                        "Consider using tie_weights=False"
                    )
            for n in group:
                values.setdefault(n, first)
    saved = []
    try:
        for name, value in values.items():
            mod, leaf = _owner(module, name)
            d = mod.__dict__
            if leaf in d.get("_parameters", {}):
                store = d["_parameters"]
            elif leaf in d.get("_buffers", {}):
                store = d["_buffers"]
            else:
                # an attribute that is not registered: set it plainly, as PyTorch does
                saved.append((d, leaf, d.get(leaf, _MISSING)))
                d[leaf] = value
                continue
            saved.append((store, leaf, store[leaf]))
            store[leaf] = value
        return module(*args, **kwargs)
    finally:
        for store, leaf, old in reversed(saved):
            if old is _MISSING:
                del store[leaf]
            else:
                store[leaf] = old


_MISSING = object()


def stack_module_state(models):
    """``(params, buffers)``: each name mapped to the stacked tensors of all ``models`` (same
    architecture), ready for ``vmap(functional_call)`` over an ensemble. Stacked parameters are
    new leaves that require grad when the originals do.

    Example::

        models = [ember.nn.Linear(3, 1) for _ in range(4)]
        params, buffers = stack_module_state(models)   # params['weight'].shape == (4, 1, 3)
    """
    from ..ops.shape.join import stack

    if len(models) == 0:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or all(not m.training for m in models)):
        raise RuntimeError(
            "stack_module_state: Expected all models to have the same training/eval mode."
        )
    ref = type(models[0])
    if not all(type(m) is ref for m in models):
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")
    all_params = [dict(m.named_parameters()) for m in models]
    params = {}
    for k in all_params[0]:
        ts = [p[k] for p in all_params]
        s = stack([t.detach() for t in ts], 0)
        if all(t.requires_grad for t in ts):
            s = s.requires_grad_()
        params[k] = s
    all_buffers = [dict(m.named_buffers()) for m in models]
    buffers = {k: stack([b[k] for b in all_buffers], 0) for k in all_buffers[0]}
    return params, buffers
