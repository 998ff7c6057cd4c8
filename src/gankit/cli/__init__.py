"""The ``gankit`` command line: ``demo``, ``train CONFIG``, ``sample CKPT``, ``export CKPT``.

The console script ``gankit`` and ``python -m gankit`` both call :func:`main`.
"""

from gankit.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
