"""The exporter: capture with ember.fx, learn shapes from one run, translate node by node.

Values while translating are one of:

* ``T``: a tensor in the ONNX graph (its name, and the example's shape and dtype);
* ``DynInt`` / ``Shape``: an int or a tuple of ints computed from an input's shape
  (``x.size(0)``): an int64 scalar or 1-D tensor in the graph, so a dynamic batch axis flows
  into ``view``/``reshape`` instead of being frozen at the example's size;
* plain Python values (ints, floats, tuples, dtypes) for everything fixed.

A node that depends on no input is folded (``do_constant_folding``): its example value becomes
an initializer, or stays a Python constant.
"""

from __future__ import annotations

import threading

import numpy as np

import ember
from ember import nn

from ..fx import Tracer
from ..fx._names import public_path, qualified_name
from ..fx.graph_module import GraphModule
from ..fx.interpreter import Interpreter
from ..fx.node import map_aggregate, map_arg
from . import UnsupportedOperatorError

_state = threading.local()


def in_export() -> bool:
    return getattr(_state, "active", False)


class T:
    """A tensor in the ONNX graph."""

    __slots__ = ("name", "shape", "dtype")

    def __init__(self, name, shape, dtype):
        self.name, self.shape, self.dtype = name, tuple(shape), dtype

    @property
    def rank(self):
        return len(self.shape)


class DynInt:
    """An int64 scalar computed in the graph (``value`` is the example's)."""

    __slots__ = ("name", "value")

    def __init__(self, name, value):
        self.name, self.value = name, value


class Shape:
    """A 1-D int64 tensor of sizes computed in the graph."""

    __slots__ = ("name", "value")

    def __init__(self, name, value):
        self.name, self.value = name, tuple(value)


_NP = {"torch.float32": np.float32, "torch.float64": np.float64, "torch.float16": np.float16,
       "torch.int64": np.int64, "torch.int32": np.int32, "torch.int16": np.int16,
       "torch.int8": np.int8, "torch.uint8": np.uint8, "torch.bool": np.bool_}


def np_dtype(dtype):
    try:
        return _NP[str(dtype)]
    except KeyError:
        raise UnsupportedOperatorError(f"dtype {dtype} has no ONNX equivalent here") from None


def onnx_dtype(dtype):
    from onnx import helper

    return helper.np_dtype_to_tensor_dtype(np.dtype(np_dtype(dtype)))


class Builder:
    """Collects ONNX nodes and initializers; the op builders call its helpers."""

    def __init__(self, opset):
        self.opset = opset
        self.nodes = []
        self.initializers = {}
        self.init_values = {}  # initializer name -> ndarray (for builders that fold weights)
        self._names = set()
        self._count = 0

    def fresh(self, hint="v"):
        while True:
            self._count += 1
            name = f"{hint}_{self._count}"
            if name not in self._names:
                self._names.add(name)
                return name

    def reserve(self, name):
        base, i = name, 0
        while name in self._names:
            i += 1
            name = f"{base}_{i}"
        self._names.add(name)
        return name

    def op(self, op_type, inputs, n_out=1, name_hint=None, **attrs):
        """Add one ONNX node; returns its output name (or names when ``n_out`` > 1)."""
        from onnx import helper

        outs = [self.fresh(name_hint or op_type) for _ in range(n_out)]
        attrs = {k: v for k, v in attrs.items() if v is not None}
        self.nodes.append(helper.make_node(op_type, list(inputs), outs,
                                           name=f"{op_type}_{len(self.nodes)}", **attrs))
        return outs[0] if n_out == 1 else outs

    def initializer(self, array, name=None):
        from onnx import numpy_helper

        name = self.reserve(name or "const")
        array = np.asarray(array)
        self.initializers[name] = numpy_helper.from_array(array, name)
        self.init_values[name] = array
        return name

    def const(self, value, dtype=np.float32):
        return self.initializer(np.asarray(value, dtype=dtype))

    def param(self, tensor, name):
        """A module's tensor as an initializer named as its state_dict key."""
        arr = tensor.detach().numpy() if isinstance(tensor, ember.Tensor) else np.asarray(tensor)
        if name in self.initializers and np.array_equal(self.init_values[name], arr):
            return name
        return self.initializer(np.ascontiguousarray(arr), name)

    # -- values to graph inputs ---------------------------------------------------------------
    def tensor(self, v, dtype=None):
        """Any value as a tensor name; Python numbers get ``dtype`` (an ember dtype)."""
        if isinstance(v, T):
            if dtype is not None and str(v.dtype) != str(dtype):
                return self.op("Cast", [v.name], to=onnx_dtype(dtype))
            return v.name
        if isinstance(v, (DynInt, Shape)):
            if dtype is not None and str(dtype) != "torch.int64":
                return self.op("Cast", [v.name], to=onnx_dtype(dtype))
            return v.name
        if isinstance(v, ember.Tensor):
            return self.initializer(v.detach().numpy())
        if dtype is None:
            dtype = ember.float32 if isinstance(v, float) else (
                ember.bool if isinstance(v, bool) else ember.int64)
        return self.const(v, np_dtype(dtype))

    def ints(self, v):
        """A size list (ints, DynInts, a Shape, or a mix) as a 1-D int64 tensor name."""
        if isinstance(v, Shape):
            return v.name
        if isinstance(v, DynInt):
            return self.op("Unsqueeze", [v.name, self.const([0], np.int64)])
        v = list(v)
        if all(isinstance(i, int) for i in v):
            return self.const(v, np.int64)
        parts = []
        run = []
        for i in v:
            if isinstance(i, int):
                run.append(i)
                continue
            if run:
                parts.append(self.const(run, np.int64))
                run = []
            parts.append(self.ints(i))
        if run:
            parts.append(self.const(run, np.int64))
        return self.op("Concat", parts, axis=0)


class _Recorder(Interpreter):
    """Run the captured graph once, keeping every node's example value."""

    def __init__(self, gm):
        super().__init__(gm, garbage_collect_values=False)
        self.values = {}

    def run_node(self, n):
        v = super().run_node(n)
        self.values[n] = v
        return v


class _ExportTracer(Tracer):
    """Record modules that have a module builder whole; trace through the rest."""

    def is_leaf_module(self, m, qualname):
        from ._modules import MODULE_BUILDERS

        return type(m).__module__.startswith("ember.nn") and type(m).__name__ in MODULE_BUILDERS


def _op_key(node, gm):
    """The builder table key of a node, and the name an error shows."""
    if node.op == "call_module":
        cls = type(gm.get_submodule(node.target))
        return ("module", cls.__name__), f"{cls.__module__}.{cls.__name__}"
    if node.op == "call_method":
        return ("fn", node.target), f"Tensor.{node.target}"
    t = node.target
    if getattr(t, "__module__", None) == "_operator" or t is getattr:
        return ("fn", t.__name__.strip("_")), f"operator.{t.__name__}"
    path = public_path(t)
    if path is not None:
        return ("fn", path.rsplit(".", 1)[1]), path
    return ("fn", None), qualified_name(t)


def export_model(model, args, kwargs, *, input_names, output_names, opset_version,
                 dynamic_axes, do_constant_folding, training, export_params):
    import onnx
    from onnx import helper

    from . import _ops_nn  # noqa: F401  (registers the F.* layer builders)
    from ._modules import MODULE_BUILDERS
    from ._ops import FUNCTION_BUILDERS

    was_training = getattr(model, "training", False)
    if isinstance(model, nn.Module) and int(training) == 0:
        model.eval()
    _state.active = True
    try:
        root = model if isinstance(model, nn.Module) else None
        if isinstance(model, GraphModule):
            gm = model  # already captured: export its graph as it is
        else:
            tracer = _ExportTracer()
            graph = tracer.trace(model)
            gm = GraphModule(tracer.root, graph,
                             type(model).__name__ if root is not None else model.__name__)
        rec = _Recorder(gm)
        with ember.no_grad():
            rec.run(*args, *kwargs.values())
    finally:
        _state.active = False
        if isinstance(model, nn.Module):
            model.train(was_training)

    b = Builder(opset_version)
    env = {}
    dynamic = set()
    graph_inputs = []
    input_names = list(input_names or [])
    for node in gm.graph.nodes:
        value = rec.values.get(node)
        if node.op == "placeholder":
            name = input_names[len(graph_inputs)] if len(graph_inputs) < len(input_names) \
                else node.name
            name = b.reserve(name)
            if not isinstance(value, ember.Tensor):
                env[node] = value  # a non-tensor input is fixed at export
                continue
            t = T(name, value.shape, value.dtype)
            graph_inputs.append(t)
            env[node] = t
            dynamic.add(node)
            continue
        if node.op == "output":
            out_value = map_arg(node.args[0], lambda n: env[n])
            break
        if node.op == "get_attr":
            env[node] = _as_value(b, value, node.target)
            continue
        is_dynamic = any(n in dynamic for n in node.all_input_nodes)
        if not is_dynamic and do_constant_folding:
            env[node] = _as_value(b, value, node.name)
            continue
        if is_dynamic:
            dynamic.add(node)
        key, shown = _op_key(node, gm)
        args_v = map_arg(node.args, lambda n: env[n])
        kwargs_v = map_arg(node.kwargs, lambda n: env[n])
        if key[0] == "module":
            fn = MODULE_BUILDERS.get(key[1])
            if fn is None:
                raise _unsupported(shown, opset_version)
            out = fn(b, gm.get_submodule(node.target), node.target, args_v, kwargs_v)
        else:
            fn = FUNCTION_BUILDERS.get(key[1])
            if fn is None:
                raise _unsupported(shown, opset_version)
            out = fn(b, args_v, kwargs_v, value)
            if out is NotImplemented:
                raise _unsupported(shown, opset_version)
        env[node] = _wrap(out, value)

    outputs = []
    flat = []

    def collect(v):
        flat.append(v)
        return v

    map_aggregate(out_value, collect)
    output_names = list(output_names or [])
    for i, v in enumerate(flat):
        if v is None:
            continue
        want = output_names[i] if i < len(output_names) else \
            ("output" if len(flat) == 1 else f"output_{i}")
        src = b.tensor(v)
        name = b.reserve(want)
        b.nodes.append(helper.make_node("Identity", [src], [name], name=f"Identity_out_{i}"))
        shape = v.shape if isinstance(v, T) else np.shape(v.value if hasattr(v, "value") else v)
        dtype = v.dtype if isinstance(v, T) else (ember.int64 if not isinstance(v, float)
                                                   else ember.float32)
        outputs.append(_value_info(name, shape, dtype, dynamic_axes.get(want)))
    inputs = [_value_info(t.name, t.shape, t.dtype, dynamic_axes.get(t.name))
              for t in graph_inputs]
    _prune(b, [o.name for o in outputs])
    g = helper.make_graph(b.nodes, type(model).__name__ if root is not None else "main",
                          inputs, outputs, initializer=list(b.initializers.values()))
    proto = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset_version)],
                              producer_name="ember", producer_version=ember.__version__)
    proto.ir_version = min(proto.ir_version, 9)  # readable by released onnxruntime builds
    onnx.checker.check_model(proto)
    return proto


def _prune(b, output_names):
    """Drop nodes and initializers no output depends on (unused LSTM states, folded
    leftovers)."""
    needed = set(output_names)
    kept = []
    for node in reversed(b.nodes):
        if any(o in needed for o in node.output):
            kept.append(node)
            needed.update(i for i in node.input if i)
    b.nodes = kept[::-1]
    b.initializers = {k: v for k, v in b.initializers.items() if k in needed}


def _unsupported(shown, opset):
    return UnsupportedOperatorError(
        f"Exporting the operator '{shown}' to ONNX opset version {opset} is not supported.")


def _value_info(name, shape, dtype, axes):
    from onnx import helper

    names = {}
    if isinstance(axes, dict):
        names = {int(k): v for k, v in axes.items()}
    elif axes is not None:
        names = {int(k): f"{name}_dynamic_axes_{int(k) + 1}" for k in axes}
    dims = [names.get(i, int(d)) for i, d in enumerate(shape)]
    return helper.make_tensor_value_info(name, onnx_dtype(dtype), dims)


def _as_value(b, value, hint):
    """A fixed value: tensors become initializers, everything else stays Python."""
    if isinstance(value, ember.Tensor):
        name = b.param(value, hint)
        return T(name, value.shape, value.dtype)
    if isinstance(value, (tuple, list)):
        return type(value)(_as_value(b, v, f"{hint}_{i}") for i, v in enumerate(value)) \
            if not isinstance(value, ember.Size) else tuple(value)
    return value


def _wrap(out, value):
    """A builder's output names paired with the example value's shape and dtype."""
    if isinstance(out, (T, DynInt, Shape)) or out is None:
        return out
    if isinstance(value, ember.Tensor):
        return T(out, value.shape, value.dtype)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return DynInt(out, value) if isinstance(out, str) else out
    if isinstance(value, (ember.Size,)) or (isinstance(value, tuple) and isinstance(out, str)):
        return Shape(out, value)
    if isinstance(value, (tuple, list)):
        return type(value)(_wrap(o, v) for o, v in zip(out, value))
    return out


