"""ember.onnx: ``export`` a model to an ONNX file, as ``torch.onnx.export`` does.

The model is captured with ember.fx (the same tracer ``symbolic_trace`` uses), run once on
the example inputs to learn every value's shape and dtype, and each node is translated by a
table of builders (op -> ONNX nodes) into a ``ModelProto`` written with the ``onnx`` package
(the ``onnx`` extra; imported only when ``export`` runs). An op with no builder raises
``UnsupportedOperatorError`` naming it. See docs/onnx.md.
"""

from __future__ import annotations

__all__ = ["export", "OnnxExporterError", "UnsupportedOperatorError", "TrainingMode"]

import enum


class OnnxExporterError(RuntimeError):
    """The export failed."""


class UnsupportedOperatorError(OnnxExporterError):
    """The model uses an op that has no ONNX translation (its message names the op)."""


class TrainingMode(enum.IntEnum):
    EVAL = 0
    PRESERVE = 1
    TRAINING = 2


def export(model, args=(), f=None, *, kwargs=None, export_params: bool = True,
           verbose=None, input_names=None, output_names=None, opset_version=None,
           dynamic_axes=None, do_constant_folding: bool = True, training=TrainingMode.EVAL,
           keep_initializers_as_inputs: bool = False, dynamo: bool = False,
           external_data: bool = True, **unused):
    """Export ``model`` called on ``args`` to ONNX and write it to ``f`` (a path or a binary
    file); returns the ``onnx.ModelProto``.

    Arguments follow ``torch.onnx.export``: ``input_names``/``output_names`` name the graph's
    inputs and outputs (flattened), ``dynamic_axes`` maps a name to the axes that vary
    (``{"x": {0: "batch"}}`` or ``{"x": [0]}``), ``opset_version`` defaults to 17,
    ``do_constant_folding`` evaluates input-independent nodes into initializers. The model is
    exported in eval mode (``training=TrainingMode.EVAL``) and restored afterwards.
    ``dynamo`` is accepted and ignored: ember has one exporter, built on ember.fx.

    Example::

        >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU())
        >>> ember.onnx.export(model, (ember.randn(2, 4),), "mlp.onnx", input_names=["x"],
        ...                   output_names=["y"], dynamic_axes={"x": {0: "batch"}})
    """
    from ._export import export_model

    if not isinstance(args, tuple):
        args = (args,)
    proto = export_model(model, args, kwargs or {}, input_names=input_names,
                         output_names=output_names, opset_version=opset_version or 17,
                         dynamic_axes=dynamic_axes or {}, do_constant_folding=do_constant_folding,
                         training=training, export_params=export_params)
    if f is not None:
        import onnx

        if isinstance(f, (str, bytes)) or hasattr(f, "__fspath__"):
            onnx.save(proto, f)
        else:
            f.write(proto.SerializeToString())
    if verbose:
        import onnx

        print(onnx.helper.printable_graph(proto.graph))
    return proto


def is_in_onnx_export() -> bool:
    """True while ``export`` is capturing a model on this thread."""
    from . import _export

    return _export.in_export()
