"""``ember.autograd.profiler``: PyTorch's older profiler entry points, on ``ember.profiler``.

``profile`` here takes ``torch.autograd.profiler.profile``'s arguments (``enabled``,
``use_cuda``, ``record_shapes``...) and records with the same machinery as
``ember.profiler.profile``; ``record_function`` is the same class.

Example::

    from ember.autograd.profiler import profile, record_function

    x = ember.randn(8, 8, requires_grad=True)
    with profile(record_shapes=True) as prof:
        with record_function("block"):
            (x @ x).sum().backward()
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=5))
"""

from __future__ import annotations

from ..profiler import profile as _profile
from ..profiler import record_function  # noqa: F401
from ..profiler.events import EventList, FunctionEvent, FunctionEventAvg  # noqa: F401

__all__ = ["EventList", "FunctionEvent", "FunctionEventAvg", "profile", "record_function"]


class profile(_profile):
    """``torch.autograd.profiler.profile``: profile the ``with`` block (``enabled=False``
    makes it do nothing). Results: ``function_events``, ``key_averages()``, ``table()``,
    ``export_chrome_trace(path)``, ``total_average()``, ``self_cpu_time_total``.

    ``use_cuda``/``use_device`` are accepted; ember records CPU activity only.
    """

    def __init__(self, enabled: bool = True, *, use_cuda=False, use_device=None,
                 record_shapes=False, with_flops=False, profile_memory=False, with_stack=False,
                 with_modules=False, use_kineto=False, use_cpu=True, experimental_config=None,
                 acc_events=False, custom_trace_id_callback=None):
        super().__init__(record_shapes=record_shapes, profile_memory=profile_memory,
                         with_stack=with_stack, with_flops=with_flops,
                         with_modules=with_modules, use_cuda=use_cuda or use_device,
                         custom_trace_id_callback=custom_trace_id_callback)
        self.enabled = enabled
        self.entered = False

    def __enter__(self):
        if not self.enabled:
            return self
        if self.entered:
            raise RuntimeError("Profiler context manager is not reentrant")
        self.entered = True
        self.start()
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        if self.enabled:
            self.stop()
        return False

    def _check_finished(self):
        if self._finished is None:
            raise RuntimeError("Profiler didn't finish running")

    @property
    def function_events(self) -> EventList:
        self._check_finished()
        return self.events()

    def table(self, sort_by=None, row_limit=100, max_src_column_width=75,
              max_name_column_width=55, max_shapes_column_width=80, header=None,
              top_level_events_only=False, time_unit=None) -> str:
        self._check_finished()
        return self.events().table(sort_by=sort_by, row_limit=row_limit,
                                   max_src_column_width=max_src_column_width,
                                   max_name_column_width=max_name_column_width,
                                   max_shapes_column_width=max_shapes_column_width,
                                   header=header, top_level_events_only=top_level_events_only,
                                   time_unit=time_unit)

    def total_average(self) -> FunctionEventAvg:
        self._check_finished()
        return self.events().total_average()

    def __str__(self):
        return self.table()
