"""``ember.save`` / ``ember.load`` in PyTorch's own checkpoint format, and safetensors.

``save`` writes what ``torch.save`` writes (a zip archive with ``data.pkl``, ``data/<key>``
storages, ``byteorder``, ``version``; see ``_torch_format``), so ``torch.load(path)`` with its
default ``weights_only=True`` reads ember's tensors, state_dicts and optimizer state, and
``load`` reads files written by ``torch.save`` — pretrained PyTorch weights load into ember.

``load`` unpickles with a restricted unpickler by default (``weights_only=True``, as PyTorch
2.6+): only tensor-rebuilding functions, storages, dtypes, ``torch.Size``, ``torch.device``,
``OrderedDict`` and the globals allowed with ``add_safe_globals`` / ``safe_globals`` are built;
anything else raises ``pickle.UnpicklingError`` ("Weights only load failed ..."), so no file
runs code. A whole pickled ``nn.Module`` (``save(model, f)``) loads with ``weights_only=False``,
for trusted files only.

Untrusted and interrupted files: every size a file declares is checked before memory is
allocated for it, a damaged archive or pickle raises ``RuntimeError`` or
``pickle.UnpicklingError`` (never a bare zipfile/zlib/struct error), and ``save`` to a path
writes a temporary file and renames it, so a crash mid-save keeps the old file.

Also read: ember's earlier format (``ember/manifest.json``) and PyTorch's legacy pre-1.6
format. A path ending in ``.safetensors`` is read and written as safetensors.

Devices: ``save`` records each storage's device (``'cpu'``, ``'cuda:1'``) and writes its bytes
from a host copy; ``load`` puts storages back there, or where ``map_location`` says (a str, a
device, a dict of locations or a callable; see ``_map_location``). Differences from PyTorch:
views of one cuda tensor are saved as separate storages; PyTorch's legacy pre-1.6 files load
on the CPU whatever the saved location (``map_location`` is checked); ``mmap=True`` maps
storages copy-on-write with NumPy; ``save`` always writes the zip format
(``_use_new_zipfile_serialization=False`` is accepted and ignored).

Example::

    ember.save({"model": model.state_dict(), "optim": opt.state_dict(), "epoch": 3}, "ck.pt")
    ck = ember.load("ck.pt")
"""

from __future__ import annotations

import io
import os
import pickle

from . import _legacy, _torch_format
from ._ember_v1 import MANIFEST, _check_map_location, load_ember_v1
from ._safetensors import SafetensorError, load_file, load_safetensors, save_file, save_safetensors
from ._unpickler import (
    add_safe_globals,
    clear_safe_globals,
    get_safe_globals,
    globals_in_pickle,
    safe_globals,
)
from ._zip import Archive, atomic_write

__all__ = [
    "DEFAULT_PROTOCOL",
    "SafetensorError",
    "add_safe_globals",
    "clear_safe_globals",
    "get_safe_globals",
    "get_unsafe_globals_in_checkpoint",
    "load",
    "load_file",
    "load_safetensors",
    "safe_globals",
    "save",
    "save_file",
    "save_safetensors",
]

DEFAULT_PROTOCOL = 2

UNSAFE_MESSAGE = (
    "In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` "
    "from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will "
    "likely succeed, but it can result in arbitrary code execution. Do it only if you got the "
    "file from a trusted source."
)
DOCS_MESSAGE = (
    "\n\nCheck the documentation of torch.load to learn more about types accepted by default "
    "with weights_only https://pytorch.org/docs/stable/generated/torch.load.html."
)


def _is_path(f):
    return isinstance(f, (str, os.PathLike))


def _is_safetensors_path(f):
    return _is_path(f) and os.fspath(f).endswith(".safetensors")


def save(
    obj,
    f,
    pickle_module=pickle,
    pickle_protocol=DEFAULT_PROTOCOL,
    _use_new_zipfile_serialization=True,
    _disable_byteorder_record=False,
) -> None:
    """Save ``obj`` to the path or binary file ``f`` in PyTorch's checkpoint format (a path
    ending in ``.safetensors`` writes a flat ``{name: tensor}`` dict as safetensors).

    Tensors, state_dicts, optimizer state and plain containers load back with the default
    ``weights_only=True`` (in ember and in PyTorch); other objects (a whole ``nn.Module``)
    are pickled and need ``weights_only=False``. Saving to a path is atomic: the file is
    written under a temporary name and renamed over ``f``.
    """
    if _is_safetensors_path(f):
        save_safetensors(obj, f)
        return
    if _is_path(f):
        parent = os.path.dirname(os.path.abspath(os.fspath(f)))
        if not os.path.isdir(parent):
            raise RuntimeError(f"Parent directory {os.path.dirname(os.fspath(f))} does not exist.")
        if os.path.isdir(f):
            raise RuntimeError(f"cannot save to {os.fspath(f)!r}: Is a directory")
        prefix = os.path.splitext(os.path.basename(os.fspath(f)))[0] or "archive"
        with atomic_write(f) as fh:
            _torch_format.save_torch_zip(obj, fh, prefix, pickle_module, pickle_protocol)
    else:
        _torch_format.save_torch_zip(obj, f, "archive", pickle_module, pickle_protocol)


def _wo_message(message: str) -> str:
    """PyTorch's wording around a weights-only failure (torch.serialization._get_wo_message)."""
    if "was not an allowed global by default" in message:
        return (
            "Weights only load failed. This file can still be loaded, to do so you have two "
            "options, \033[1mdo those steps only if you trust the source of the checkpoint\033[0m. "
            f"\n\t(1) {UNSAFE_MESSAGE}\n\t(2) Alternatively, to load with `weights_only=True` "
            "please check the recommended steps in the following error message.\n\t"
            "WeightsUnpickler error: " + message + DOCS_MESSAGE
        )
    out = f"Weights only load failed. {UNSAFE_MESSAGE}\n"
    if "is blocked" not in message:
        out += (
            "Please file an issue with the following so that we can make `weights_only=True` "
            "compatible with your use case: WeightsUnpickler error: "
        )
    return out + "\n\n" + message + DOCS_MESSAGE


def _resolve_weights_only(weights_only, pickle_module):
    true_values = ("1", "y", "yes", "true")
    force_wo = os.getenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "0").lower() in true_values
    force_no = os.getenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "0").lower() in true_values
    not_set = weights_only is None
    if not_set:
        weights_only = pickle_module is None
    if force_wo and force_no:
        raise RuntimeError(
            "Only one of `TORCH_FORCE_WEIGHTS_ONLY_LOAD` or `TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD` "
            "should be set, but both were set."
        )
    if force_wo:
        weights_only = True
    elif force_no and not_set:
        weights_only = False
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    return bool(weights_only)


def load(
    f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args
):
    """Load what ``save`` or ``torch.save`` wrote, from a path, a binary file or bytes.

    ``weights_only`` (default True unless ``pickle_module`` is given, as in PyTorch) builds
    only tensors, containers and allow-listed globals; ``weights_only=False`` unpickles
    anything (trusted files only). ``map_location`` may be None (each storage back on the
    device it was saved from), 'cpu'/'cuda:1', a device, a dict of saved locations to new ones,
    or a callable ``(storage, location) -> storage or None``.
    ``mmap=True`` (a path) maps the storages copy-on-write instead of reading them.

    Raises ``pickle.UnpicklingError`` for a disallowed global or a malformed pickle, and
    ``RuntimeError`` for a damaged or truncated archive.
    """
    if _is_safetensors_path(f):
        return load_safetensors(f)
    weights_only = _resolve_weights_only(weights_only, pickle_module)
    if weights_only and pickle_load_args:
        import warnings

        warnings.warn("pickle_load_args only works if `weights_only=False`.", stacklevel=2)
        pickle_load_args = {}
    elif not weights_only:
        pickle_load_args.setdefault("encoding", "utf-8")
    if map_location is not None and not callable(map_location):
        _check_map_location(map_location)
    if mmap and not _is_path(f):
        raise ValueError("f must be a file path in order to use the mmap argument")
    if isinstance(f, (bytes, bytearray)):
        f = io.BytesIO(f)
    own = _is_path(f)
    fh = open(f, "rb") if own else f
    try:
        if not fh.seekable():
            fh = io.BytesIO(fh.read())
        start = fh.tell()
        head = fh.read(4)
        fh.seek(start)
        if head != b"PK\x03\x04":
            if mmap:
                raise RuntimeError(
                    "mmap can only be used with files saved with `torch.save(_use_new_zipfile_"
                    "serialization=True), please torch.save your checkpoint with this option "
                    "in order to use mmap."
                )
            return _guard(
                weights_only,
                lambda: _legacy.load_legacy(
                    fh, map_location, weights_only, pickle_module, pickle_load_args
                ),
            )
        archive = Archive(fh)
        try:
            if archive.has(MANIFEST):
                return load_ember_v1(
                    archive, map_location, weights_only, pickle_module, pickle_load_args
                )
            prefix = _torch_format.archive_prefix(archive)
            if prefix is None:
                raise RuntimeError(
                    "PytorchStreamReader failed locating file data.pkl: file not found"
                )
            if archive.has(f"{prefix}/constants.pkl") and weights_only:
                raise RuntimeError(
                    "Cannot use ``weights_only=True`` with TorchScript archives passed to "
                    "``torch.load``. " + UNSAFE_MESSAGE
                )
            mmap_path = os.fspath(f) if mmap else None
            return _guard(
                weights_only,
                lambda: _torch_format.load_torch_zip(
                    archive,
                    prefix,
                    map_location,
                    weights_only,
                    pickle_module,
                    mmap_path,
                    pickle_load_args,
                ),
            )
        finally:
            archive.close()
    finally:
        if own:
            fh.close()


def _guard(weights_only, run):
    if not weights_only:
        return run()
    try:
        return run()
    except pickle.UnpicklingError as e:
        raise pickle.UnpicklingError(_wo_message(str(e))) from None


def get_unsafe_globals_in_checkpoint(f) -> list[str]:
    """The ``module.name`` globals in a checkpoint's pickle that ``weights_only=True`` would
    refuse (found without running it), as ``torch.serialization.get_unsafe_globals_in_checkpoint``."""
    from ._unpickler import _allowed, _user_allowed

    own = _is_path(f)
    fh = open(f, "rb") if own else (io.BytesIO(f) if isinstance(f, (bytes, bytearray)) else f)
    try:
        archive = Archive(fh)
        try:
            prefix = _torch_format.archive_prefix(archive)
            if prefix is None:
                raise ValueError("Expected input to be a checkpoint returned by torch.save")
            found = globals_in_pickle(archive.read_record(f"{prefix}/data.pkl"))
        finally:
            archive.close()
    finally:
        if own:
            fh.close()
    safe = set(_allowed()) | set(_user_allowed())
    return [g for g in found if g not in safe]
