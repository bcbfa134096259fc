"""``torch.backends.cuda``: the TF32 / SDPA switches programs set; no CUDA in ember."""


class _MatmulFlags:
    allow_tf32 = False
    allow_fp16_reduced_precision_reduction = True
    allow_bf16_reduced_precision_reduction = True


matmul = _MatmulFlags()


def is_built() -> bool:
    return False


def enable_flash_sdp(enabled: bool) -> None:
    """Accepted and ignored: ember's attention has one CPU implementation."""


def enable_mem_efficient_sdp(enabled: bool) -> None:
    """Accepted and ignored."""


def enable_math_sdp(enabled: bool) -> None:
    """Accepted and ignored."""
