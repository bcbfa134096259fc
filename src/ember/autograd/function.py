"""``Function``: the one way ops enter the graph, built-in and custom alike.

A subclass defines ``forward(ctx, *args)`` and ``backward(ctx, *grad_outputs)`` (or
``forward(*args)`` plus ``setup_context(ctx, inputs, output)``). ``Cls.apply(*args)`` runs the
forward and, when grad mode is on and some input requires grad, links a graph node. The ctx *is*
that node: an instance of ``Cls._backward_cls`` (named ``<Cls>Backward``), so
``y.grad_fn.saved_tensors`` reads what forward saved, exactly as in PyTorch.

Built-in ops (``_builtin = True``) take Tensors, compute on raw arrays, and return Tensors made
with ``Tensor._make``; with grad off they get a shared do-nothing ctx and link nothing.
"""

from __future__ import annotations

import itertools
import warnings

from .. import backend as _backend
from ..utils.hooks import add_hook
from . import dispatch as _door
from .dispatch import tls as _modes
from .grad_mode import _state

_seq = itertools.count()
_acc_seq = itertools.count()
_new = object.__new__
FREED = ("<freed>",)  # what ``_saved`` becomes once backward has released the saved tensors
_OUT0 = (0,)  # ``_saved_out_nr`` of a node that saved only its output 0 (see _unown_outputs)
Tensor = None  # set by ember.tensor once the class exists (import cycle)

_FREED_MSG = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you "
    "call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved tensors after calling "
    "backward."
)


def _type_desc(t):
    names = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
             "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
             "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble"}
    return f"torch.{names.get(t.dtype.name, t.dtype.name)}Tensor {list(t._data.shape)}"


class Node:
    """A node of the backward graph; for Functions, also the ``ctx`` their methods receive."""

    # Only what every node sets lives in slots; the rest are class defaults that an instance
    # overrides in its __dict__ when used, so creating a node costs a handful of writes.
    __slots__ = ("_next", "_saved", "_saved_ver", "needs_input_grad", "_seq",
                 "__dict__", "__weakref__")
    # (shape, dtype, array type) of each output, to make zeros for a missing gradient; None
    # for a built-in op's single output, whose node is simply skipped when no gradient comes.
    _out_meta = None
    _forward_cls = None
    _hooks = _prehooks = _tensor_prehooks = None
    _dirty = _non_diff = None
    materialize_grads = True

    _in_meta = None  # custom Functions: which forward inputs were tensors
    # per saved tensor, its output number where it is an output of this node (kept without
    # the node: see _versions), else None; None when no saved tensor is an output
    _saved_out_nr = None
    _unpack = None  # set when saved_tensors_hooks packed the saved tensors

    def __init__(self):
        self._next = ()
        self._saved = None
        self._seq = next(_seq)

    # ----- the ctx API used inside forward ---------------------------------------------
    def save_for_backward(self, *tensors):
        """Keep tensors (or None) for backward; they are version-checked when read."""
        self._saved = tensors

    def mark_dirty(self, *tensors):
        """Declare inputs that forward modified in place (they are returned as outputs)."""
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors):
        """Declare outputs that are not differentiable (their grads arrive as zeros)."""
        self._non_diff = tensors

    def set_materialize_grads(self, value: bool):
        """Whether undefined output gradients reach backward as zeros (True) or None."""
        self.materialize_grads = bool(value)

    def save_for_forward(self, *tensors):
        self.saved_for_forward = tensors

    @property
    def saved_tensors(self):
        """The tensors given to ``save_for_backward``, checked against in-place changes."""
        saved = self._saved
        if saved is None:
            return ()
        if saved is FREED:
            from .explain import freed_hint  # explainability (E)

            raise RuntimeError(_FREED_MSG + freed_hint(self))
        if self._unpack is not None:  # packed by saved_tensors_hooks
            return self._unpack(self)
        try:
            vers = self._saved_ver
        except AttributeError:  # read inside forward: PyTorch gives () until forward returns
            return ()
        for t, v in zip(saved, vers):
            # built-in ops may also keep Python scalars here (their version is None)
            if v is not None and t._vc[0] != v:
                raise RuntimeError(self._modified_message(t, v))
        if self._saved_out_nr is not None:
            saved = _relinked(self, saved)
        if _door.busy and _modes.engine:
            _door.saved_read(self, saved)
        return saved

    def _modified_message(self, t, expected):
        from .explain import modified_message  # (built only when the error is raised)

        return modified_message(self, t, expected)

    # ----- the node API ------------------------------------------------------------------
    def name(self) -> str:
        return type(self).__name__

    @property
    def next_functions(self):
        """One ``(node, output_nr)`` per tensor input PyTorch's node has an edge for; ``(None,
        0)`` where no grad flows. ``_next`` holds one entry per forward argument (scalars and
        dims included); the op's ``_edges`` picks PyTorch's inputs out of them."""
        nxt = self._next
        fcls = self._forward_cls
        keep = fcls._edges if fcls is not None else None
        if keep is None:
            if self._in_meta is not None:  # a custom Function: its tensor arguments
                keep = [i for i, is_t in enumerate(self._in_meta) if is_t]
            elif fcls is not None and fcls._builtin:
                # a built-in op's first argument is its input; the rest are options unless
                # they carry a gradient (ops with several tensor inputs declare _edges)
                keep = [i for i, e in enumerate(nxt) if i == 0 or e is not None]
            else:
                keep = range(len(nxt))
        elif keep.__class__ is slice:
            keep = range(len(nxt))[keep]
        return tuple((nxt[i][0], nxt[i][1]) if i < len(nxt) and nxt[i] is not None
                     else (None, 0) for i in keep)

    @property
    def metadata(self) -> dict:
        try:
            return self.metadata_
        except AttributeError:
            self.metadata_ = {}
            return self.metadata_

    def register_hook(self, fn):
        """``fn(grad_inputs, grad_outputs)`` runs after this node; may return new grad_inputs."""
        if self._hooks is None:
            self._hooks = {}
        return add_hook(self._hooks, fn)

    def register_prehook(self, fn):
        """``fn(grad_outputs)`` runs before this node; may return new grad_outputs."""
        if self._prehooks is None:
            self._prehooks = {}
        return add_hook(self._prehooks, fn)

    def _add_tensor_prehook(self, output_nr, fn):
        if self._tensor_prehooks is None:
            self._tensor_prehooks = {}
        return add_hook(self._tensor_prehooks.setdefault(output_nr, {}), fn)

    def _release(self):
        if self._saved is not None:
            self._saved = FREED

    def _run_backward(self, grads):
        return self._forward_cls.backward(self, *grads)

    def __call__(self, *grads):
        return self._run_backward(grads)

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"


class AccumulateGrad(Node):
    """The node for a leaf tensor: the engine adds the incoming gradient into ``variable.grad``."""

    # ``_edge``: the edge to this node, ``_edge_of``: the leaf's array it describes (the
    # cache of ``_apply``: a leaf used again with the same array reuses its edge)
    __slots__ = ("variable", "_edge", "_edge_of")

    def __init__(self, variable):
        Node.__init__(self)
        self.variable = variable
        self._edge_of = None
        # PyTorch gives AccumulateGrad the highest sequence number: a ready leaf accumulates
        # before any other ready node runs (unique values keep the ready heap's order total)
        self._seq = (1 << 62) - next(_acc_seq)

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"  # PyTorch's C++ name

    def _run_backward(self, grads):  # pragma: no cover - the engine accumulates itself
        raise RuntimeError("AccumulateGrad is run by the engine")


class _NullCtx:
    """The ctx a built-in op's forward gets when no graph is recorded: saving does nothing."""

    __slots__ = ("__dict__",)

    def save_for_backward(self, *tensors):
        pass

    def mark_dirty(self, *tensors):
        pass

    def mark_non_differentiable(self, *tensors):
        pass

    def set_materialize_grads(self, value):
        pass


_NULL_CTX = _NullCtx()


class FunctionMeta(type):
    """Gives each Function subclass its node class, ``<Name>Backward``."""

    def __init__(cls, name, bases, attrs):
        node_name = attrs.get("_node_name", name + "Backward")
        base = BuiltinNode if attrs.get("_builtin", any(getattr(b, "_builtin", False)
                                                        for b in bases)) else BackwardCFunction
        body = {"_forward_cls": cls, "__slots__": ()}
        for i, saved in enumerate(getattr(cls, "_saved_names", ())):
            body["_saved_" + saved] = _saved_attribute(i, "_saved_" + saved)  # as PyTorch
        cls._backward_cls = type(node_name, (base,), body)
        cls._new_style = "setup_context" in attrs or any(
            getattr(b, "_new_style", False) for b in bases if b is not Function
        )
        super().__init__(name, bases, attrs)
        if getattr(cls, "_builtin", False) and "apply" not in attrs:
            cls.apply = classmethod(_apply)


def _saved_attribute(i, name):
    """``_saved_self``, ``_saved_result``...: the i-th saved tensor, checked (None where not
    kept; a Python number as the 0-d tensor PyTorch wraps it in, for ops whose
    ``_wrapped_numbers`` say so: ``(x * 2.0).grad_fn._saved_other``). A property per name: a
    ``__getattr__`` would slow every attribute read of every node."""

    def get(node):
        saved = node.saved_tensors if node._saved is not None else ()  # checked, as PyTorch
        if i >= len(saved):
            raise AttributeError(f"'{type(node).__name__}' object has no attribute '{name}'")
        v = saved[i]
        if node._forward_cls._wrapped_numbers and v.__class__ in (bool, int, float, complex):
            return Tensor._make(_backend.np.asarray(v))
        return v

    return property(get)


class BackwardCFunction(Node):
    """Base of every Function's node class."""

    __slots__ = ()

    def __repr__(self):
        # PyTorch names a custom Function's node by its own module path
        return f"<torch.autograd.function.{type(self).__name__} object at {hex(id(self))}>"


class BuiltinNode(BackwardCFunction):
    """Base of built-in ops' nodes: ``needs_input_grad`` is read off the edges when asked."""

    __slots__ = ()
    __repr__ = Node.__repr__

    @property
    def needs_input_grad(self):
        nxt = self._next
        if len(nxt) == 2:  # a binary op, the most common
            return (nxt[0] is not None, nxt[1] is not None)
        return tuple([e is not None for e in nxt])


class Function(metaclass=FunctionMeta):
    """Base class of differentiable operations, with PyTorch's ``autograd.Function`` contract.

    Example::

        class Exp(ember.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                y = x.exp()
                ctx.save_for_backward(y)
                return y

            @staticmethod
            def backward(ctx, grad_output):
                y, = ctx.saved_tensors
                return grad_output * y

        y = Exp.apply(ember.randn(3, requires_grad=True))
    """

    _builtin = False
    _wrapped_numbers = False  # _saved_attribute: numbers read back as 0-d tensors
    generate_vmap_rule = False
    # positions (a tuple, or a slice) of the forward arguments PyTorch's node has edges for,
    # as listed by ``grad_fn.next_functions``; None: see ``Node.next_functions``
    _edges = None

    def __init__(self, *args, **kwargs):
        warnings.warn(
            f"{self.__class__} should not be instantiated. Methods on autograd functions are all "
            "static, so you should invoke them on the class itself. Instantiating an autograd "
            "function will raise an error in a future version of PyTorch.",
            DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use "
            "new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)"
        )

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    vjp = backward

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError(
            "You must implement the jvp function for custom autograd.Function to use it with "
            "forward mode AD."
        )

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run forward; record a graph node when grad mode is on and an input requires grad."""
        if _door.busy and _modes.apply:
            return _door.apply_dispatch(cls, args, kwargs)
        if kwargs or cls._new_style:
            args = _bind(cls, args, kwargs)  # setup_context sees defaults filled in, as in PyTorch
        return _apply(cls, *args)


def _edge(t):
    """The edge to ``t``'s producer: ``(node, output_nr, shape, dtype)``; for a leaf its
    AccumulateGrad node (made once and kept on the leaf), whose edge is kept too, for the
    array it describes. (``_apply`` has this inline.)"""
    fn = t._grad_fn
    d = t._data
    if fn is not None:
        return (fn, t._output_nr, d.shape, d.dtype)
    acc = t._acc
    if acc is None:
        acc = t._acc = AccumulateGrad(t)
    if acc._edge_of is not d:  # (an array's shape and dtype never change)
        acc._edge, acc._edge_of = (acc, 0, d.shape, d.dtype), d
    return acc._edge


def _apply(cls, *args):
    """The one linking path, for built-in and custom Functions alike (``apply`` of built-ins,
    which take no keyword arguments; custom Functions' ``apply`` after binding them): collect
    the edges to the inputs, run forward, hook the outputs onto the node, note the saved
    tensors' versions."""
    if _door.busy and _modes.apply:
        return _door.apply_dispatch(cls, args, None)
    if _state.enabled:
        nxt = []
        record = False
        for a in args:  # (``_edge`` inline)
            if (a.__class__ is Tensor or isinstance(a, Tensor)) and a._requires_grad:
                d = a._data
                fn = a._grad_fn
                if fn is None:
                    fn = a._acc
                    if fn is None:
                        fn = a._acc = AccumulateGrad(a)
                    if fn._edge_of is not d:
                        fn._edge, fn._edge_of = (fn, 0, d.shape, d.dtype), d
                    nxt.append(fn._edge)
                else:
                    nxt.append((fn, a._output_nr, d.shape, d.dtype))
                record = True
            else:
                nxt.append(None)
        if record:
            if not cls._builtin:
                return _run_custom(cls, args, nxt)[1]
            ctx = _new(cls._backward_cls)
            ctx._next = nxt
            ctx._saved = None
            ctx._seq = next(_seq)
            try:  # one or two arguments spelled out: a ``*args`` call goes through C (slower)
                out = cls.forward(ctx, args[0], args[1]) if len(args) == 2 else \
                    cls.forward(ctx, args[0]) if len(args) == 1 else cls.forward(ctx, *args)
            except (TypeError, ValueError) as e:  # zero-cost unless raised: maybe a device mix
                return _retry(cls, args, e)
            if out.__class__ is tuple:
                _link_builtin(ctx, out)
            # one output: on the node if floating point (grads_flow, its common case first)
            elif out._data.dtype.kind in "fc" or grads_flow(out._data.dtype):
                out._grad_fn, out._requires_grad = ctx, True
            saved = ctx._saved
            if saved is not None:  # _builtin_versions' common case inline: inputs, numbers
                vers = []
                for t in saved:
                    if t.__class__ is Tensor and t._grad_fn is not ctx:
                        vers.append(t._vc[0])
                    elif t is None or t.__class__ is float or t.__class__ is int:
                        vers.append(None)
                    else:  # an output of this node, a subclass
                        vers = _builtin_versions(ctx, saved)
                        break
                ctx._saved_ver = vers
            return out
    if cls._builtin:
        fwd = cls.forward
        try:  # (spelled out as above)
            return fwd(_NULL_CTX, args[0], args[1]) if len(args) == 2 else \
                fwd(_NULL_CTX, args[0]) if len(args) == 1 else fwd(_NULL_CTX, *args)
        except (TypeError, ValueError) as e:
            return _retry(cls, args, e)
    return _run_custom(cls, args, None)[1]


def grads_flow(dtype):
    """Whether tensors of this NumPy dtype take part in autograd: floating point and complex,
    bfloat16 included (ml_dtypes' type, whose NumPy kind is 'V')."""
    return dtype.kind in "fc" or dtype.name == "bfloat16"


def _retry(cls, args, exc):
    """``_apply`` once more where forward raised ``exc``: maybe a mix of devices (a lambda
    made in ``_apply`` itself would cost every call a cell for ``cls``)."""
    return _backend.retry_on_device(lambda a: _apply(cls, *a), args, exc)


def _link_builtin(ctx, out):
    """A built-in op's tuple of outputs (those floating point and not marked
    non-differentiable) join the node; ``_apply`` links a lone output itself."""
    out_meta = []
    non_diff = ctx._non_diff
    for i, o in enumerate(out):
        d = o._data
        if grads_flow(d.dtype) and not (non_diff and any(o is n for n in non_diff)):
            o._grad_fn = ctx
            o._output_nr = i
            o._requires_grad = True
        out_meta.append((d.shape, d.dtype, d.__class__))
    ctx._out_meta = out_meta


def _builtin_versions(ctx, saved):
    """``_versions`` for a built-in op's node, whose saved tensors are plain Tensors (a
    subclass goes to ``_versions``), Python scalars or None."""
    vers = []
    has_output = False
    for t in saved:
        if t.__class__ is Tensor:
            vers.append(t._vc[0])
            if t._grad_fn is ctx:  # a saved output: kept without its node (see _versions)
                has_output = True
        elif t is None or not isinstance(t, Tensor):
            vers.append(None)
        else:
            return _versions(ctx, True)
    if has_output:
        _unown_outputs(ctx, saved)
    return vers


def _versions(ctx, builtin):
    """The version of each saved tensor, checked when backward reads them (built-ins may also
    keep Python scalars there: their version is None).

    A saved output of this very node is kept as PyTorch's SavedVariable keeps one: its data
    and version counter, without a reference to the node (``_relinked`` puts the node back when
    backward reads it). Otherwise output -> node -> output would be a reference cycle, and a
    forward pass run without backward would wait for the cycle collector to be freed."""
    saved = ctx._saved
    vers = []
    has_output = False
    for k, t in enumerate(saved):
        if isinstance(t, Tensor):
            vers.append(t._vc[0])
            if t._grad_fn is ctx:
                has_output = True
        elif t is None or builtin:
            vers.append(None)
        else:
            raise TypeError(
                "save_for_backward can only save variables, but argument "
                f"{k} is of type {type(t).__name__}"
            )
    if has_output:
        _unown_outputs(ctx, saved)
    return vers


def _unown_outputs(ctx, saved):
    """The node's own outputs among its saved tensors become ``_unowned`` copies;
    ``_saved_out_nr`` notes which entries they are and their output numbers."""
    if len(saved) == 1:  # the output alone (exp, tanh, sigmoid, relu...): no lists
        nr = saved[0]._output_nr
        ctx._saved, ctx._saved_out_nr = (_unowned(saved[0]),), (_OUT0 if nr == 0 else (nr,))
        return
    mine = [isinstance(t, Tensor) and t._grad_fn is ctx for t in saved]
    ctx._saved = tuple([_unowned(t) if m else t for t, m in zip(saved, mine)])
    ctx._saved_out_nr = tuple([t._output_nr if m else None for t, m in zip(saved, mine)])


def _unowned(t):
    """A new tensor on ``t``'s data and version counter, on no node."""
    u = _new(Tensor)  # ``Tensor._make(t._data)``, inlined (this is per op)
    u._data = t._data
    u._requires_grad = False
    u._grad_fn = None
    u._vc = t._vc
    return u


def _relinked(node, saved):
    """The saved tensors with each saved output back on its node (a fresh tensor each read,
    so no cycle outlives it)."""
    out_nr = node._saved_out_nr
    if out_nr is _OUT0:  # the op's only output alone (exp, tanh, sigmoid...): no list
        r = _unowned(saved[0])
        r._grad_fn, r._requires_grad = node, True
        return (r,)
    res = list(saved)
    for k, nr in enumerate(out_nr):
        if nr is not None:
            r = res[k] = _unowned(saved[k])
            r._grad_fn, r._requires_grad = node, True
            if nr:
                r._output_nr = nr
    return tuple(res)


def saved_output_nr(node, k):
    """The output number of ``node``'s k-th saved tensor when it is one of the node's own
    outputs (kept without the node: see ``_versions``), else None."""
    out_nr = node._saved_out_nr
    return None if out_nr is None or k >= len(out_nr) else out_nr[k]


# custom Functions' binding and linking, and ``once_differentiable``, live in their own modules
from .custom_function import _bind, _run_custom
from .once_differentiable import _DelayedError, once_differentiable  # noqa: F401
