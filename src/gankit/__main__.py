"""``python -m gankit``: the same as the ``gankit`` command."""

import sys

from gankit.cli.main import main

__all__: list[str] = []

if __name__ == "__main__":
    sys.exit(main())
