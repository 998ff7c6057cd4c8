import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from gankit.metrics import extract_features


class Recorder(nn.Module):
    """Records the mode and grad state it ran in; returns the flattened input times 2."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(torch.tensor(2.0))
        self.seen: list[tuple[bool, bool]] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.seen.append((self.training, torch.is_grad_enabled()))
        return self.scale * x.flatten(1)


def test_features_match_the_model_in_order() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(6, 4), nn.Dropout(0.5))
    x = torch.randn(11, 2, 3)
    features = extract_features(model, x, batch_size=4)
    model.eval()
    expected = model(x).detach().double()
    assert features.dtype == torch.float64
    assert features.device.type == "cpu"
    assert not features.requires_grad
    torch.testing.assert_close(features, expected)  # dropout off: deterministic


def test_runs_in_eval_mode_without_grad_and_restores_modes() -> None:
    model = nn.Sequential(Recorder(), nn.BatchNorm1d(3))
    model[1].eval()  # a submodule already in eval mode stays so
    extract_features(model, torch.randn(5, 3), batch_size=2)
    assert model[0].seen == [(False, False)] * 3
    assert model.training and model[0].training
    assert not model[1].training
    assert model[1].num_batches_tracked.item() == 0  # BatchNorm statistics untouched


def test_accepts_a_dataloader_of_pairs_and_a_list_of_tensors() -> None:
    x = torch.arange(12.0).reshape(6, 2)
    loader = DataLoader(TensorDataset(x, torch.zeros(6)), batch_size=4)
    model = Recorder()
    torch.testing.assert_close(extract_features(model, loader), 2 * x.double())
    torch.testing.assert_close(extract_features(model, [x[:1], x[1:]], device="cpu"),
                               2 * x.double())


def test_model_output_must_be_2d() -> None:
    model = nn.Identity()
    model.train()
    with pytest.raises(ValueError, match=r"must return features of shape \(4, d\) for a batch "
                       r"of 4, got \(4, 2, 2\)"):
        extract_features(model, torch.zeros(4, 2, 2))
    assert model.training  # restored even when the forward pass fails


def test_empty_data() -> None:
    with pytest.raises(ValueError, match=r"data must hold at least one input .*got shape \(0, 3\)"):
        extract_features(nn.Identity(), torch.zeros(0, 3))
    with pytest.raises(ValueError, match="data is empty"):
        extract_features(nn.Identity(), [])


def test_bad_types() -> None:
    with pytest.raises(TypeError, match=r"model must be a torch\.nn\.Module, got function"):
        extract_features(lambda x: x, torch.zeros(2, 2))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"data must be a torch\.Tensor or an iterable of batches, "
                       "got int"):
        extract_features(nn.Identity(), 3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"each batch must be a tensor or a \(tensor, \.\.\.\) "
                       "tuple/list, got str"):
        extract_features(nn.Identity(), ["abc"])
    with pytest.raises(ValueError, match=r"batch_size must be a positive int \(>= 1\), got 0"):
        extract_features(nn.Identity(), torch.zeros(2, 2), batch_size=0)
