"""The command line's shape: --help everywhere, usage errors exit with status 2."""

from __future__ import annotations

import pytest

from gankit import __version__
from gankit.cli.main import build_parser, main


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--help"], ["usage: gankit", "demo", "train", "sample"]),
        (["demo", "--help"], ["usage: gankit demo", "--out DIR", "--steps N", "--debug"]),
        (["train", "--help"], ["usage: gankit train", "CONFIG", "--set KEY=VALUE", "--resume",
                               "--debug"]),
        (["sample", "--help"], ["usage: gankit sample", "CHECKPOINT", "-n N", "--labels",
                                ".npy"]),
    ],
)
def test_help(argv: list[str], expected: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 0
    out = capsys.readouterr().out
    for text in expected:
        assert text in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"gankit {__version__}"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "the following arguments are required: COMMAND"),
        (["fly"], "invalid choice: 'fly'"),
        (["train"], "gankit train needs a CONFIG file, or --resume DIR"),
        (["sample", "x.pt", "-n", "many"], "argument -n: invalid int value: 'many'"),
        (["demo", "--stepz", "3"], "unrecognized arguments: --stepz 3"),
    ],
)
def test_usage_errors_exit_2(argv: list[str], message: str,
                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_parser_defaults() -> None:
    args = build_parser().parse_args(["train", "c.toml", "--set", "a=1", "--set", "b=2"])
    assert args.overrides == ["a=1", "b=2"] and args.out is None and args.resume is None
    args = build_parser().parse_args(["sample", "c.pt"])
    assert (args.n, args.out, args.seed, args.labels) == (64, "samples.png", 0, None)
    assert build_parser().parse_args(["demo"]).out == "runs/demo"
