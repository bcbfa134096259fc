"""grid_sample and affine_grid, composed from indexing ops."""

from __future__ import annotations

import warnings

from ...tensor import Tensor
from ..factories import linspace, ones, tensor
from ..pointwise.clamp import where
from ..shape.join import stack


__all__ = ["affine_grid", "grid_sample"]


_ALIGN_WARNING = (
    "Default grid_sample and affine_grid behavior has changed to align_corners=False since "
    "1.3.0. Please specify align_corners=True if the old behavior is desired. See the "
    "documentation of grid_sample for details."
)


def _unnormalize(coord: Tensor, size: int, align_corners: bool) -> Tensor:
    """[-1, 1] -> pixel index: -1 and 1 are the corner pixels' centres (align_corners) or the
    image's outer edges (otherwise)."""
    if align_corners:
        return (coord + 1) / 2 * (size - 1)
    return ((coord + 1) * size - 1) / 2


def _clip(coord: Tensor, size: int) -> Tensor:
    """clamp to [0, size - 1]; the gradient is 0 on and beyond both limits, as PyTorch's
    ``clip_coordinates_set_grad`` (``clamp``'s own backward passes it on the limits)."""
    inner = where(coord >= size - 1, float(size - 1), coord)
    return where(coord <= 0, 0.0, inner)


def _reflect(coord: Tensor, twice_low: int, twice_high: int) -> Tensor:
    """Reflect ``coord`` into [twice_low / 2, twice_high / 2] by the borders, as often as
    needed; the gradient is +-1 (its sign flips with every reflection)."""
    if twice_low == twice_high:
        return coord * 0  # a single pixel (align_corners, size 1): PyTorch returns 0, grad 0
    low = twice_low / 2
    span = (twice_high - twice_low) / 2
    d = coord - low
    d = where(d < 0, -d, d)  # |d|, with PyTorch's derivative +1 at 0
    extra = d.fmod(span)
    flips = (d.detach() / span).floor()
    return where(flips.fmod(2) == 0, extra + low, span - extra + low)


def _source_index(coord: Tensor, size: int, padding_mode: str, align_corners: bool) -> Tensor:
    coord = _unnormalize(coord, size, align_corners)
    if padding_mode == "border":
        coord = _clip(coord, size)
    elif padding_mode == "reflection":
        if align_corners:
            coord = _reflect(coord, 0, 2 * (size - 1))
        else:
            coord = _reflect(coord, -1, 2 * size - 1)
        coord = _clip(coord, size)
    return coord


def _read(flat: Tensor, iy: Tensor, ix: Tensor, H: int, W: int) -> Tensor:
    """``input[n, :, iy, ix]`` for integer-valued float tensors ``iy, ix`` of shape
    (N, Ho, Wo), as (N, C, Ho, Wo), with 0 where the pixel lies outside the image."""
    N, C = flat.shape[0], flat.shape[1]
    Ho, Wo = ix.shape[1], ix.shape[2]
    valid = (ix >= 0) & (ix <= W - 1) & (iy >= 0) & (iy <= H - 1)
    index = iy.clamp(0, H - 1).long() * W + ix.clamp(0, W - 1).long()
    index = index.reshape(N, 1, Ho * Wo).expand(N, C, Ho * Wo)
    values = flat.gather(2, index).reshape(N, C, Ho, Wo)
    return where(valid.unsqueeze(1), values, 0.0)


def grid_sample(
    input: Tensor,
    grid: Tensor,
    mode: str = "bilinear",
    padding_mode: str = "zeros",
    align_corners: bool | None = None,
) -> Tensor:
    """Sample ``input`` (N, C, H, W) at the locations ``grid`` (N, Ho, Wo, 2) gives, in [-1, 1]
    (``grid[..., 0]`` is x, along W; ``grid[..., 1]`` is y, along H): output (N, C, Ho, Wo).

    Args:
        mode: ``'bilinear'`` (the four surrounding pixels, weighted) or ``'nearest'`` (the
            closest pixel, ties to even). ``'nearest'`` gives ``grid`` a zero gradient, as
            PyTorch.
        padding_mode: what lies outside the image: ``'zeros'``, ``'border'`` (the edge pixels
            repeated) or ``'reflection'`` (the image mirrored at its borders).
        align_corners: whether -1 and 1 are the centres of the corner pixels (True) or the outer
            edges of the image (False, the default, with PyTorch's warning when not given).

    Differences from PyTorch: ``mode='bicubic'`` and 5-D input (3-D sampling) are not
    supported yet (NotImplementedError).

    Example::

        x = ember.arange(4.0).reshape(1, 1, 2, 2)
        grid = ember.tensor([[[[0.0, 0.0]]]])   # the centre
        F.grid_sample(x, grid, align_corners=False)   # tensor([[[[1.5]]]])
    """
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(
            "nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
            f"'bicubic', but got: '{mode}'"
        )
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(
            "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
            f"'reflection', but got: '{padding_mode}'"
        )
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if input.dtype != grid.dtype:
        raise RuntimeError(f"expected scalar type {input.dtype} but found {grid.dtype}")
    sizes = f"input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}"
    if input.dim() != grid.dim() or input.dim() not in (4, 5):
        raise RuntimeError(
            f"grid_sampler(): expected {input.dim()}D input and grid with same number of "
            f"dimensions, but got {sizes}"
        )
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(
            f"grid_sampler(): expected grid and input to have same batch size, but got {sizes}"
        )
    if grid.shape[-1] != input.dim() - 2:
        raise RuntimeError(
            f"grid_sampler(): expected grid to have size {input.dim() - 2} in last dimension, "
            f"but got grid with sizes {list(grid.shape)}"
        )
    for d in range(2, input.dim()):
        if input.shape[d] == 0:
            raise RuntimeError(
                "grid_sampler(): expected input to have non-empty spatial dimensions, but "
                f"input has sizes {list(input.shape)} with dimension {d} being empty"
            )
    if input.dim() == 5:
        raise NotImplementedError("ember's grid_sample supports 4-D input (2-D sampling) only")
    if mode == "bicubic":
        raise NotImplementedError("ember's grid_sample does not support mode='bicubic' yet")

    N, C, H, W = input.shape
    flat = input.reshape(N, C, H * W)
    ix = _source_index(grid[..., 0], W, padding_mode, align_corners)
    iy = _source_index(grid[..., 1], H, padding_mode, align_corners)
    if mode == "nearest":
        ixn, iyn = ix.round(), iy.round()  # round half to even, as PyTorch's nearbyint
        # ``ixn - ixn.detach()`` is 0 with round()'s zero derivative: it keeps the output a
        # function of ``grid``, whose gradient is then zero (not None), as in PyTorch
        link = (ixn - ixn.detach()) + (iyn - iyn.detach())
        return _read(flat, iyn.detach(), ixn.detach(), H, W) * (link + 1).unsqueeze(1)
    x0 = ix.detach().floor()
    y0 = iy.detach().floor()
    x1, y1 = x0 + 1, y0 + 1
    w_nw = (x1 - ix) * (y1 - iy)
    w_ne = (ix - x0) * (y1 - iy)
    w_sw = (x1 - ix) * (iy - y0)
    w_se = (ix - x0) * (iy - y0)
    return (
        _read(flat, y0, x0, H, W) * w_nw.unsqueeze(1)
        + _read(flat, y0, x1, H, W) * w_ne.unsqueeze(1)
        + _read(flat, y1, x0, H, W) * w_sw.unsqueeze(1)
        + _read(flat, y1, x1, H, W) * w_se.unsqueeze(1)
    )


def _linspace_from_neg_one(steps: int, align_corners: bool, dtype, device=None) -> Tensor:
    """The pixel centres in [-1, 1] coordinates (PyTorch's ``linspace_from_neg_one``)."""
    if steps <= 1:
        return tensor([0.0], dtype=dtype, device=device)
    r = linspace(-1, 1, steps, dtype=dtype, device=device)
    return r if align_corners else r * (steps - 1) / steps


def affine_grid(theta: Tensor, size, align_corners: bool | None = None) -> Tensor:
    """The sampling grid of a batch of affine maps, for ``grid_sample``: ``theta`` (N, 2, 3)
    and ``size`` (N, C, H, W) give (N, H, W, 2); ``theta`` (N, 3, 4) and a 5-D ``size`` give
    (N, D, H, W, 3). Each output point is ``theta @ [x, y, (z,) 1]`` for the pixel centres
    ``x, y, z`` in [-1, 1]. Differentiable in ``theta``.

    Example::

        theta = ember.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])   # identity
        F.affine_grid(theta, (1, 1, 2, 2), align_corners=False)[0, 0, 0]   # tensor([-0.5, -0.5])
    """
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(int(s) for s in size)
    if len(size) == 4:
        if theta.dim() != 3 or theta.shape[-2] != 2 or theta.shape[-1] != 3:
            raise ValueError(
                "Expected a batch of 2D affine matrices of shape Nx2x3 for size "
                f"{size}. Got {theta.shape}."
            )
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.dim() != 3 or theta.shape[-2] != 3 or theta.shape[-1] != 4:
            raise ValueError(
                "Expected a batch of 3D affine matrices of shape Nx3x4 for size "
                f"{size}. Got {theta.shape}."
            )
        spatial = size[-3:]
    else:
        raise NotImplementedError(
            "affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
            f"respectively. Got size {size}."
        )
    if align_corners and min(spatial) == 1:
        warnings.warn(
            "Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
            "align_corners=True. This is not an intended use case of affine_grid. See the "
            "documentation of affine_grid for details.",
            stacklevel=2,
        )
    elif min(size) <= 0:  # PyTorch's elif: unit-size grids with align_corners skip this check
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    N = size[0]
    axes = [_linspace_from_neg_one(s, align_corners, theta.dtype, theta.device) for s in spatial]
    shape = spatial
    k = len(spatial)
    # coordinates x (last spatial dim), y, (z), then 1: base (*spatial, k + 1)
    coords = []
    for j in range(k):
        view = [1] * k
        view[k - 1 - j] = axes[k - 1 - j].shape[0]
        coords.append(axes[k - 1 - j].reshape(*view).expand(*shape))
    coords.append(ones(*shape, dtype=theta.dtype, device=theta.device))
    base = stack(coords, -1).reshape(1, -1, k + 1)
    grid = base.matmul(theta.transpose(1, 2))  # (N, prod(spatial), k)
    return grid.reshape(N, *shape, k)
