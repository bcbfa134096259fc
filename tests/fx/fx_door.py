import pytest


def _door_open() -> bool:
    """Whether ember's public ops consult __torch_function__ (the dispatch door), which
    symbolic tracing needs."""
    import ember

    class Probe:
        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            return "seen"

    try:
        return ember.relu(Probe()) == "seen"
    except Exception:  # noqa: BLE001 - any failure means the door is not there
        return False


DOOR = _door_open()
needs_door = pytest.mark.skipif(
    not DOOR, reason="symbolic tracing needs the dispatch door (ember.autograd.dispatch): "
                     "ember's public ops do not consult __torch_function__ in this checkout")
