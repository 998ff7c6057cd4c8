"""The ``gankit`` command line: ``gankit demo``, ``gankit train CONFIG``, ``gankit sample CKPT``.

The console script ``gankit`` and ``python -m gankit`` both call :func:`main`.
"""

from gankit.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
