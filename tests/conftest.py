"""Test-wide settings: one torch thread, and derandomized hypothesis on CI."""

from __future__ import annotations

import os
import tempfile

import torch
from hypothesis import settings

# Tiny models spend their time in thread hand-offs; one thread is faster and
# makes timings stable when other jobs share the two cores.
torch.set_num_threads(1)

# The offline feature classifiers (digits, MNIST) are trained once and cached by the hash
# of their recipe: the workers and the CLI subprocesses share one cache, outside $HOME.
os.environ["GANKIT_CACHE"] = os.path.join(tempfile.gettempdir(), "gankit-doctest-cache")

settings.register_profile("ci", deadline=None, derandomize=True, max_examples=50)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
