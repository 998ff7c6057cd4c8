"""ConditionalBatchNorm2d: plain batch norm at initialisation, a per-class affine map after."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from gankit.models import ConditionalBatchNorm2d, ResNetGenerator
from gankit.models._layers import apply_spectral_norm


def test_starts_equal_to_plain_batch_norm_in_train_and_eval_mode() -> None:
    torch.manual_seed(0)
    cbn = ConditionalBatchNorm2d(5, num_classes=3)
    plain = nn.BatchNorm2d(5)  # weight 1, bias 0
    assert torch.equal(cbn.gain, torch.ones(3, 5)) and torch.equal(cbn.bias, torch.zeros(3, 5))
    labels = torch.tensor([2, 0, 1, 1, 0, 2])
    for _ in range(3):
        x = torch.randn(6, 5, 4, 4) * 3 + 1
        torch.testing.assert_close(cbn(x, labels), plain(x))
    torch.testing.assert_close(cbn.bn.running_mean, plain.running_mean)
    torch.testing.assert_close(cbn.bn.running_var, plain.running_var)
    cbn.eval()
    plain.eval()
    x = torch.randn(6, 5, 4, 4)
    torch.testing.assert_close(cbn(x, labels), plain(x))


def test_a_hand_computed_case() -> None:
    eps = 1e-3
    cbn = ConditionalBatchNorm2d(1, num_classes=2, eps=eps)
    with torch.no_grad():
        cbn.gain.copy_(torch.tensor([[2.0], [-1.0]]))
        cbn.bias.copy_(torch.tensor([[1.0], [0.5]]))
    x = torch.tensor([1.0, 3.0, 5.0, 7.0]).reshape(2, 1, 1, 2)  # sample 0: 1, 3; sample 1: 5, 7
    # Batch statistics of the one channel: mean 4, biased variance (9 + 1 + 1 + 9) / 4 = 5.
    r5 = math.sqrt(5.0 + eps)
    expected = torch.tensor([
        [2 * (-3 / r5) + 1, 2 * (-1 / r5) + 1],  # class 0: gain 2, bias 1
        [-1 * (1 / r5) + 0.5, -1 * (3 / r5) + 0.5],  # class 1: gain -1, bias 0.5
    ]).reshape(2, 1, 1, 2)
    torch.testing.assert_close(cbn(x, torch.tensor([0, 1])), expected)
    # Swapping the labels swaps the affine maps, not the normalisation.
    swapped = torch.tensor([
        [-1 * (-3 / r5) + 0.5, -1 * (-1 / r5) + 0.5],
        [2 * (1 / r5) + 1, 2 * (3 / r5) + 1],
    ]).reshape(2, 1, 1, 2)
    torch.testing.assert_close(cbn(x, torch.tensor([1, 0])), swapped)


def test_different_classes_give_different_outputs() -> None:
    torch.manual_seed(0)
    cbn = ConditionalBatchNorm2d(4, num_classes=3)
    with torch.no_grad():
        cbn.gain.normal_(1.0, 0.3)
        cbn.bias.normal_(0.0, 0.3)
    cbn(torch.randn(16, 4, 3, 3) * 2 + 1, torch.arange(16) % 3)  # update the running stats
    cbn.eval()  # running statistics: each output depends on its own sample only
    x = torch.randn(1, 4, 3, 3).repeat(3, 1, 1, 1)  # three copies of one sample
    out = cbn(x, torch.arange(3))
    assert torch.pdist(out.flatten(1)).min() > 0.1
    normalised = cbn.bn(x)
    for k in range(3):
        expected = cbn.gain[k][:, None, None] * normalised[k] + cbn.bias[k][:, None, None]
        torch.testing.assert_close(out[k], expected)


def test_only_the_rows_of_the_classes_in_the_batch_get_gradients() -> None:
    torch.manual_seed(0)
    cbn = ConditionalBatchNorm2d(3, num_classes=4)
    out = cbn(torch.randn(6, 3, 2, 2), torch.tensor([0, 2, 0, 2, 2, 0]))
    (out * torch.randn(out.shape)).sum().backward()
    for grad in (cbn.gain.grad, cbn.bias.grad):
        assert grad is not None
        assert (grad[[0, 2]].abs().sum(dim=1) > 0).all()
        assert torch.count_nonzero(grad[[1, 3]]) == 0


def test_weight_init_and_spectral_norm_leave_gain_and_bias_alone() -> None:
    torch.manual_seed(0)
    g = ResNetGenerator(4, (1, 16, 16), base_channels=8, num_classes=3, init="dcgan")
    norms = [m for m in g.modules() if isinstance(m, ConditionalBatchNorm2d)]
    assert len(norms) == 2 * 2  # two blocks, two norms each; the output norm is plain
    assert isinstance(g.output[0], nn.BatchNorm2d)
    for m in norms:
        assert torch.equal(m.gain, torch.ones_like(m.gain))
        assert torch.equal(m.bias, torch.zeros_like(m.bias))
    cbn = apply_spectral_norm(ConditionalBatchNorm2d(4, 2))
    assert not any(hasattr(m, "parametrizations") for m in cbn.modules())


def test_bad_inputs_are_refused() -> None:
    cbn = ConditionalBatchNorm2d(4, num_classes=3)
    x = torch.randn(2, 4, 3, 3)
    with pytest.raises(ValueError, match=r"conditional \(num_classes=3\) and needs labels "
                                         r"of shape \(2,\), got None"):
        cbn(x, None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\), got values in \[0, 3\]"):
        cbn(x, torch.tensor([0, 3]))
    with pytest.raises(TypeError, match="labels must be an integer tensor"):
        cbn(x, torch.zeros(2))
    with pytest.raises(ValueError, match=r"x must have shape \('N', 4, '\*', '\*'\), "
                                         r"got \(2, 5, 3, 3\)"):
        cbn(torch.randn(2, 5, 3, 3), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match=r"num_classes must be a positive int \(>= 1\), got 0"):
        ConditionalBatchNorm2d(4, 0)
    with pytest.raises(TypeError, match=r"num_features must be a positive int, got float 4\.0"):
        ConditionalBatchNorm2d(4.0, 2)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"eps must be a finite number > 0, got 0\.0"):
        ConditionalBatchNorm2d(4, 2, eps=0.0)
