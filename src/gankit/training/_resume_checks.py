"""The settings a resumed run must share with the run that wrote its checkpoint.

A checkpoint records, beside the weights, what makes its run the run it is:
the models' classes and configs, the loss and its weights, ``d_steps``, the
latent ``noise`` and the number of processes. :func:`check_resume` compares a
trainer's settings with those, and stops with one line naming the first
setting that differs and both values, unless that setting is explicitly
allowed to change. Checkpoints written before a setting was recorded skip
its check.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from torch import nn

__all__ = [
    "RESUME_SETTINGS",
    "check_resume",
    "completed_config",
    "describe_model",
    "model_settings",
]

#: The settings compared on resume, in the order they are checked.
RESUME_SETTINGS: tuple[str, ...] = (
    "generator",
    "discriminator",
    "loss",
    "d_steps",
    "noise",
    "world_size",
    "augment",
    "accumulate",
)


def _plain(value: Any) -> Any:
    """Tuples as lists, recursively, so a config compares equal after a round trip."""
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def describe_model(spec: Mapping[str, Any]) -> str:
    """One line for a checkpoint's model spec: ``MLPGenerator(latent_dim=2, ...)``.

    Args:
        spec: A model spec as the trainer stores it: ``class`` (a registered
            name or ``None``), ``qualname`` and ``config``.

    Example:
        >>> describe_model({"class": "MLPGenerator", "config": {"latent_dim": 2}})
        'MLPGenerator(latent_dim=2)'
        >>> describe_model({"class": None, "qualname": "mine.Net", "config": {}})
        'mine.Net (unregistered)'
    """
    if spec.get("class") is None:
        return f"{spec.get('qualname', '?')} (unregistered)"
    args = ", ".join(f"{k}={_plain(v)!r}" for k, v in dict(spec.get("config", {})).items())
    return f"{spec['class']}({args})"


def model_settings(model: nn.Module) -> dict[str, Any]:
    """The class and config of ``model`` as a checkpoint records them (no weights).

    Example:
        >>> from gankit.models import MLPDiscriminator
        >>> model_settings(MLPDiscriminator((2,), hidden=(4,)))["class"]
        'MLPDiscriminator'
    """
    from gankit.models import list_models

    name = type(model).__name__
    registered = name in list_models() and hasattr(model, "get_config")
    return {
        "class": name if registered else None,
        "qualname": f"{type(model).__module__}.{type(model).__qualname__}",
        "config": model.get_config() if registered else {},  # type: ignore[operator]
    }


def _contrast(saved: Mapping[str, Any], current: Mapping[str, Any]) -> tuple[str, str]:
    """Two short descriptions: whole models if the classes differ, else the differing keys."""
    if saved.get("class") is None and saved.get("qualname") == current.get("qualname"):
        return describe_model(saved), "the same class"
    if saved.get("class") is None or saved.get("class") != current.get("class"):
        return describe_model(saved), describe_model(current)
    a, b = _plain(dict(saved.get("config", {}))), _plain(dict(current.get("config", {})))
    keys = [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
    if not keys:
        return describe_model(saved), "the same config"

    def show(config: dict[str, Any]) -> str:
        return ", ".join(f"{k}={config.get(k, '(unset)')!r}" for k in keys)

    return f"{saved['class']} with {show(a)}", f"one with {show(b)}"


def _shapes(state: Mapping[str, Any]) -> dict[str, tuple[int, ...]]:
    return {k: tuple(getattr(v, "shape", ())) for k, v in state.items()}


def completed_config(spec: Mapping[str, Any], keys: Collection[str]) -> dict[str, Any]:
    """A saved model config with the keys a later gankit added, at their defaults.

    A checkpoint written before a model gained an argument (say
    ``attention_resolution``) lacks its key; the model it rebuilds has the
    default, so the config is completed by rebuilding the model from it. Only
    when ``keys`` (the current config's) holds keys the saved one lacks.
    """
    config = dict(spec.get("config", {}))
    name = spec.get("class")
    if name is None or set(keys) <= set(config):
        return config
    from gankit.models import build_model

    try:
        rebuilt: dict[str, Any] = build_model(name, config).get_config()  # type: ignore[operator]
    except (KeyError, TypeError, ValueError):
        return config
    return {**rebuilt, **config}


def _model_difference(saved: Mapping[str, Any], current: Mapping[str, Any]) -> str | None:
    """Why a saved model spec differs from the current one, or ``None``.

    ``""`` means the class or the config differs; otherwise the first tensor
    whose shape differs is named.
    """
    same_class = saved.get("class") == current.get("class") and (
        saved.get("class") is not None or saved.get("qualname") == current.get("qualname")
    )
    config = completed_config(saved, current.get("config", {})) if same_class else {}
    if not same_class or _plain(config) != _plain(current.get("config", {})):
        return ""
    if "state_dict" not in saved or "state_dict" not in current:
        return None
    a, b = _shapes(saved["state_dict"]), _shapes(current["state_dict"])
    for key in [*a, *(k for k in b if k not in a)]:  # in the modules' order
        if a.get(key) != b.get(key):
            return (
                f"tensor {key!r} has shape {a.get(key, 'absent')} in the checkpoint and "
                f"{b.get(key, 'absent')} here"
            )
    return None


def check_resume(
    saved: Mapping[str, Any],
    current: Mapping[str, Any],
    *,
    path: str,
    allow: Collection[str] = (),
) -> None:
    """Raise if a setting in :data:`RESUME_SETTINGS` differs and is not in ``allow``.

    Args:
        saved: The checkpoint's settings: ``generator`` and ``discriminator``
            specs (``class``, ``qualname``, ``config``, ``state_dict``) and the
            values of ``loss``, ``d_steps``, ``noise``, ``world_size``; a
            missing key is not checked (older checkpoints).
        current: The same for the trainer that loads it.
        path: The checkpoint's file, for the message.
        allow: Settings that may differ (an explicit override).

    Raises:
        CheckpointError: Naming the setting and both values.
        ValueError: If ``allow`` names an unknown setting.

    Example:
        >>> check_resume({"d_steps": 5}, {"d_steps": 1}, path="last.pt")
        Traceback (most recent call last):
        ...
        gankit.training.checkpoint.CheckpointError: cannot resume from 'last.pt': d_steps ...
    """
    from gankit.losses._registry import upgrade_loss_repr
    from gankit.training.checkpoint import CheckpointError

    unknown = sorted(set(allow) - set(RESUME_SETTINGS))
    if unknown:
        raise ValueError(
            f"allow_mismatch names unknown settings {unknown}; expected some of "
            f"{list(RESUME_SETTINGS)}"
        )
    hint = (
        "; to resume anyway, allow it explicitly (allow_mismatch=['{0}'], "
        "or --allow-mismatch {0})"
    )
    for name in RESUME_SETTINGS:
        if name in allow or name not in saved or name not in current:
            continue
        if name in ("generator", "discriminator"):
            why = _model_difference(saved[name], current[name])
            if why is None:
                continue
            held, built = _contrast(saved[name], current[name])
            detail = f" ({why})" if why else ""
            raise CheckpointError(
                f"checkpoint {path!r} does not fit this run: it holds a {name} {held}, "
                f"this run builds {built}{detail}" + hint.format(name)
            )
        value = saved[name]
        if name == "loss" and isinstance(value, str):
            value = upgrade_loss_repr(value)  # written before a keyword was renamed
        if _plain(value) != _plain(current[name]):
            raise CheckpointError(
                f"cannot resume from {path!r}: {name} was {saved[name]!r} in the run that "
                f"wrote it and is {current[name]!r} here" + hint.format(name)
            )
