r"""Gradient penalties on the discriminator: WGAN-GP's two-sided penalty and R1.

Both differentiate the discriminator's output with respect to its input with
``create_graph=True``, so the penalty itself backpropagates into the
discriminator's parameters. Both evaluate the discriminator on their own input
(the interpolates, or a copy of the real batch that requires grad), i.e. one
extra forward pass each. The input gradient of sample ``i`` is read off
:math:`\nabla_x \sum_j D(x_j)`, which is per-sample only if the discriminator
treats samples independently: no batch norm in the critic (Gulrajani et al.
2017 recommend layer norm instead).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from gankit._validation import check_nonnegative, check_same_shape

__all__ = ["gradient_penalty", "interpolate", "r1_penalty"]

#: A discriminator, called as ``D(x)`` or ``D(x, labels)``, returning logits ``(N,)``.
Discriminator = Callable[..., Tensor]


def _check_samples(x: Tensor, name: str) -> None:
    """A non-empty floating-point batch ``(N, *S)`` with at least one sample dimension."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if not torch.is_floating_point(x):
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {x.dtype}")
    if x.dim() < 2 or x.shape[0] == 0:
        raise ValueError(
            f"{name} must have shape (N, *S) with N >= 1 and at least one sample "
            f"dimension, got {tuple(x.shape)}"
        )


def _pack(discriminator: Discriminator) -> int:
    """How many samples the discriminator judges together (PacGAN's ``pack``; 1 usually)."""
    return int(getattr(discriminator, "pack", 1))


def _per_judgement(grad: Tensor, discriminator: Discriminator) -> Tensor:
    """Flatten a gradient to one row per discriminator output: ``(N / pack, pack·|S|)``.

    A packed discriminator's input is its ``pack`` consecutive samples taken
    together, so the norm runs over the whole group.
    """
    return grad.reshape(grad.shape[0] // _pack(discriminator), -1)


def _input_gradient(
    discriminator: Discriminator, x: Tensor, labels: Tensor | None, what: str
) -> Tensor:
    """``∇_x Σ_i D(x_i)`` with ``create_graph=True``; ``x`` must require grad."""
    if labels is not None and (not isinstance(labels, Tensor) or labels.shape[:1] != x.shape[:1]):
        shape = tuple(labels.shape) if isinstance(labels, Tensor) else type(labels).__name__
        raise ValueError(f"labels must have batch size {x.shape[0]} to match {what}, got {shape}")
    with torch.enable_grad():  # the penalty is defined even when called under no_grad
        out = discriminator(x) if labels is None else discriminator(x, labels)
        expected = x.shape[0] // _pack(discriminator)
        if not isinstance(out, Tensor) or out.shape != (expected,):
            shape = tuple(out.shape) if isinstance(out, Tensor) else type(out).__name__
            raise ValueError(
                f"the discriminator must return logits of shape ({expected},) on {what}, "
                f"got {shape}"
            )
        if not out.requires_grad:  # the output does not depend on x: its gradient is 0
            return torch.zeros_like(x)
        (grad,) = torch.autograd.grad(out.sum(), x, create_graph=True, allow_unused=True)
    return torch.zeros_like(x) if grad is None else grad


def interpolate(real: Tensor, fake: Tensor, alpha: Tensor) -> Tensor:
    r"""Points on the segments between paired real and fake samples.

    .. math::

        \hat{x}_i = \alpha_i x_i + (1 - \alpha_i)\,\tilde{x}_i

    with one :math:`\alpha_i` (the paper's :math:`\epsilon`) per sample,
    broadcast over the sample's dimensions. Values outside ``[0, 1]``
    extrapolate.

    Args:
        real: Real samples :math:`x`.
        fake: Generated samples :math:`\tilde{x}`, paired with ``real`` row by row.
        alpha: Mixing weights, one per sample.

    Returns:
        The interpolates :math:`\hat{x}`, differentiable in all three inputs.

    Raises:
        TypeError: If an input is not a floating-point tensor.
        ValueError: If ``real`` and ``fake`` differ in shape, or ``alpha`` is not
            of shape ``(N,)`` or ``(N, 1, ..., 1)``.

    Shape:
        - real, fake: ``(N, *S)``; alpha: ``(N,)`` or ``(N, 1, ..., 1)``.
        - Output: ``(N, *S)``.

    Example:
        >>> import torch
        >>> interpolate(torch.ones(2, 3), torch.zeros(2, 3), torch.tensor([0.25, 1.0]))
        tensor([[0.2500, 0.2500, 0.2500],
                [1.0000, 1.0000, 1.0000]])
    """
    _check_samples(real, "real")
    _check_samples(fake, "fake")
    check_same_shape(real, fake, "real", "fake")
    n, sample_dims = real.shape[0], real.dim() - 1
    if not isinstance(alpha, Tensor) or not torch.is_floating_point(alpha):
        kind = alpha.dtype if isinstance(alpha, Tensor) else type(alpha).__name__
        raise TypeError(f"alpha must be a floating-point tensor, got {kind}")
    if alpha.shape not in ((n,), (n, *[1] * sample_dims)):
        raise ValueError(
            f"alpha must have shape ({n},) or {(n, *[1] * sample_dims)} (one weight per "
            f"sample), got {tuple(alpha.shape)}"
        )
    alpha = alpha.reshape(n, *[1] * sample_dims)  # (N, 1, ..., 1)
    return alpha * real + (1.0 - alpha) * fake


def gradient_penalty(
    discriminator: Discriminator,
    real: Tensor,
    fake: Tensor,
    *,
    target: float = 1.0,
    labels: Tensor | None = None,
    alpha: Tensor | None = None,
    generator: torch.Generator | None = None,
) -> Tensor:
    r"""The two-sided gradient penalty of WGAN-GP (Gulrajani et al. 2017), unweighted.

    .. math::

        \mathrm{GP} = \frac{1}{N}\sum_{i=1}^{N}
            \left(\big\lVert \nabla_{\hat{x}} D(\hat{x}_i) \big\rVert_2 - t\right)^2,
        \qquad \hat{x}_i = \epsilon_i x_i + (1 - \epsilon_i)\,\tilde{x}_i,
        \quad \epsilon_i \sim U[0, 1],

    with one :math:`\epsilon_i` per sample and the norm of each sample's
    gradient taken over all of its dimensions (a vector, or an image with any
    number of channels). The critic's loss is ``wgan + 10 * GP``. ``fake`` is
    detached, and so is ``real``: the penalty trains only the discriminator.

    Args:
        discriminator: ``D``, called as ``D(x̂)`` or, with ``labels``, ``D(x̂, labels)``,
            returning logits of shape ``(N,)``.
        real: Real samples :math:`x`.
        fake: Generated samples :math:`\tilde{x}`, paired with ``real`` row by row.
        target: The gradient norm :math:`t` the penalty pulls towards (1 in the paper).
        labels: Class labels for a conditional discriminator, passed with the
            interpolates.
        alpha: The mixing weights :math:`\epsilon` to use instead of sampling them.
        generator: The random number generator for :math:`\epsilon`.

    Returns:
        The penalty, a 0-dim tensor that backpropagates into the discriminator.

    Raises:
        TypeError: If ``real``, ``fake`` or ``alpha`` is not a floating-point tensor,
            or ``target`` is not a number.
        ValueError: If ``real`` and ``fake`` differ in shape, ``alpha`` or
            ``labels`` does not match the batch, ``target`` is negative or not
            finite, both ``alpha`` and ``generator`` are given, or the
            discriminator does not return shape ``(N,)``.

    Shape:
        - real, fake: ``(N, *S)``; labels: ``(N,)``; alpha: ``(N,)`` or ``(N, 1, ..., 1)``.
        - Output: ``()``.

    Example:
        A linear critic :math:`D(x) = w^\top x` has gradient :math:`w` everywhere,
        so the penalty is :math:`(\lVert w \rVert - 1)^2`:

        >>> import torch
        >>> w = torch.tensor([3.0, 4.0])
        >>> gradient_penalty(lambda x: x @ w, torch.randn(8, 2), torch.randn(8, 2))
        tensor(16.)
    """
    t = check_nonnegative(target, "target")
    _check_samples(real, "real")
    _check_samples(fake, "fake")
    check_same_shape(real, fake, "real", "fake")
    if alpha is None:
        alpha = torch.rand(real.shape[0], generator=generator, dtype=real.dtype,
                           device=real.device)  # (N,)
    elif generator is not None:
        raise ValueError("pass either alpha or generator to gradient_penalty, not both")
    x_hat = interpolate(real.detach(), fake.detach(), alpha.detach()).requires_grad_(True)
    grad = _input_gradient(discriminator, x_hat, labels, "the interpolates")  # (N, *S)
    norm = torch.linalg.vector_norm(_per_judgement(grad, discriminator), dim=1)  # (N,)
    return (norm - t).square().mean()


def r1_penalty(
    discriminator: Discriminator, real: Tensor, *, labels: Tensor | None = None
) -> Tensor:
    r"""The R1 penalty (Mescheder et al. 2018) on real data, unweighted.

    .. math::

        R_1 = \frac{1}{N}\sum_{i=1}^{N} \big\lVert \nabla_x D(x_i) \big\rVert_2^2

    (the squared norm of each sample's gradient over all of its dimensions,
    averaged over the batch). Mescheder et al. add :math:`\frac{\gamma}{2} R_1` to
    the discriminator's loss; :class:`gankit.losses.R1Penalty` does. ``real`` is
    copied into a detached tensor that requires grad, and ``D`` is evaluated on
    that copy: one forward pass besides the loss's own ``D(real)``.

    Args:
        discriminator: ``D``, called as ``D(x)`` or, with ``labels``, ``D(x, labels)``,
            returning logits of shape ``(N,)``.
        real: Real samples :math:`x`.
        labels: Class labels of ``real`` for a conditional discriminator.

    Returns:
        The penalty, a 0-dim tensor that backpropagates into the discriminator.

    Raises:
        TypeError: If ``real`` is not a floating-point tensor.
        ValueError: If ``real`` is not a non-empty batch ``(N, *S)``, ``labels``
            does not match it, or the discriminator does not return shape ``(N,)``.

    Shape:
        - real: ``(N, *S)``; labels: ``(N,)``.
        - Output: ``()``.

    Example:
        A linear discriminator :math:`D(x) = w^\top x` gives :math:`\lVert w \rVert^2`:

        >>> import torch
        >>> w = torch.tensor([3.0, 4.0])
        >>> r1_penalty(lambda x: x @ w, torch.randn(8, 2))
        tensor(25.)
    """
    _check_samples(real, "real")
    x = real.detach().clone().requires_grad_(True)
    grad = _input_gradient(discriminator, x, labels, "the real batch")  # (N, *S)
    return _per_judgement(grad, discriminator).square().sum(dim=1).mean()
