"""Point-to-point messages: send/recv, isend/irecv, and batches of them (P2POp).

A message carries the tensor's raw bytes, so any dtype travels unchanged. A receive checks
the size that arrived: a message of the wrong size raises RuntimeError rather than leaving
part of the tensor stale.

Example::

    if dist.get_rank() == 0:
        dist.send(ember.arange(4.), dst=1)
    else:
        t = ember.empty(4); dist.recv(t, src=0)
"""

from __future__ import annotations

import time

from .collectives import _array, _bytes, _flat, _group, _root, _write
from .process_group import _mpi
from .work import Work

__all__ = ["P2POp", "batch_isend_irecv", "irecv", "isend", "recv", "send"]


def _peer(pg, rank, group_rank, what, name):
    peer = _root(pg, rank, group_rank, what)
    if peer == pg._rank:
        kind = "destination" if what == "dst" else "source"
        raise ValueError(
            f"Invalid {kind} rank: {kind} rank should not be the same as the rank "
            "of the current process."
        )
    return peer


def _check_size(name, status, expected, pg):
    MPI = _mpi()
    got = status.Get_count(MPI.BYTE)
    if got != expected:
        src = pg._ranks[status.Get_source()]
        raise RuntimeError(
            f"{name}: rank {src} sent {got} bytes but the receiving tensor has "
            f"{expected} bytes; sender and receiver must use the same size"
        )


def _recv_error(name, e, expected):
    return RuntimeError(
        f"{name}: the message is larger than the receiving tensor ({expected} "
        f"bytes); sender and receiver must use the same size ({e})"
    )


def send(tensor, dst=None, group=None, tag=0, group_dst=None) -> None:
    """Send ``tensor`` to rank ``dst`` (blocks until the message is on its way)."""
    pg = _group(group, "send")
    if pg is None:
        return
    a = _array(tensor, "send")
    peer = _peer(pg, dst, group_dst, "dst", "send")
    pg._comm.Send(_bytes(_flat(a)), peer, tag)
    return


def _source(pg, src, group_src, name):
    """The MPI rank to receive from: ``src`` (or ``group_src`` in ``pg``), any rank if neither."""
    if src is None and group_src is None:
        return _mpi().ANY_SOURCE
    return _peer(pg, src, group_src, "src", name)


def recv(tensor, src=None, group=None, tag=0, group_src=None) -> int:
    """Receive into ``tensor`` from rank ``src`` (any rank if None); returns the sender's rank."""
    pg = _group(group, "recv")
    if pg is None:
        return -1
    MPI = _mpi()
    a = _array(tensor, "recv")
    peer = _source(pg, src, group_src, "recv")
    buf = _flat(a)
    status = MPI.Status()
    try:
        pg._comm.Recv(_bytes(buf), peer, tag, status)
    except MPI.Exception as e:
        raise _recv_error("recv", e, buf.nbytes) from None
    _check_size("recv", status, buf.nbytes, pg)
    _write(tensor, a, buf)
    return pg._ranks[status.Get_source()]


def isend(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Start sending ``tensor`` to ``dst``; returns a Work (do not modify ``tensor`` until it
    completes)."""
    pg = _group(group, "isend")
    if pg is None:
        return None
    a = _array(tensor, "isend")
    peer = _peer(pg, dst, group_dst, "dst", "isend")
    buf = _flat(a)
    return Work([pg._comm.Isend(_bytes(buf), peer, tag)], None, [tensor], pg)


def irecv(tensor, src=None, group=None, tag=0, group_src=None):
    """Start receiving into ``tensor``; returns a Work (``source_rank()`` names the sender)."""
    pg = _group(group, "irecv")
    if pg is None:
        return None
    a = _array(tensor, "irecv")
    peer = _source(pg, src, group_src, "irecv")
    buf = _flat(a)
    work = _RecvWork([pg._comm.Irecv(_bytes(buf), peer, tag)], None, [tensor], pg)
    work._finish = lambda: _write(tensor, a, buf)
    work._expected = buf.nbytes
    return work


class _RecvWork(Work):
    """A receive's Work: checks the size that arrived and reports the sender's global rank."""

    _expected = 0
    _status = None

    def _ready(self):
        MPI = _mpi()
        status = MPI.Status()
        try:
            done = self._requests[0].Test(status)
        except MPI.Exception as e:
            raise _recv_error("irecv", e, self._expected) from None
        if done:
            self._status = status
        return done

    def _block(self, deadline):
        MPI = _mpi()
        if self._status is None:
            if deadline is None:
                status = MPI.Status()
                try:
                    self._requests[0].Wait(status)
                except MPI.Exception as e:
                    raise _recv_error("irecv", e, self._expected) from None
                self._status = status
            else:
                pause = 1e-5
                while not self._ready():  # _ready keeps the status of the completed receive
                    if time.monotonic() > deadline:
                        raise RuntimeError(
                            "Work.wait timed out: the operation did not complete in time"
                        )
                    time.sleep(pause)
                    pause = min(pause * 2, 1e-3)
        _check_size("irecv", self._status, self._expected, self._pg)
        self._source = self._pg._ranks[self._status.Get_source()]

    def is_completed(self):
        if not self._done and self._ready():
            self._block(None)
            self._complete()
        return self._done


class P2POp:
    """One send or receive for ``batch_isend_irecv``: ``P2POp(dist.isend, t, peer)``."""

    def __init__(self, op, tensor, peer=None, group=None, tag=0, group_peer=None):
        if op not in (isend, irecv):
            raise ValueError(
                "Invalid ``op``. Expected ``op`` to be of type ``torch.distributed.isend`` or "
                "``torch.distributed.irecv``."
            )
        self.op, self.tensor, self.peer = op, tensor, peer
        self.group, self.tag, self.group_peer = group, tag, group_peer


def batch_isend_irecv(p2p_op_list):
    """Start every send and receive of the list; returns their Works, in order."""
    if not p2p_op_list or not all(isinstance(p, P2POp) for p in p2p_op_list):
        raise ValueError(
            "Invalid ``p2p_op_list``. Each op is expected to to be of type "
            "``torch.distributed.P2POp``."
        )
    works = []
    for p in p2p_op_list:
        if p.op is isend:
            works.append(isend(p.tensor, p.peer, p.group, p.tag, group_dst=p.group_peer))
        else:
            works.append(irecv(p.tensor, p.peer, p.group, p.tag, group_src=p.group_peer))
    return works
