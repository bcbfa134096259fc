"""What the dispatch door (ember.autograd.dispatch) gives symbolic tracing in this checkout.

* ``MODULE_DOOR``: ``nn.Module.__call__`` consults the mode stack, so the tracer sees module
  calls; with Proxies' own operators and methods this traces programs made of module calls,
  operators and tensor methods.
* ``DOOR``: ember's public functions (``ember.relu``, ``F.linear``...) consult
  ``__torch_function__``, so calls of them on Proxies are recorded too.
"""

import pytest


def _door_open() -> bool:
    import ember

    class Probe:
        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            return "seen"

    try:
        return ember.relu(Probe()) == "seen" and ember.nn.functional.linear(Probe(), None) == \
            "seen"
    except Exception:  # noqa: BLE001 - any failure means the door is not there
        return False


def _module_door_open() -> bool:
    import ember

    try:
        from ember.autograd.dispatch import DispatchMode
    except ImportError:
        return False
    seen = []

    class Watch(DispatchMode):
        def __ember_module_call__(self, module, forward, args, kwargs):
            seen.append(module)
            return forward(*args, **kwargs)

    m = ember.nn.Identity()
    with Watch():
        m(ember.ones(1))
    return seen == [m]


DOOR = _door_open()
MODULE_DOOR = _module_door_open()
needs_door = pytest.mark.skipif(
    not DOOR, reason="tracing ember functions (ember.relu, F.linear) on Proxies needs ember's "
                     "public functions to consult __torch_function__ (the dispatch door); in "
                     "this checkout they do not yet")
needs_module_door = pytest.mark.skipif(
    not MODULE_DOOR, reason="symbolic tracing needs nn.Module.__call__ to consult the dispatch "
                            "modes (ember.autograd.dispatch), which this checkout lacks")
