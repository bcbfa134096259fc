"""The profiler's summary table, laid out column for column as PyTorch's ``_build_table``
(CPU only: no device columns, no FLOPs), so a profile of ember and one of PyTorch read alike.
"""

from __future__ import annotations

import math

__all__ = ["build_table", "format_memory", "format_time", "format_time_share"]

_FLOP_UNITS = ["FLOPs", "KFLOPs", "MFLOPs", "GFLOPs", "TFLOPs", "PFLOPs"]

_US_IN_SECOND = 1000.0 * 1000.0
_US_IN_MS = 1000.0


def format_time(time_us) -> str:
    if time_us >= _US_IN_SECOND:
        return f"{time_us / _US_IN_SECOND:.3f}s"
    if time_us >= _US_IN_MS:
        return f"{time_us / _US_IN_MS:.3f}ms"
    return f"{time_us:.3f}us"


def format_time_share(time_us, total_time_us) -> str:
    if total_time_us == 0:
        return "NaN"
    return f"{time_us * 100.0 / total_time_us:.2f}%"


def format_memory(nbytes) -> str:
    kb = 1024
    mb = 1024 * kb
    gb = 1024 * mb
    if abs(nbytes) >= gb:
        return f"{nbytes * 1.0 / gb:.2f} GB"
    if abs(nbytes) >= mb:
        return f"{nbytes * 1.0 / mb:.2f} MB"
    if abs(nbytes) >= kb:
        return f"{nbytes * 1.0 / kb:.2f} KB"
    return str(nbytes) + " B"


def _unit(time_us, default, time_unit) -> str:
    if time_unit == "s":
        return f"{time_us / _US_IN_SECOND:.3f}s"
    if time_unit == "ms":
        return f"{time_us / _US_IN_MS:.3f}ms"
    if time_unit == "us":
        return f"{time_us:.3f}us"
    return default


def _trim_path(path, width) -> str:
    if len(path) > width:
        path = path[len(path) - width:]
        if len(path) > 3:
            path = "..." + path[3:]
    return path


def build_table(events, sort_by=None, row_limit=100, max_src_column_width=75,
                max_name_column_width=55, max_shapes_column_width=80, header=None,
                profile_memory=False, with_flops=False, top_level_events_only=False,
                time_unit=None) -> str:
    """Format ``events`` (``FunctionEvent`` or ``FunctionEventAvg``) as PyTorch does."""
    if len(events) == 0:
        return ""
    if sort_by is not None:
        if not hasattr(events[0], sort_by.replace("cuda", "device")):
            raise AttributeError(
                f"'{type(events[0]).__name__}' object has no attribute '{sort_by}'")
        events = sorted(events, key=lambda e: getattr(e, sort_by.replace("cuda", "device")),
                        reverse=True)
    has_input_shapes = any(e.input_shapes is not None and len(e.input_shapes) > 0
                           for e in events)
    name_w = max(len(e.key) for e in events) + 4
    if max_name_column_width is not None:
        name_w = min(name_w, max_name_column_width)
    shapes_w = max(len(str(e.input_shapes)) for e in events) + 4
    if max_shapes_column_width is not None:
        shapes_w = min(shapes_w, max_shapes_column_width)
    stacks = [e.stack for e in events if e.stack is not None and len(e.stack) > 0]
    has_stack = len(stacks) > 0
    src_w = None
    if has_stack:
        src_w = max(max(len(entry) for entry in st) for st in stacks) + 4
        if max_src_column_width is not None:
            src_w = min(src_w, max_src_column_width)

    headers = ["Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg"]
    if profile_memory:
        headers += ["CPU Mem", "Self CPU Mem"]
    headers.append("# of Calls")

    spacing = 2
    fmt, sep, line_len = [""], [""], [-spacing]

    def add_column(padding, text_dir=">"):
        fmt[0] += "{: " + text_dir + str(padding) + "}" + " " * spacing
        sep[0] += "-" * padding + " " * spacing
        line_len[0] += padding + spacing

    add_column(name_w)
    for _ in headers[1:]:
        add_column(12)
    if has_input_shapes:
        headers.append("Input Shapes")
        add_column(shapes_w)
    if has_stack:
        headers.append("Source Location")
        add_column(src_w, text_dir="<")
    raw_flops = [e.flops for e in events if e.flops > 0] if with_flops else []
    if raw_flops:  # PyTorch scales the column by its smallest count
        k = int(max(0, min(math.log10(min(raw_flops)) / 3, len(_FLOP_UNITS) - 1)))
        flops_scale = 10.0 ** (-3 * k)
        headers.append(f"Total {_FLOP_UNITS[k]}")
        add_column(12)
    row_format, header_sep, line_length = fmt[0], sep[0], line_len[0]

    result = []

    def append(s):
        result.append(s)
        result.append("\n")

    total_self = sum(e.self_cpu_time_total for e in events)
    if header is not None:
        append("=" * line_length)
        append(header)
    if top_level_events_only:
        append("=" * line_length)
        append("This report only display top-level ops statistics")
    append(header_sep)
    append(row_format.format(*headers))
    append(header_sep)

    shown = 0
    for e in events:
        if shown == row_limit:
            break
        if top_level_events_only and e.cpu_parent is not None:
            continue
        shown += 1
        name = e.key
        if max_name_column_width is not None and len(name) >= max_name_column_width - 3:
            name = name[: max_name_column_width - 3] + "..."
        row = [name,
               format_time_share(e.self_cpu_time_total, total_self),
               _unit(e.self_cpu_time_total, format_time(e.self_cpu_time_total), time_unit),
               format_time_share(e.cpu_time_total, total_self),
               _unit(e.cpu_time_total, format_time(e.cpu_time_total), time_unit),
               _unit(e.cpu_time, format_time(e.cpu_time), time_unit)]
        if profile_memory:
            row += [format_memory(e.cpu_memory_usage), format_memory(e.self_cpu_memory_usage)]
        row.append(e.count)
        if has_input_shapes:
            row.append(str(e.input_shapes)[:shapes_w])
        if has_stack:
            st = e.stack or []
            row.append(_trim_path(st[0], src_w) if st else "")
        if raw_flops:
            row.append("--" if e.flops <= 0 else f"{e.flops * flops_scale:8.3f}")
        append(row_format.format(*row))
        if has_stack:
            empty = [""] * (len(headers) - 1)
            for entry in (e.stack or [])[1:]:
                append(row_format.format(*(empty + [_trim_path(entry, src_w)])))
            empty.append("")
            append(row_format.format(*empty))
    append(header_sep)
    append(f"Self CPU time total: {_unit(total_self, format_time(total_self), time_unit)}")
    return "".join(result)
