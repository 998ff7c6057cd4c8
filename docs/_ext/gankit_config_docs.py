"""Sphinx directives that render the config schema and the CLI's help from the code itself.

``gankit train`` validates some sections against tables of
:class:`gankit.config.schema.Field` objects (``TRAINER_FIELDS``,
``DATA_FIELDS``, ...), and the models, losses and callbacks against their
classes' ``config_keys``. Rendering the reference from those same tables and
classes keeps every key, type and default in the documentation equal to what
the code accepts:

* ``.. gankit-config:: trainer`` (or ``eval``, ``callbacks``, ``data``,
  ``loss``, ``optimizer``, ``models``) renders the keys of a section;
* ``.. gankit-cli-help:: train`` renders ``gankit train --help``.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import os
from collections.abc import Iterator, Mapping
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective


def toml_value(value: Any) -> str:
    """Show a default as it would be written in a TOML config."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if value is None:
        return '"none"'
    return repr(value)


def field_rows(fields: Mapping[str, Any]) -> list[tuple[str, str, str, str]]:
    """``(key, type, default, meaning)`` for each :class:`~gankit.config.schema.Field`."""
    from gankit.config.schema import REQUIRED

    rows = []
    for key, field in fields.items():
        if field.default is REQUIRED:
            default = "required"
        elif field.default is None:
            default = "(unset)"
        else:
            default = f"``{toml_value(field.default)}``"
        kind = field.describe().replace("'", "")
        rows.append((f"``{key}``", kind, default, field.doc))
    return rows


def table(rows: list[tuple[str, ...]], header: tuple[str, ...], widths: str) -> list[str]:
    """An RST ``list-table``."""
    lines = [".. list-table::", "   :header-rows: 1", f"   :widths: {widths}", ""]
    for row in [header, *rows]:
        lines.append(f"   * - {row[0]}")
        lines += [f"     - {cell}" for cell in row[1:]]
    lines.append("")
    return lines


FIELD_HEADER = ("key", "type", "default", "meaning")
FIELD_WIDTHS = "18 27 15 40"


def section_tables(title: str, tables: Mapping[str, Mapping[str, Any]], fmt: str) -> list[str]:
    """One rubric and one table per entry of ``tables``."""
    lines: list[str] = []
    for name, fields in tables.items():
        lines += [f".. rubric:: {fmt.format(name=name)}", ""]
        if fields:
            lines += table(field_rows(fields), FIELD_HEADER, FIELD_WIDTHS)
        else:
            lines += [f"{title} ``{name}`` takes no arguments.", ""]
    return lines


def model_tables() -> list[str]:
    """A table of config keys for every registered model, defaults from ``get_config()``."""
    from gankit.models import build_model, get_model_class, list_models

    lines: list[str] = []
    for name in list_models():
        cls = get_model_class(name)
        required = set(cls.required_keys)
        config = _example_config(name, cls, build_model)
        params = inspect.signature(cls).parameters
        rows = []
        for key in cls.config_keys:
            annotation = params[key].annotation if key in params else ""
            kind = f"``{annotation}``" if annotation is not inspect.Parameter.empty else ""
            if key in required:
                default = "required" if key not in ("out_shape", "in_shape") else "the data's shape"
            else:
                default = f"``{toml_value(config.get(key))}``"
            rows.append((f"``{key}``", kind, default))
        lines += [f".. rubric:: ``name = \"{name}\"`` ({cls.role})", ""]
        lines += [f"Arguments of :class:`gankit.models.{name}`:", ""]
        lines += table(rows, ("key", "Python type", "default"), "25 45 30")
    return lines


def _arg_docs(cls: Any) -> dict[str, str]:
    """The one-line meaning of each argument, from the ``Args:`` section of a class docstring."""
    docs: dict[str, str] = {}
    lines = inspect.getdoc(cls).splitlines() if cls.__doc__ else []
    if "Args:" not in lines:
        return docs
    key = None
    for line in lines[lines.index("Args:") + 1:]:
        if line and not line.startswith(" "):
            break
        text = line.strip()
        head, sep, rest = text.partition(": ")
        if line.startswith("    ") and not line.startswith("     ") and sep and " " not in head:
            key, docs[head] = head, rest
        elif key is not None and text:
            docs[key] += " " + text
    return docs


def class_rows(cls: Any, keys: tuple[str, ...]) -> list[tuple[str, str, str, str]]:
    """``(key, Python type, default, meaning)`` of the ``config_keys`` of a loss or callback."""
    params = inspect.signature(cls).parameters
    meaning = _arg_docs(cls)
    rows = []
    for key in keys:
        param = params[key]
        kind = "" if param.annotation is inspect.Parameter.empty else f"``{param.annotation}``"
        default = ("required" if param.default is inspect.Parameter.empty
                   else f"``{toml_value(param.default)}``")
        rows.append((f"``{key}``", kind, default, meaning.get(key, "")))
    return rows


CLASS_HEADER = ("key", "Python type", "default", "meaning")


def _example_config(name: str, cls: Any, build: Any) -> dict[str, Any]:
    """The ``get_config()`` of a model built with its required arguments only."""
    for shape in ((2,), (1, 16, 16)):
        args: dict[str, Any] = {"latent_dim": 2, "out_shape": shape, "in_shape": shape}
        try:
            return dict(build(name, {k: args[k] for k in cls.required_keys}).get_config())
        except (TypeError, ValueError):
            continue
    raise ValueError(f"cannot build {name} from its required keys to read its defaults")


def render_section(section: str) -> list[str]:
    """The RST lines documenting one config section."""
    if section == "trainer":
        from gankit.config.experiment import TRAINER_FIELDS

        return table(field_rows(TRAINER_FIELDS), FIELD_HEADER, FIELD_WIDTHS)
    if section == "eval":
        from gankit.config.experiment import EVAL_FIELDS

        return table(field_rows(EVAL_FIELDS), FIELD_HEADER, FIELD_WIDTHS)
    if section == "callbacks":
        from gankit.callbacks._registry import get_callback_class
        from gankit.config.callbacks import DEFAULT_ON, ORDER

        out: list[str] = []
        for name in ORDER:
            cls = get_callback_class(name)
            state = "on by default" if name in DEFAULT_ON else "off unless its table is present"
            out += [f".. rubric:: ``[callbacks.{name}]`` ({state})", ""]
            out += [f"Arguments of :class:`gankit.callbacks.{cls.__name__}`, and ``enabled`` "
                    "(a bool) to turn it on or off:", ""]
            out += table(class_rows(cls, cls.config_keys), CLASS_HEADER, FIELD_WIDTHS)
        return out
    if section == "data":
        from gankit.config.data import DATA_FIELDS, DATASETS

        out = []
        for name, fields in DATA_FIELDS.items():
            out += [f'.. rubric:: ``name = "{name}"`` (:func:`gankit.data.{DATASETS[name]}`)', ""]
            out += table(field_rows(fields), FIELD_HEADER, FIELD_WIDTHS) if fields else [
                "No other keys.", ""]
        return out
    if section == "loss":
        from gankit.losses import get_loss_class, list_losses

        out = []
        for name in list_losses():
            cls = get_loss_class(name)
            out += [f'.. rubric:: ``name = "{name}"`` (:class:`gankit.losses.{name}`)', ""]
            out += (table(class_rows(cls, cls.config_keys), CLASS_HEADER, FIELD_WIDTHS)
                    if cls.config_keys else [f"The loss ``{name}`` takes no arguments.", ""])
        return out
    if section == "augment":
        from gankit.augment import get_augment_class, list_augments

        out = []
        for name in list_augments():
            cls = get_augment_class(name)
            out += [f'.. rubric:: ``name = "{name}"`` (:class:`gankit.augment.{name}`)', ""]
            out += table(class_rows(cls, cls.config_keys), CLASS_HEADER, FIELD_WIDTHS)
        return out
    if section == "optimizer":
        from gankit.config.optimizers import OPTIMIZER_FIELDS

        return section_tables("The optimizer", OPTIMIZER_FIELDS, '``name = "{name}"``')
    if section == "models":
        return model_tables()
    raise ValueError(f"unknown config section {section!r}")


class ConfigDirective(SphinxDirective):
    """``.. gankit-config:: trainer``: the keys, types and defaults of one config section."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        """Render the section's tables."""
        try:
            lines = render_section(self.arguments[0])
        except ValueError as exc:
            raise self.error(str(exc)) from None
        return self.parse_text_to_nodes("\n".join(lines))


@contextlib.contextmanager
def _columns(width: int) -> Iterator[None]:
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(width)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old


def cli_help(command: str | None) -> str:
    """The text of ``gankit --help`` or ``gankit COMMAND --help``."""
    from gankit.cli import build_parser

    args = ["--help"] if command is None else [command, "--help"]
    out, err = io.StringIO(), io.StringIO()
    with _columns(88), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            build_parser().parse_args(args)
        except SystemExit as exc:
            if exc.code != 0:
                raise ValueError(f"gankit has no sub-command {command!r}") from None
    return out.getvalue().rstrip()


class CliHelpDirective(SphinxDirective):
    """``.. gankit-cli-help:: train``: the command's ``--help``; no argument for ``gankit``."""

    optional_arguments = 1

    def run(self) -> list[nodes.Node]:
        """Render the help text as a literal block."""
        command = self.arguments[0] if self.arguments else None
        try:
            text = cli_help(command)
        except ValueError as exc:
            raise self.error(str(exc)) from None
        block = nodes.literal_block(text, text)
        block["language"] = "text"
        return [block]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directives."""
    app.add_directive("gankit-config", ConfigDirective)
    app.add_directive("gankit-cli-help", CliHelpDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
