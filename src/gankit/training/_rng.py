"""Seed, capture and restore every random number generator a training run touches.

States are stored as tensors and ints only, so a checkpoint that holds them
loads with ``torch.load(weights_only=True)``.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import torch

__all__ = ["get_rng_state", "seed_everything", "set_rng_state"]


def seed_everything(seed: int) -> int:
    """Seed Python's, NumPy's and torch's global RNGs (CPU and every CUDA device).

    Call it first, before the models are built: their initial weights are drawn
    from torch's global RNG, so a script that seeds after building them is not
    reproducible. ``Trainer(seed=...)`` calls this too, but only when the trainer
    is made, which is after the models exist.

    Args:
        seed: A non-negative int; NumPy gets ``seed mod 2**32``.

    Returns:
        The seed.

    Raises:
        TypeError: If ``seed`` is not an int.
        ValueError: If ``seed`` is negative.

    Example:
        >>> a = (seed_everything(3), torch.rand(2))
        >>> b = (seed_everything(3), torch.rand(2))
        >>> torch.equal(a[1], b[1])
        True
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__} {seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed}")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)  # also seeds every CUDA device
    return seed


def get_rng_state() -> dict[str, Any]:
    """Return the states of Python's, NumPy's and torch's (CPU and CUDA) global RNGs.

    Returns:
        A dict of tensors, ints and floats: ``{"torch", "cuda", "numpy", "python"}``.
    """
    version, mt_state, gauss = random.getstate()
    np_name, np_keys, np_pos, np_has_gauss, np_gauss = np.random.get_state(legacy=True)
    return {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "numpy": {
            "name": str(np_name),
            "keys": torch.from_numpy(np.asarray(np_keys, dtype=np.int64)),
            "pos": int(np_pos),
            "has_gauss": int(np_has_gauss),
            "gauss": float(np_gauss),
        },
        "python": {
            "version": int(version),
            "state": torch.tensor(mt_state, dtype=torch.int64),
            "gauss": None if gauss is None else float(gauss),
        },
    }


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore the states returned by :func:`get_rng_state`.

    Raises:
        ValueError: If ``state`` lacks one of the generators.
    """
    missing = {"torch", "numpy", "python"} - set(state)
    if missing:
        raise ValueError(f"RNG state is missing {sorted(missing)}; got keys {sorted(state)}")
    torch.set_rng_state(state["torch"])
    cuda = state.get("cuda") or []
    if cuda and torch.cuda.is_available() and len(cuda) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(cuda)
    npst = state["numpy"]
    np.random.set_state((
        npst["name"],
        npst["keys"].numpy().astype(np.uint32),
        npst["pos"],
        npst["has_gauss"],
        npst["gauss"],
    ))
    py = state["python"]
    random.setstate((py["version"], tuple(int(v) for v in py["state"].tolist()), py["gauss"]))
