"""``ember.profiler``: PyTorch's ``torch.profiler`` for ember (CPU).

``profile`` records ops (``aten::mul``...), backward nodes (``MulBackward0`` under
``autograd::engine::evaluate_function: MulBackward0``), and ``record_function`` ranges;
``key_averages().table()`` prints PyTorch's summary table and ``export_chrome_trace`` writes a
trace that Perfetto and ``chrome://tracing`` open.

Example::

    import ember
    from ember.profiler import profile, record_function, ProfilerActivity

    model = ember.nn.Linear(16, 4)
    x = ember.randn(8, 16)
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        with record_function("train_step"):
            model(x).pow(2).mean().backward()
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=8))
"""

from .events import EventList, FunctionEvent, FunctionEventAvg  # noqa: F401
from .profiler import (  # noqa: F401
    ProfilerAction, ProfilerActivity, profile, record_function, schedule, supported_activities,
    tensorboard_trace_handler,
)

__all__ = ["ProfilerAction", "ProfilerActivity", "profile", "record_function", "schedule",
           "supported_activities", "tensorboard_trace_handler"]
