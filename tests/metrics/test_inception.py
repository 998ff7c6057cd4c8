"""The optional Inception adapter: its error paths, and the pixel mapping with a stand-in."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch
from torch import nn

from gankit.metrics import inception
from gankit.metrics.inception import inception_feature_extractor


def test_missing_weights_file_explains_where_to_get_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="gankit never downloads: fetch https://github"):
        inception_feature_extractor(tmp_path / "weights.pth")


@pytest.mark.skipif(importlib.util.find_spec("torch_fidelity") is not None,
                    reason="torch-fidelity is installed")
def test_missing_torch_fidelity_says_what_to_install(tmp_path: Path) -> None:
    weights = tmp_path / "weights.pth"
    weights.write_bytes(b"")
    with pytest.raises(ImportError, match="pip install torch-fidelity"):
        inception_feature_extractor(weights)


def test_bad_path_type() -> None:
    with pytest.raises(TypeError, match="weights_path must be a path, got int"):
        inception_feature_extractor(3)  # type: ignore[arg-type]


class _Recorder(nn.Module):
    """Stands in for torch-fidelity's network: records its uint8 input."""

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor]:
        self.seen = x
        return (x.flatten(1).float()[:, :5],)


def test_images_become_uint8_rgb() -> None:
    recorder = _Recorder()
    adapter = inception._InceptionFeatures(recorder)
    grey = torch.tensor([-1.0, 0.0, 1.0, 2.0]).reshape(1, 1, 2, 2)
    out = adapter(grey)
    assert recorder.seen.dtype == torch.uint8 and recorder.seen.shape == (1, 3, 2, 2)
    # round(127.5 (x + 1)), clamped to [−1, 1] first; 127.5 rounds half to even: 128.
    assert recorder.seen[0, :, :, :].flatten(1).tolist() == [[0, 128, 255, 255]] * 3
    assert out.shape == (1, 5)
    with pytest.raises(ValueError, match=r"images must have shape \(N, 1 or 3, H, W\)"):
        adapter(torch.zeros(1, 2, 4, 4))


def test_probabilities_are_the_softmax_of_the_stand_in_logits(tmp_path: Path) -> None:
    module = inception._InceptionFeatures(_Recorder(), softmax=True)
    x = torch.rand(3, 1, 4, 4) * 2 - 1
    probs = module(x)
    logits = module.inception.seen.flatten(1).double()[:, :5]
    expected = torch.exp(logits - logits.logsumexp(dim=1, keepdim=True))  # float64 reference
    torch.testing.assert_close(probs, expected)
    with pytest.raises(FileNotFoundError, match="gankit never downloads"):
        inception.inception_probabilities(tmp_path / "weights.pth")
