"""``torch.utils.tensorboard``: ``SummaryWriter`` logs scalars, histograms, images, text,
figures and hyper-parameters to TensorBoard event files, on the ``tensorboard`` package (the
optional extra ``pip install ember[tensorboard]``; importing ``ember`` never imports it).

Example::

    from ember.utils.tensorboard import SummaryWriter
    with SummaryWriter("runs/exp1") as w:
        for step in range(100):
            w.add_scalar("loss", loss.item(), step)

Differences from PyTorch: ``add_graph``, ``add_embedding``, ``add_video``, ``add_audio``,
``add_mesh``, ``add_pr_curve`` and the custom-scalar layouts are not provided; images are
encoded as PNG without Pillow (Pillow is used only to resize when ``rescale != 1``).
"""

try:
    import tensorboard
except ImportError as e:  # the optional extra is not installed
    raise ImportError(
        "ember.utils.tensorboard needs the tensorboard package: pip install tensorboard "
        "(or the ember[tensorboard] extra)"
    ) from e

if tuple(int(p) for p in tensorboard.__version__.split(".")[:2] if p.isdigit()) < (1, 15):
    raise ImportError("TensorBoard logging requires TensorBoard version 1.15 or above")
del tensorboard

from tensorboard.summary.writer.record_writer import RecordWriter  # noqa: E402

from .writer import FileWriter, SummaryWriter  # noqa: E402

__all__ = ["FileWriter", "RecordWriter", "SummaryWriter"]
