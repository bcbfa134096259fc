"""The array-level recorder and the replayed program, on plain NumPy code."""

import numpy as np
import pytest

from ember.compiler.program import Program
from ember.compiler.recording_xp import recording_xp
from ember.compiler.tracer import GuardFailed, Recorder, TracedArray


def capture(fn, *arrays):
    rec = Recorder()
    leaves = [rec.leaf(a) for a in arrays]
    with rec:
        out = fn(*leaves)
    outs = out if isinstance(out, tuple) else (out,)
    return rec, Program(rec, [x._slot for x in leaves], [o._slot for o in outs])


def test_replay_recomputes_from_new_inputs():
    def f(a, b):
        c = np.exp(a) * b + a.T.sum(axis=0)
        return c.reshape(-1)[1:]

    a, b = np.ones((3, 3), np.float32), np.full((3, 3), 2.0, np.float32)
    rec, prog = capture(f, a, b)
    assert rec.failed is None
    x, y = np.arange(9.0).reshape(3, 3), np.linspace(0, 1, 9).reshape(3, 3)
    (got,) = prog.run([x, y])
    np.testing.assert_array_equal(got, f(x, y))


def test_creation_through_the_backend_is_recorded_fresh():
    def f(a):
        out = recording_xp.zeros(a.shape, a.dtype)
        np.put_along_axis(out, np.argmax(a, axis=1)[:, None], 1.0, axis=1)  # returns None
        return out * a

    a = np.array([[1.0, 3.0], [5.0, 2.0]])
    _, prog = capture(f, a)
    for x in (np.array([[4.0, 1.0], [0.0, 2.0]]), a):
        (got,) = prog.run([x])  # a constant zeros array would keep the first run's ones
        np.testing.assert_array_equal(got, f(x))


def test_unused_calls_are_dropped_and_writes_kept():
    scratch = np.empty(3)

    def f(a):
        np.sin(a)  # unused: dropped
        np.multiply(a, 2.0, out=scratch)  # writes a buffer the program does not own: kept
        a += scratch  # an input modified in place: kept
        return a * 1.0

    a = np.ones(3)
    rec, prog = capture(f, a.copy())
    assert len(prog.instrs) == len(rec.instrs) - 1
    x = np.array([1.0, 2.0, 3.0])
    (got,) = prog.run([x])
    np.testing.assert_array_equal(x, [3.0, 6.0, 9.0])
    np.testing.assert_array_equal(got, [3.0, 6.0, 9.0])


def test_copy_of_a_dead_temporary_is_elided():
    def f(a):
        t = a * 2.0
        return t.copy() + 1.0

    rec, prog = capture(f, np.ones(4))
    assert len(prog.instrs) == len(rec.instrs) - 1
    (got,) = prog.run([np.arange(4.0)])
    np.testing.assert_array_equal(got, np.arange(4.0) * 2 + 1)


def test_python_reads_become_guards_and_bad_reads_fail():
    def f(a):
        if a.sum() > 0:
            return a * 2.0
        return a * 3.0

    rec, prog = capture(f, np.ones(2))
    assert rec.failed is None
    np.testing.assert_array_equal(prog.run([np.full(2, 5.0)])[0], [10.0, 10.0])
    with pytest.raises(GuardFailed):
        prog.run([np.full(2, -5.0)])

    rec, _ = capture(lambda a: a * len(a.tolist()), np.ones(2))
    assert "tolist" in rec.failed


def test_item_is_a_traced_scalar():
    def f(a):
        s = a.max().item()
        return a / (s * 2.0 + 1.0)

    rec, prog = capture(f, np.array([1.0, 4.0]))
    assert rec.failed is None
    x = np.array([2.0, 3.0])
    np.testing.assert_array_equal(prog.run([x])[0], f(x))


def test_traced_arrays_are_plain_outside_a_capture():
    t = np.arange(4.0).view(TracedArray)
    u = (t + 1).reshape(2, 2).T
    assert np.array_equal(np.asarray(u), [[1.0, 3.0], [2.0, 4.0]])
    t[0] = 7.0
    assert float(t[0]) == 7.0 and bool(t.any())
