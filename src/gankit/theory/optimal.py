"""The optimal discriminator for a fixed generator (Goodfellow et al. 2014, Proposition 1)."""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["optimal_discriminator"]


def optimal_discriminator(p_data: Tensor, p_g: Tensor) -> Tensor:
    r"""The discriminator that maximises :math:`V(D, G)` for a fixed generator.

    Goodfellow et al. (2014), Proposition 1:

    .. math::

        D^*(x) = \frac{p_{data}(x)}{p_{data}(x) + p_g(x)}

    where both densities are 0 the value is exactly :math:`\tfrac12` (no sample
    ever lands there, so any value is optimal; :math:`\tfrac12` is the
    uninformed guess). Both densities are divided by their maximum first, so
    huge densities do not overflow the sum. Its logit is the log density ratio,
    :math:`\operatorname{logit} D^*(x) = \log p_{data}(x) - \log p_g(x)`.

    Args:
        p_data: Data densities (or probabilities) at some points; non-negative and finite.
        p_g: Generator densities at the same points; broadcastable with ``p_data``.

    Returns:
        :math:`D^*` in ``[0, 1]``, in the promoted floating dtype of the inputs
        (the default dtype for integer inputs).

    Raises:
        TypeError: If an input is not a tensor.
        ValueError: If the inputs do not broadcast, or hold a negative or
            non-finite value.

    Shape:
        ``p_data``: any shape; ``p_g``: broadcastable with it; output: the
        broadcast shape.

    Example:
        >>> import torch
        >>> optimal_discriminator(torch.tensor([0.3, 0.0, 0.2, 0.0]),
        ...                       torch.tensor([0.1, 0.5, 0.0, 0.0]))
        tensor([0.7500, 0.0000, 1.0000, 0.5000])
        >>> optimal_discriminator(torch.tensor([0.4]), torch.tensor([0.4]))  # p_g = p_data
        tensor([0.5000])
    """
    for name, density in (("p_data", p_data), ("p_g", p_g)):
        _check_density(density, name)
    try:
        shape = torch.broadcast_shapes(p_data.shape, p_g.shape)
    except RuntimeError:
        raise ValueError(
            f"p_data and p_g must be broadcastable, got shapes {tuple(p_data.shape)} "
            f"and {tuple(p_g.shape)}"
        ) from None
    dtype = torch.promote_types(p_data.dtype, p_g.dtype)
    if not dtype.is_floating_point:
        dtype = torch.get_default_dtype()
    p = p_data.to(dtype).expand(shape)
    q = p_g.to(dtype).expand(shape)
    scale = torch.maximum(p, q)
    both_zero = scale == 0
    safe_scale = torch.where(both_zero, torch.ones_like(scale), scale)
    p, q = p / safe_scale, q / safe_scale  # max(p, q) is now 1, so p + q <= 2
    safe_sum = torch.where(both_zero, torch.ones_like(p), p + q)
    return torch.where(both_zero, torch.full_like(p, 0.5), p / safe_sum)


def _check_density(density: object, name: str) -> None:
    if not isinstance(density, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of densities, got {type(density).__name__}")
    if density.is_complex() or density.dtype == torch.bool:
        raise TypeError(f"{name} must be a real-valued tensor, got dtype {density.dtype}")
    if density.is_floating_point() and not bool(torch.isfinite(density).all()):
        raise ValueError(f"{name} must hold finite densities, got a nan or inf value")
    if density.numel() and bool((density < 0).any()):
        raise ValueError(
            f"{name} must hold non-negative densities, got a minimum of {float(density.min())}"
        )
