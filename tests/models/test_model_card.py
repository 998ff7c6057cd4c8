"""The model card: the model, loss, data, steps, seed, version and last evaluation figures."""

from __future__ import annotations

from pathlib import Path

import pytest

import gankit
from gankit.models import MLPDiscriminator, ModelCard, render_model_card


def test_card_reports_every_fact() -> None:
    card = ModelCard(loss="NSGAN() + R1Penalty(weight=0.1)", data="ring (num_modes=8)",
                     steps=300, seed=7, weights="EMA of the generator (decay 0.995)",
                     metrics={"modes_covered": 8, "reverse_kl": 0.0123456789,
                              "counts": [1, 2]}, metrics_source="metrics.json")
    text = render_model_card("MLPGenerator", {"latent_dim": 2, "out_shape": (2,)}, "9.9", card)
    assert text.startswith("---\nlibrary_name: gankit\n")
    for row in ["| Model | `MLPGenerator` |", "| Loss | NSGAN() + R1Penalty(weight=0.1) |",
                "| Data | ring (num_modes=8) |", "| Steps | 300 |", "| Seed | 7 |",
                "| Weights | EMA of the generator (decay 0.995) |", "| gankit version | 9.9 |",
                "| modes_covered | 8 |", "| reverse_kl | 0.0123457 |", "| counts | `[1, 2]` |",
                "From the run's `metrics.json`.", '"latent_dim": 2']:
        assert row in text, row


def test_card_without_facts_says_so() -> None:
    text = render_model_card("MLPDiscriminator", {}, "9.9")
    assert "| Loss | not recorded |" in text and "| Seed | not recorded |" in text
    assert "No evaluation recorded." in text


def test_save_pretrained_writes_the_card(tmp_path: Path) -> None:
    pytest.importorskip("safetensors")
    MLPDiscriminator((2,)).save_pretrained(tmp_path, card=ModelCard(steps=12, seed=3))
    text = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "# MLPDiscriminator" in text and "| Steps | 12 |" in text
    assert f"| gankit version | {gankit.__version__} |" in text
