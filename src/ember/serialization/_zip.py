"""Reading and writing checkpoint zip archives without trusting them.

Every read goes through ``Archive``: it checks a member's declared size against what the
caller expects *before* reading it, reads tensor data (stored uncompressed, as both
``torch.save`` and ``ember.save`` write it) straight from the file into one preallocated array,
checks the CRC, and turns every way a damaged archive can fail (zipfile's, zlib's, struct's,
OverflowError, truncated files) into ``RuntimeError`` with PyTorch's wording
("PytorchStreamReader failed ..."). So a 1 MiB file that declares a 1 GiB member is refused
without allocating 1 GiB, and nothing in a bad file surfaces as a bare library error.

``atomic_write`` gives ``save`` its crash safety: the new checkpoint is written to a temporary
file beside the target and renamed over it, so an interrupted save keeps the old file.
"""

from __future__ import annotations

import contextlib
import os
import struct
import tempfile
import zipfile
import zlib

import numpy as np

# A deflated stream inflates at most ~1032x; a member that claims more is forged.
_DEFLATE_MAX_RATIO = 1032
# data.pkl / manifests / small records; a pickle of a state_dict with 100k entries is ~10 MB.
MAX_RECORD = 256 << 20
_ALIGN = 64  # torch.save aligns each data member to 64 bytes (".storage_alignment")

_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    struct.error,
    OverflowError,
    ValueError,
    EOFError,
    OSError,
    NotImplementedError,
    UnicodeDecodeError,
    IndexError,
    KeyError,
    TypeError,
    MemoryError,
)


def reader_error(msg: str) -> RuntimeError:
    return RuntimeError(f"PytorchStreamReader failed {msg}")


class Archive:
    """A zip checkpoint opened for reading; ``fh`` must be a seekable binary file."""

    def __init__(self, fh):
        self.fh = fh
        try:
            self.start = fh.tell()
            fh.seek(0, os.SEEK_END)
            self.end = fh.tell()
            fh.seek(self.start)
            self.zf = zipfile.ZipFile(fh)
            self.infos = {}
            for info in self.zf.infolist():
                self.infos.setdefault(info.filename, info)
        except _ZIP_ERRORS as e:
            raise reader_error(
                f"reading zip archive: failed finding central directory ({type(e).__name__}: {e})"
            ) from None
        self.names = list(self.infos)

    def close(self):
        with contextlib.suppress(Exception):
            self.zf.close()

    def has(self, name: str) -> bool:
        return name in self.infos

    def info(self, name: str) -> zipfile.ZipInfo:
        info = self.infos.get(name)
        if info is None:
            raise reader_error(f"locating file {name}: file not found")
        return info

    def size(self, name: str) -> int:
        return self.info(name).file_size

    def _data_offset(self, info) -> int:
        """Where a stored member's bytes start (its local header has its own name/extra)."""
        self.fh.seek(info.header_offset)
        head = self.fh.read(30)
        if len(head) != 30 or head[:4] != b"PK\x03\x04":
            raise reader_error(f"reading file {info.filename}: bad local file header")
        n, m = struct.unpack("<HH", head[26:30])
        return info.header_offset + 30 + n + m

    def read_record(self, name: str, limit: int = MAX_RECORD) -> bytes:
        """A small record (data.pkl, a manifest, version): compressed or not, at most
        ``limit`` bytes once inflated."""
        info = self.info(name)
        self._check_declared(info, limit)
        try:
            with self.zf.open(info) as m:
                data = m.read(info.file_size + 1)
        except _ZIP_ERRORS as e:
            raise reader_error(f"reading file {name}: {type(e).__name__}: {e}") from None
        if len(data) != info.file_size:
            raise reader_error(f"reading file {name}: file read failed (truncated)")
        return data

    def _check_declared(self, info, limit):
        name = info.filename
        if info.file_size > limit:
            raise reader_error(
                f"reading file {name}: declared size {info.file_size} bytes is over the "
                f"limit of {limit} bytes for this record"
            )
        if info.compress_type == zipfile.ZIP_STORED:
            if info.compress_size != info.file_size:
                raise reader_error(f"reading file {name}: stored sizes disagree")
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            if info.file_size > _DEFLATE_MAX_RATIO * info.compress_size + 1024:
                raise reader_error(
                    f"reading file {name}: declared size {info.file_size} bytes cannot come "
                    f"from {info.compress_size} deflated bytes"
                )
        else:
            raise reader_error(
                f"reading file {name}: unsupported compression method {info.compress_type}"
            )
        if info.compress_size > self.end - self.start:
            raise reader_error(f"reading file {name}: member is larger than the archive")

    def read_array(self, name: str, nbytes: int, mmap_path=None) -> np.ndarray:
        """A tensor data member as a writable uint8 array of exactly ``nbytes`` bytes.

        The declared size is checked first; the data must be stored uncompressed (torch.save
        and ember.save never compress it), so its size on disk is its size in memory and a
        small file cannot make this allocate much. ``mmap_path`` maps it copy-on-write
        instead of reading it.
        """
        info = self.info(name)
        if info.file_size != nbytes:
            raise reader_error(
                f"reading file {name}: it holds {info.file_size} bytes but the checkpoint "
                f"declares a storage of {nbytes} bytes"
            )
        if info.compress_type != zipfile.ZIP_STORED:
            raise reader_error(
                f"reading file {name}: tensor data is compressed; torch.save and ember.save "
                "store it uncompressed, and ember does not inflate it"
            )
        try:
            off = self._data_offset(info)
            if info.compress_size != nbytes or off + nbytes > self.end:
                raise reader_error(f"reading file {name}: file read failed (truncated archive)")
            if mmap_path is not None:
                if nbytes == 0:
                    return np.zeros(0, np.uint8)
                return np.memmap(mmap_path, dtype=np.uint8, mode="c", offset=off, shape=(nbytes,))
            out = np.empty(nbytes, dtype=np.uint8)
            self.fh.seek(off)
            got = self.fh.readinto(memoryview(out)) if nbytes else 0
        except _ZIP_ERRORS as e:
            raise reader_error(f"reading file {name}: {type(e).__name__}: {e}") from None
        if got != nbytes:
            raise reader_error(f"reading file {name}: file read failed (truncated archive)")
        if zlib.crc32(out) != info.CRC:
            raise reader_error(f"reading file {name}: invalid CRC-32 (the data is damaged)")
        return out


class ArchiveWriter:
    """Writes members the way torch.save does: stored, data members aligned to 64 bytes."""

    def __init__(self, fh, prefix: str):
        self.prefix = prefix
        self.zf = zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED, allowZip64=True)

    def write(self, name: str, data, align: bool = False):
        info = zipfile.ZipInfo(f"{self.prefix}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_STORED
        size = len(data) if not isinstance(data, np.ndarray) else data.nbytes
        if align:
            try:
                here = self.zf.fp.tell()
            except (AttributeError, OSError):
                here = None
            if here is not None:
                # pad the local header with an unknown extra field ("FB", as PyTorch's writer
                # does) so the data starts on a 64-byte boundary
                zip64 = 20 if size >= zipfile.ZIP64_LIMIT else 0
                fixed = here + 30 + len(info.filename.encode()) + 4 + zip64
                pad = -fixed % _ALIGN
                info.extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
        self.zf.writestr(info, data)

    def close(self):
        self.zf.close()

    def abort(self):
        """Drop the archive unfinished (no central directory is written)."""
        self.zf.fp = None


@contextlib.contextmanager
def atomic_write(path):
    """Open a temporary file beside ``path``; on success fsync it and rename it over ``path``
    (an interrupted save leaves the old file untouched); on failure remove it."""
    path = os.path.realpath(os.fspath(path))  # through a symlink, as writing in place would
    folder = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        try:
            mode = os.stat(path).st_mode & 0o7777
        except OSError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
